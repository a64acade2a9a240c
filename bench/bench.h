/*
 * Shared helpers for Moat's micro-benchmarks.
 *
 * Each benchmark is a static program that takes an iteration count, runs its
 * loop once, and prints exactly one number on stdout. It makes as few system
 * calls outside the loop as it can, so that a young sandbox can run it.
 */
#ifndef MOAT_BENCH_H
#define MOAT_BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* now_ns returns CLOCK_MONOTONIC in nanoseconds. */
static inline long long now_ns(void) {
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		return -1;
	}
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* die reports a failed call on stderr and exits 1. */
static inline void die(const char *what) {
	char msg[256];
	int n = snprintf(msg, sizeof msg, "%s: %s\n", what, strerror(errno));
	if (n > 0) {
		(void)!write(2, msg, (size_t)n);
	}
	exit(1);
}

/* usage prints the command line and exits 2. */
static inline void usage(const char *text) {
	(void)!write(2, text, strlen(text));
	exit(2);
}

/* iterations parses argv[1] as a positive count. */
static inline long iterations(int argc, char **argv, const char *text) {
	if (argc < 2) {
		usage(text);
	}
	long n = strtol(argv[1], NULL, 10);
	if (n <= 0) {
		usage(text);
	}
	return n;
}

/* print_number writes one number and a newline to stdout with one write. */
static inline void print_number(double v) {
	char buf[64];
	int n = snprintf(buf, sizeof buf, "%.1f\n", v);
	if (n <= 0 || write(1, buf, (size_t)n) != n) {
		exit(1);
	}
}

#endif
