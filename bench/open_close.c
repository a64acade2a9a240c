/* open_close: open(2) then close(2) of an existing file, in ns/op. */
#include <fcntl.h>

#include "bench.h"

int main(int argc, char **argv) {
	long n = iterations(argc, argv, "usage: open_close ITERATIONS FILE\n");
	if (argc < 3) {
		usage("usage: open_close ITERATIONS FILE\n");
	}
	const char *path = argv[2];
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			die("open");
		}
		if (close(fd) != 0) {
			die("close");
		}
	}
	long long end = now_ns();
	print_number((double)(end - start) / (double)n);
	return 0;
}
