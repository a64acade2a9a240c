/*
 * read4k: 4 KiB pread(2)s walking through a file that is already in the page
 * cache, in MB/s (10^6 bytes per second). The file is read once before the
 * timed loop.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "bench.h"

#define BLOCK 4096

int main(int argc, char **argv) {
	long n = iterations(argc, argv, "usage: read4k ITERATIONS FILE\n");
	if (argc < 3) {
		usage("usage: read4k ITERATIONS FILE\n");
	}
	static char buf[BLOCK];
	int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		die("open");
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		die("fstat");
	}
	long blocks = (long)(st.st_size / BLOCK);
	if (blocks < 1) {
		errno = EINVAL;
		die("file smaller than 4 KiB");
	}
	/* Warm the page cache (and any cache the sandbox keeps). */
	for (long b = 0; b < blocks; b++) {
		if (pread(fd, buf, BLOCK, (off_t)b * BLOCK) != BLOCK) {
			die("pread (warm-up)");
		}
	}
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		if (pread(fd, buf, BLOCK, (off_t)(i % blocks) * BLOCK) != BLOCK) {
			die("pread");
		}
	}
	long long end = now_ns();
	double secs = (double)(end - start) / 1e9;
	print_number((double)n * BLOCK / 1e6 / secs);
	return 0;
}
