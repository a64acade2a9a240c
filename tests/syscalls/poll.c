//go:build ignore

/* poll: poll(2), ppoll(2) and pselect6(2) on pipes and files: readiness,
 * POLLHUP / POLLNVAL / POLLERR, timeouts, negative fds, and EINVAL /
 * EFAULT. */
#include "common.h"
#include <poll.h>
#include <sys/select.h>
#include <time.h>

int main(void)
{
	tmp_enter();
	int p[2];
	OKQ(pipe(p));
	struct pollfd f[4];

	f[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	f[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	EQ("empty pipe: only the write end ready", syscall(SYS_poll, f, 2, 0), 1);
	EQ("read end revents", f[0].revents, 0);
	EQ("write end revents", f[1].revents, POLLOUT);
	OKQ(write(p[1], "x", 1));
	EQ("after a write: both ready", syscall(SYS_poll, f, 2, 0), 2);
	EQ("read end POLLIN", f[0].revents, POLLIN);

	/* A negative fd is skipped; a closed one is POLLNVAL. */
	f[2] = (struct pollfd){ .fd = -1, .events = POLLIN, .revents = 77 };
	f[3] = (struct pollfd){ .fd = 9999, .events = POLLIN };
	EQ("with a negative and a bad fd", syscall(SYS_poll, f, 4, 0), 3);
	EQ("negative fd revents cleared", f[2].revents, 0);
	EQ("bad fd POLLNVAL", f[3].revents, POLLNVAL);

	/* Writer gone: POLLIN|POLLHUP while data remains, then POLLHUP. */
	close(p[1]);
	EQ("writer closed", syscall(SYS_poll, f, 1, 0), 1);
	EQ("POLLIN|POLLHUP", f[0].revents, POLLIN | POLLHUP);
	char c;
	OKQ(read(p[0], &c, 1));
	OKQ(syscall(SYS_poll, f, 1, 0));
	EQ("POLLHUP alone", f[0].revents, POLLHUP);
	close(p[0]);
	OKQ(pipe(p));
	close(p[0]);
	f[0] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	OKQ(syscall(SYS_poll, f, 1, 0));
	EQ("reader closed: POLLOUT|POLLERR", f[0].revents, POLLOUT | POLLERR);
	close(p[1]);

	/* Regular files are always ready. */
	write_file("file", "x");
	int fd = OKQ(open("file", O_RDWR));
	f[0] = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	EQ("regular file", syscall(SYS_poll, f, 1, -1), 1);
	EQ("file POLLIN|POLLOUT", f[0].revents, POLLIN | POLLOUT);

	/* Timeouts. */
	OKQ(pipe(p));
	f[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	EQ("poll 30 ms timeout", syscall(SYS_poll, f, 1, 30), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	YES("waited >= 30 ms", (b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec >= 30000000L);
	struct timespec ts = { 0, 20000000 };
	EQ("ppoll 20 ms timeout", syscall(SYS_ppoll, f, 1, &ts, NULL, 8), 0);
	YES("ppoll left time updated", ts.tv_sec == 0 && ts.tv_nsec == 0);
	struct timespec bad = { 0, 1000000000 };
	ERR("ppoll bad timeout", syscall(SYS_ppoll, f, 1, &bad, NULL, 8), EINVAL);
	ERR("ppoll bad sigsetsize", syscall(SYS_ppoll, f, 1, &ts, &ts, 4), EINVAL);
	ERR("poll bad array", syscall(SYS_poll, BADPTR, 1, 0), EFAULT);
	ERR("poll too many fds", syscall(SYS_poll, f, 1 << 30, 0), EINVAL);
	EQ("poll nothing", syscall(SYS_poll, NULL, 0, 0), 0);

	/* pselect6. */
	fd_set r, w;
	FD_ZERO(&r); FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	struct timespec z = { 0, 0 };
	EQ("pselect6 empty pipe", syscall(SYS_pselect6, p[1] + 1, &r, &w, NULL, &z, NULL), 1);
	YES("only write end set", !FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));
	OKQ(write(p[1], "y", 1));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	EQ("pselect6 after write", syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &z, NULL), 1);
	YES("read end set", FD_ISSET(p[0], &r));
	int closed = OKQ(dup(0));
	close(closed);
	FD_ZERO(&r);
	FD_SET(closed, &r);
	ERR("pselect6 closed fd", syscall(SYS_pselect6, closed + 1, &r, NULL, NULL, &z, NULL), EBADF);
	ERR("pselect6 negative nfds", syscall(SYS_pselect6, -1, NULL, NULL, NULL, &z, NULL), EINVAL);
	struct timespec t2 = { 0, 20000000 };
	FD_ZERO(&r);
	FD_SET(p[1], &r); /* write end never becomes readable */
	EQ("pselect6 timeout", syscall(SYS_pselect6, p[1] + 1, &r, NULL, NULL, &t2, NULL), 0);
	return 0;
}
