/*
 * common.h: helpers shared by Moat's syscall test programs.
 *
 * Every program includes this file and nothing else of ours. It gives:
 *   - errname(): errno value -> its symbolic name ("ENOENT"), so output
 *     never depends on the C library's message wording;
 *   - OK()/ERR()/YES(): checks that print one deterministic line each and
 *     stop the program with "FAIL: ..." and exit status 1 when the check
 *     does not hold (so a program broken natively is caught as well);
 *   - probe(): touches memory and names the signal it raised, if any;
 *   - tmp_enter(): makes a fresh directory with mkdtemp under /tmp, chdirs
 *     into it and removes it at exit. Programs create files only there,
 *     through relative paths, and never print the directory's name.
 *
 * stdout is unbuffered so that stdout and stderr lines come out in the
 * order they were produced, natively and in the sandbox alike.
 */
#ifndef MOAT_SYSCALL_COMMON_H
#define MOAT_SYSCALL_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* BADPTR is an address that is never mapped: the first page is kept
 * unmapped by Linux (vm.mmap_min_addr) and by the sentry alike. */
#define BADPTR ((void *)1)

#define HELPER static __attribute__((unused))

HELPER const char *errname(int e)
{
	switch (e) {
#define E(x) case x: return #x
	E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO);
	E(E2BIG); E(ENOEXEC); E(EBADF); E(ECHILD); E(EAGAIN); E(ENOMEM);
	E(EACCES); E(EFAULT); E(ENOTBLK); E(EBUSY); E(EEXIST); E(EXDEV);
	E(ENODEV); E(ENOTDIR); E(EISDIR); E(EINVAL); E(ENFILE); E(EMFILE);
	E(ENOTTY); E(ETXTBSY); E(EFBIG); E(ENOSPC); E(ESPIPE); E(EROFS);
	E(EMLINK); E(EPIPE); E(EDOM); E(ERANGE); E(EDEADLK);
	E(ENAMETOOLONG); E(ENOLCK); E(ENOSYS); E(ENOTEMPTY); E(ELOOP);
	E(ENOMSG); E(ENODATA); E(EOVERFLOW); E(EOPNOTSUPP);
	E(ETIMEDOUT); E(ECANCELED); E(EBADFD); E(ENOTSOCK);
	E(EXFULL); E(ENOTUNIQ); E(EILSEQ);
	E(EPROTONOSUPPORT); E(ESOCKTNOSUPPORT); E(EAFNOSUPPORT); E(EPROTOTYPE);
	E(ENOPROTOOPT); E(EADDRINUSE); E(EADDRNOTAVAIL); E(ENETUNREACH);
	E(ECONNABORTED); E(ECONNRESET); E(ECONNREFUSED); E(EISCONN);
	E(ENOTCONN); E(EINPROGRESS); E(EALREADY); E(EDESTADDRREQ);
	E(EMSGSIZE); E(ENOBUFS);
#undef E
	case 0: return "0";
	}
	static char buf[32];
	snprintf(buf, sizeof buf, "errno%d", e);
	return buf;
}

/* FAIL reports a failed check and ends the program with status 1. */
#define FAIL(...) do { \
	printf("FAIL: %s:%d: ", __FILE__, __LINE__); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	exit(1); \
} while (0)

/* CHECK fails the program, quietly otherwise, unless cond holds. */
#define CHECK(cond) do { if (!(cond)) FAIL("check failed: %s", #cond); } while (0)

/* OK checks that a call (libc or raw syscall(2)) returned >= 0, prints
 * "label: ok" and yields the result. */
#define OK(label, expr) ({ long r_ = (long)(expr); ok_(__FILE__, __LINE__, (label), r_, errno); })
HELPER long ok_(const char *file, int line, const char *label, long r, int err)
{
	if (r < 0) {
		printf("FAIL: %s:%d: %s: got %ld (%s), want success\n",
		       file, line, label, r, errname(err));
		exit(1);
	}
	printf("%s: ok\n", label);
	return r;
}

/* OKQ is OK without the output line (for set-up steps). */
#define OKQ(expr) ({ long r_ = (long)(expr); okq_(__FILE__, __LINE__, #expr, r_, errno); })
HELPER long okq_(const char *file, int line, const char *what, long r, int err)
{
	if (r < 0) {
		printf("FAIL: %s:%d: %s: got %ld (%s), want success\n",
		       file, line, what, r, errname(err));
		exit(1);
	}
	return r;
}

/* ERR checks that a call failed with -1 and errno want, and prints
 * "label: WANTNAME". errno is cleared first so that a stale value never
 * passes the check. */
#define ERR(label, expr, want) do { \
	errno = 0; \
	long r_ = (long)(expr); \
	err_(__FILE__, __LINE__, (label), r_, errno, (want)); \
} while (0)
HELPER void err_(const char *file, int line, const char *label, long r, int err, int want)
{
	if (r != -1 || err != want) {
		printf("FAIL: %s:%d: %s: got %ld (%s), want -1 (%s)\n",
		       file, line, label, r, r == -1 ? errname(err) : "no error",
		       errname(want));
		exit(1);
	}
	printf("%s: %s\n", label, errname(want));
}

/* YES prints "label: yes" when cond holds and fails otherwise. */
#define YES(label, cond) do { \
	if (!(cond)) FAIL("%s: no (%s)", (label), #cond); \
	printf("%s: yes\n", (label)); \
} while (0)

/* EQ checks two integers are equal and prints "label: value" (on a
 * mismatch with -1, the errno name too). */
#define EQ(label, got, want) do { \
	errno = 0; \
	long long g_ = (long long)(got); \
	int e_ = errno; \
	long long w_ = (long long)(want); \
	if (g_ != w_) FAIL("%s: got %lld%s%s, want %lld", (label), g_, \
			   g_ == -1 ? " " : "", g_ == -1 ? errname(e_) : "", w_); \
	printf("%s: %lld\n", (label), g_); \
} while (0)

/* SEQ checks two strings are equal and prints "label: value". */
#define SEQ(label, got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (strcmp(g_, w_) != 0) FAIL("%s: got \"%s\", want \"%s\"", (label), g_, w_); \
	printf("%s: %s\n", (label), g_); \
} while (0)

static char tmp_dir_[64];

HELPER int rm_one_(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st; (void)type; (void)f;
	remove(p);
	return 0;
}

HELPER void tmp_cleanup_(void)
{
	if (tmp_dir_[0]) {
		if (chdir("/") != 0) return;
		/* Directories made read-only or unsearchable by a test must
		 * still go; root ignores permissions, so no chmod is needed. */
		nftw(tmp_dir_, rm_one_, 16, FTW_DEPTH | FTW_PHYS);
		tmp_dir_[0] = 0;
	}
}

/* tmp_enter makes a fresh scratch directory under /tmp, chdirs into it
 * and arranges for it to be removed at exit. In the sandbox /tmp is a
 * new tmpfs; natively it is the host's /tmp. */
HELPER void tmp_enter(void)
{
	strcpy(tmp_dir_, "/tmp/moat-sc-XXXXXX");
	if (!mkdtemp(tmp_dir_)) FAIL("mkdtemp: %s", errname(errno));
	if (chdir(tmp_dir_) != 0) FAIL("chdir tmp: %s", errname(errno));
	atexit(tmp_cleanup_);
}

/* write_file creates (truncating) a file with the given contents. */
HELPER void write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) FAIL("create %s: %s", path, errname(errno));
	size_t n = strlen(data);
	if (write(fd, data, n) != (ssize_t)n) FAIL("write %s: %s", path, errname(errno));
	close(fd);
}

/* read_file reads up to size-1 bytes of a file into buf (NUL-ended) and
 * returns the count, or -1 with errno set. */
HELPER ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) return -1;
	size_t got = 0;
	while (got + 1 < size) {
		ssize_t n = read(fd, buf + got, size - 1 - got);
		if (n < 0) { int e = errno; close(fd); errno = e; return -1; }
		if (n == 0) break;
		got += (size_t)n;
	}
	buf[got] = 0;
	close(fd);
	return (ssize_t)got;
}

static sigjmp_buf probe_jb_;
static volatile int probe_sig_, probe_code_;
static void *volatile probe_addr_;

HELPER void probe_handler_(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	probe_sig_ = sig;
	probe_code_ = si->si_code;
	probe_addr_ = si->si_addr;
	siglongjmp(probe_jb_, 1);
}

/* PROBE_READ, PROBE_WRITE and PROBE_EXEC say how probe() touches memory. */
enum { PROBE_READ, PROBE_WRITE, PROBE_EXEC };

/* probe touches addr (reads a byte, writes 0x5a, or calls it as a
 * function, which must then hold a `ret`) and describes the outcome:
 * "ok", or the signal and code, e.g. "SIGSEGV/SEGV_MAPERR",
 * "SIGSEGV/SEGV_ACCERR", "SIGBUS/BUS_ADRERR". A fault whose si_addr is not
 * addr fails the program. */
HELPER const char *probe_fault_(void *addr, int how, void *fault);

HELPER const char *probe(void *addr, int how)
{
	return probe_fault_(addr, how, addr);
}

/* probe_at calls code at addr that is expected to fault at fault (for
 * example after running off the end of its page). */
HELPER const char *probe_at(void *addr, void *fault)
{
	return probe_fault_(addr, PROBE_EXEC, fault);
}

HELPER const char *probe_fault_(void *addr, int how, void *fault)
{
	struct sigaction sa, old_segv, old_bus;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = probe_handler_;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	const char *res = "ok";
	if (sigsetjmp(probe_jb_, 1) == 0) {
		volatile char *p = addr;
		if (how == PROBE_READ) (void)*p;
		else if (how == PROBE_WRITE) *p = 0x5a;
		else ((void (*)(void))addr)();
	} else {
		if (probe_addr_ != fault) FAIL("fault at %p, want %p", probe_addr_, fault);
		if (probe_sig_ == SIGSEGV && probe_code_ == SEGV_MAPERR) res = "SIGSEGV/SEGV_MAPERR";
		else if (probe_sig_ == SIGSEGV && probe_code_ == SEGV_ACCERR) res = "SIGSEGV/SEGV_ACCERR";
		else if (probe_sig_ == SIGBUS && probe_code_ == BUS_ADRERR) res = "SIGBUS/BUS_ADRERR";
		else {
			static char buf[64];
			snprintf(buf, sizeof buf, "signal %d code %d", probe_sig_, probe_code_);
			res = buf;
		}
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return res;
}

__attribute__((constructor)) static void common_init_(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
}

/* fork_run runs fn in a child, which exits with fn's result, and returns
 * the child's PID; reap_exit waits for it and returns that exit code. */
HELPER pid_t fork_run(int (*fn)(void))
{
	fflush(stdout);
	pid_t pid = OKQ(fork());
	if (pid == 0) {
		int code = fn();
		fflush(stdout);
		_exit(code);
	}
	return pid;
}

HELPER int reap_exit(pid_t pid)
{
	int st;
	OKQ(waitpid(pid, &st, 0));
	CHECK(WIFEXITED(st));
	return WEXITSTATUS(st);
}

#endif
