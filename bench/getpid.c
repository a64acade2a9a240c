/* getpid: cost of the cheapest system call round trip, in ns/op. */
#include <sys/syscall.h>

#include "bench.h"

int main(int argc, char **argv) {
	long n = iterations(argc, argv, "usage: getpid ITERATIONS\n");
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		/* Raw syscall: glibc would otherwise be free to cache the pid. */
		syscall(SYS_getpid);
	}
	long long end = now_ns();
	print_number((double)(end - start) / (double)n);
	return 0;
}
