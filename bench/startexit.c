/*
 * startexit: runs a command RUNS times, one after another, and prints the
 * median wall-clock time from fork to the end of waitpid, in ms. It is the
 * driver's stopwatch for "start to exit"; it runs natively, not in a sandbox.
 * The command's stdout goes to /dev/null; a run that does not exit 0 stops
 * the measurement with exit status 1.
 */
#include <fcntl.h>
#include <sys/wait.h>

#include "bench.h"

static int cmp_ll(const void *a, const void *b) {
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv) {
	long runs = iterations(argc, argv, "usage: startexit RUNS COMMAND [ARGS...]\n");
	if (argc < 3) {
		usage("usage: startexit RUNS COMMAND [ARGS...]\n");
	}
	long long *t = calloc((size_t)runs, sizeof *t);
	if (t == NULL) {
		die("calloc");
	}
	for (long i = 0; i < runs; i++) {
		long long start = now_ns();
		pid_t pid = fork();
		if (pid < 0) {
			die("fork");
		}
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			if (null >= 0) {
				dup2(null, 1);
			}
			execvp(argv[2], argv + 2);
			die("exec");
		}
		int status;
		if (waitpid(pid, &status, 0) != pid) {
			die("waitpid");
		}
		t[i] = now_ns() - start;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "startexit: run %ld: %s %d\n", i + 1,
			        WIFEXITED(status) ? "exit status" : "killed by signal",
			        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			return 1;
		}
	}
	qsort(t, (size_t)runs, sizeof *t, cmp_ll);
	double median = runs % 2 ? (double)t[runs / 2]
	                         : ((double)t[runs / 2 - 1] + (double)t[runs / 2]) / 2;
	print_number(median / 1e6);
	return 0;
}
