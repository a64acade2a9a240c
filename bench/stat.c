/* stat: stat(2) of an existing file, in ns/op. */
#include <sys/stat.h>

#include "bench.h"

int main(int argc, char **argv) {
	long n = iterations(argc, argv, "usage: stat ITERATIONS FILE\n");
	if (argc < 3) {
		usage("usage: stat ITERATIONS FILE\n");
	}
	const char *path = argv[2];
	struct stat st;
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		if (stat(path, &st) != 0) {
			die("stat");
		}
	}
	long long end = now_ns();
	print_number((double)(end - start) / (double)n);
	return 0;
}
