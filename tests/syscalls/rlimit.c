//go:build ignore

/* rlimit: getrlimit(2), setrlimit(2) and prlimit64(2): reading, lowering
 * and their effects (EMFILE, EBADF, EFBIG with SIGXFSZ ignored), and the
 * errors. Default values differ between host and sandbox, so only
 * relations are printed about them. */
#include "common.h"
#include <sys/resource.h>
#include <sys/wait.h>

int main(void)
{
	tmp_enter();
	struct rlimit r, r2;
	OK("getrlimit NOFILE", syscall(SYS_getrlimit, RLIMIT_NOFILE, &r));
	YES("soft <= hard", r.rlim_cur <= r.rlim_max);
	YES("soft >= 64", r.rlim_cur >= 64);
	OK("prlimit64 get", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &r2));
	YES("prlimit64 agrees", r.rlim_cur == r2.rlim_cur && r.rlim_max == r2.rlim_max);
	OK("prlimit64 own pid", syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &r2));

	/* Lower NOFILE to 16: the 17th descriptor fails. */
	struct rlimit lim = { 16, r.rlim_max };
	OK("setrlimit NOFILE 16", syscall(SYS_setrlimit, RLIMIT_NOFILE, &lim));
	OKQ(syscall(SYS_getrlimit, RLIMIT_NOFILE, &r2));
	EQ("soft now", r2.rlim_cur, 16);
	int last = -1;
	for (int fd; (fd = open("/dev/null", O_RDONLY)) >= 0;) last = fd;
	ERR("open beyond limit", open("/dev/null", O_RDONLY), EMFILE);
	EQ("highest fd", last, 15);
	ERR("dup2 to 16", syscall(SYS_dup2, 0, 16), EBADF);
	ERR("F_DUPFD from 16", syscall(SYS_fcntl, 0, F_DUPFD, 16), EINVAL);
	for (int fd = 3; fd <= last; fd++) close(fd);
	OK("restore NOFILE", syscall(SYS_setrlimit, RLIMIT_NOFILE, &r));

	struct rlimit bad = { 100, 50 };
	ERR("soft > hard", syscall(SYS_setrlimit, RLIMIT_NOFILE, &bad), EINVAL);
	ERR("unknown resource", syscall(SYS_getrlimit, 100, &r2), EINVAL);
	ERR("setrlimit unknown resource", syscall(SYS_setrlimit, 100, &lim), EINVAL);
	ERR("getrlimit bad buffer", syscall(SYS_getrlimit, RLIMIT_NOFILE, BADPTR), EFAULT);
	ERR("setrlimit bad buffer", syscall(SYS_setrlimit, RLIMIT_NOFILE, BADPTR), EFAULT);
	ERR("prlimit64 missing pid", syscall(SYS_prlimit64, 0x3ffffff0, RLIMIT_NOFILE, NULL, &r2), ESRCH);
	ERR("prlimit64 unknown resource", syscall(SYS_prlimit64, 0, 99, NULL, &r2), EINVAL);

	/* prlimit64 sets and returns the old value in one call. */
	struct rlimit newl = { 1 << 20, RLIM_INFINITY }, oldl;
	OK("prlimit64 set FSIZE", syscall(SYS_prlimit64, 0, RLIMIT_FSIZE, &newl, &oldl));
	OKQ(syscall(SYS_getrlimit, RLIMIT_FSIZE, &r2));
	EQ("FSIZE soft", r2.rlim_cur, 1 << 20);

	/* Writing past RLIMIT_FSIZE: SIGXFSZ (ignored here) and EFBIG. Nothing
	 * is printed while the limit is low, since stdout may be a file. */
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit fs = { 10, RLIM_INFINITY };
	int fd = OKQ(open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	OKQ(syscall(SYS_setrlimit, RLIMIT_FSIZE, &fs));
	long w1 = write(fd, "0123456789abcdef", 16);
	errno = 0;
	long w2 = write(fd, "x", 1);
	int e2 = errno;
	long t1 = ftruncate(fd, 100);
	int e3 = errno;
	OKQ(syscall(SYS_setrlimit, RLIMIT_FSIZE, &oldl));
	close(fd);
	EQ("write up to the limit is short", w1, 10);
	ERR("write past the limit", (errno = e2, w2), EFBIG);
	ERR("ftruncate past the limit", (errno = e3, t1), EFBIG);

	/* prlimit64 on a child: its limit changes, not ours. */
	int p[2];
	OKQ(pipe(p));
	pid_t c = fork();
	if (c == 0) {
		char ch;
		if (read(p[0], &ch, 1) != 1) _exit(2);
		struct rlimit cr;
		getrlimit(RLIMIT_NOFILE, &cr);
		_exit(cr.rlim_cur == 77 ? 0 : 1);
	}
	struct rlimit cl = { 77, 4096 }, mine;
	OK("prlimit64 on a child", syscall(SYS_prlimit64, c, RLIMIT_NOFILE, &cl, NULL));
	OKQ(syscall(SYS_prlimit64, c, RLIMIT_NOFILE, NULL, &r2));
	EQ("child's NOFILE read back", r2.rlim_cur, 77);
	OKQ(getrlimit(RLIMIT_NOFILE, &mine));
	YES("ours unchanged", mine.rlim_cur != 77);
	OKQ(write(p[1], "g", 1));
	int st;
	OKQ(waitpid(c, &st, 0));
	YES("the child sees its new limit", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	return 0;
}
