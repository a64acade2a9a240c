/*
 * proc: process-model micro-benchmarks (issue 4), one per mode. Each run
 * does ITERATIONS of its loop and prints one number on stdout:
 *
 *   proc fork N [MIB]   fork + _exit + waitpid, µs per fork; with MIB the
 *                       parent first touches MIB MiB of private memory, so
 *                       the figure shows whether fork copies it
 *   proc exec N PATH    fork + execve(PATH) + waitpid, µs each (PATH is a
 *                       static program that exits at once: proc_true)
 *   proc thread N       pthread_create + pthread_join, µs each
 *   proc futex N        two threads hand a token back and forth with
 *                       FUTEX_WAIT/FUTEX_WAKE: round trips per second
 *   proc pipe N         two processes echo a byte through two pipes:
 *                       round trips per second
 *   proc signal N       two processes bounce SIGUSR1 (handler + sigsuspend):
 *                       µs per round trip
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bench.h"

static const char *usage_text =
	"usage: proc fork|exec|thread|futex|pipe|signal ITERATIONS [MIB|PATH]\n";

static void reap(pid_t c) {
	int st;
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		die("waitpid");
	}
}

static double bench_fork(long n, long mib) {
	if (mib > 0) {
		size_t len = (size_t)mib << 20;
		char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			die("mmap");
		}
		memset(m, 1, len); /* resident */
	}
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		pid_t c = fork();
		if (c < 0) {
			die("fork");
		}
		if (c == 0) {
			_exit(0);
		}
		reap(c);
	}
	return (double)(now_ns() - start) / 1e3 / (double)n;
}

static double bench_exec(long n, const char *path) {
	char *argv[] = {(char *)path, NULL};
	char *envp[] = {NULL};
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		pid_t c = fork();
		if (c < 0) {
			die("fork");
		}
		if (c == 0) {
			execve(path, argv, envp);
			_exit(127);
		}
		reap(c);
	}
	return (double)(now_ns() - start) / 1e3 / (double)n;
}

static void *nothing(void *a) { return a; }

static double bench_thread(long n) {
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		pthread_t t;
		errno = pthread_create(&t, NULL, nothing, NULL);
		if (errno != 0 || (errno = pthread_join(t, NULL)) != 0) {
			die("pthread");
		}
	}
	return (double)(now_ns() - start) / 1e3 / (double)n;
}

/* token is 0 when the main thread's turn, 1 when the partner's. */
static _Atomic int token;
static long rounds;

static void futex_wait(int want) {
	while (atomic_load(&token) != want) {
		syscall(SYS_futex, &token, FUTEX_WAIT_PRIVATE, !want, NULL, NULL, 0);
	}
}

static void pass(int to) {
	atomic_store(&token, to);
	syscall(SYS_futex, &token, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *partner(void *a) {
	for (long i = 0; i < rounds; i++) {
		futex_wait(1);
		pass(0);
	}
	return a;
}

static double bench_futex(long n) {
	rounds = n;
	pthread_t t;
	if ((errno = pthread_create(&t, NULL, partner, NULL)) != 0) {
		die("pthread_create");
	}
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		pass(1);
		futex_wait(0);
	}
	double secs = (double)(now_ns() - start) / 1e9;
	pthread_join(t, NULL);
	return (double)n / secs;
}

static double bench_pipe(long n) {
	int ab[2], ba[2];
	if (pipe(ab) != 0 || pipe(ba) != 0) {
		die("pipe");
	}
	pid_t c = fork();
	if (c < 0) {
		die("fork");
	}
	char b = 'x';
	if (c == 0) {
		for (long i = 0; i < n; i++) {
			if (read(ab[0], &b, 1) != 1 || write(ba[1], &b, 1) != 1) {
				_exit(1);
			}
		}
		_exit(0);
	}
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		if (write(ab[1], &b, 1) != 1 || read(ba[0], &b, 1) != 1) {
			die("pipe round trip");
		}
	}
	double secs = (double)(now_ns() - start) / 1e9;
	reap(c);
	return (double)n / secs;
}

static void on_usr1(int sig) { (void)sig; }

static double bench_signal(long n) {
	sigset_t usr1, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	sigprocmask(SIG_BLOCK, &usr1, &old); /* delivered only in sigsuspend */
	pid_t parent = getpid();
	pid_t c = fork();
	if (c < 0) {
		die("fork");
	}
	if (c == 0) {
		for (long i = 0; i < n; i++) {
			sigsuspend(&old);
			kill(parent, SIGUSR1);
		}
		_exit(0);
	}
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		kill(c, SIGUSR1);
		sigsuspend(&old);
	}
	double us = (double)(now_ns() - start) / 1e3 / (double)n;
	reap(c);
	return us;
}

int main(int argc, char **argv) {
	if (argc < 3) {
		usage(usage_text);
	}
	long n = iterations(argc - 1, argv + 1, usage_text);
	const char *mode = argv[1];
	double v;
	if (strcmp(mode, "fork") == 0) {
		v = bench_fork(n, argc > 3 ? strtol(argv[3], NULL, 10) : 0);
	} else if (strcmp(mode, "exec") == 0 && argc > 3) {
		v = bench_exec(n, argv[3]);
	} else if (strcmp(mode, "thread") == 0) {
		v = bench_thread(n);
	} else if (strcmp(mode, "futex") == 0) {
		v = bench_futex(n);
	} else if (strcmp(mode, "pipe") == 0) {
		v = bench_pipe(n);
	} else if (strcmp(mode, "signal") == 0) {
		v = bench_signal(n);
	} else {
		usage(usage_text);
	}
	print_number(v);
	return 0;
}
