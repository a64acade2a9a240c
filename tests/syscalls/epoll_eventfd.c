//go:build ignore

/* epoll_eventfd: epoll_create1(2), epoll_ctl(2), epoll_wait(2),
 * epoll_pwait(2) and eventfd2(2): registration rules, level and edge
 * triggering, EPOLLONESHOT, eventfd counters and semaphores, and the
 * errors. */
#include "common.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>

int main(void)
{
	tmp_enter();
	int ep = OK("epoll_create1", syscall(SYS_epoll_create1, EPOLL_CLOEXEC));
	YES("EPOLL_CLOEXEC", fcntl(ep, F_GETFD) == FD_CLOEXEC);
	ERR("epoll_create1 bad flags", syscall(SYS_epoll_create1, 1), EINVAL);
	int p[2];
	OKQ(pipe(p));
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1111 }, out[8];

	OK("ADD read end", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev));
	ERR("ADD twice", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	ERR("MOD unregistered", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
	ERR("DEL unregistered", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[1], NULL), ENOENT);
	ERR("ADD itself", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	ERR("ADD closed fd", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, 9999, &ev), EBADF);
	ERR("ctl on non-epoll fd", syscall(SYS_epoll_ctl, p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	write_file("file", "x");
	int file = OKQ(open("file", O_RDONLY));
	ERR("ADD regular file", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, file, &ev), EPERM);
	ERR("bad op", syscall(SYS_epoll_ctl, ep, 99, p[0], &ev), EINVAL);
	ERR("bad event pointer", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], BADPTR), EFAULT);

	EQ("nothing ready", syscall(SYS_epoll_wait, ep, out, 8, 0), 0);
	OKQ(write(p[1], "ab", 2));
	EQ("ready after write", syscall(SYS_epoll_wait, ep, out, 8, 0), 1);
	YES("event and data", out[0].events == EPOLLIN && out[0].data.u64 == 0x1111);
	EQ("level-triggered: still ready", syscall(SYS_epoll_wait, ep, out, 8, 0), 1);

	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 0x2222;
	OK("MOD to edge-triggered", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &ev));
	EQ("edge: reported once", syscall(SYS_epoll_wait, ep, out, 8, 0), 1);
	EQ("edge: not again without new data", syscall(SYS_epoll_wait, ep, out, 8, 0), 0);
	OKQ(write(p[1], "c", 1));
	EQ("edge: new data reported", syscall(SYS_epoll_wait, ep, out, 8, 0), 1);

	ev.events = EPOLLIN | EPOLLONESHOT;
	OK("MOD to one-shot", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &ev));
	EQ("one-shot: reported", syscall(SYS_epoll_wait, ep, out, 8, 0), 1);
	EQ("one-shot: disarmed", syscall(SYS_epoll_wait, ep, out, 8, 0), 0);
	OK("DEL", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL));

	ERR("epoll_wait maxevents 0", syscall(SYS_epoll_wait, ep, out, 0, 0), EINVAL);
	ERR("epoll_wait bad buffer", (syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev), syscall(SYS_epoll_wait, ep, BADPTR, 8, 0)), EFAULT);
	ERR("epoll_wait on a pipe", syscall(SYS_epoll_wait, p[0], out, 8, 0), EINVAL);
	OK("epoll_pwait with a mask", syscall(SYS_epoll_pwait, ep, out, 8, 0, NULL, 8));
	EQ("epoll_wait 20 ms timeout", (syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL), syscall(SYS_epoll_wait, ep, out, 8, 20)), 0);

	/* eventfd. */
	int e = OK("eventfd2", syscall(SYS_eventfd2, 3, EFD_NONBLOCK | EFD_CLOEXEC));
	uint64_t v = 0;
	EQ("read counter", read(e, &v, 8), 8);
	EQ("counter value", v, 3);
	ERR("read when zero", read(e, &v, 8), EAGAIN);
	v = 5;
	EQ("write 5", write(e, &v, 8), 8);
	v = 2;
	EQ("write 2", write(e, &v, 8), 8);
	EQ("read sum", (read(e, &v, 8), v), 7);
	ERR("short read buffer", read(e, &v, 4), EINVAL);
	v = UINT64_MAX;
	ERR("write UINT64_MAX", write(e, &v, 8), EINVAL);
	v = UINT64_MAX - 1;
	EQ("write max", write(e, &v, 8), 8);
	v = 1;
	ERR("overflow would block", write(e, &v, 8), EAGAIN);
	struct epoll_event eev = { .events = EPOLLIN | EPOLLOUT, .data.u64 = 7 };
	OKQ(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, e, &eev));
	EQ("full eventfd: readable only", syscall(SYS_epoll_wait, ep, out, 8, 0), 1);
	EQ("events", out[0].events, EPOLLIN);
	close(e);
	int s = OK("eventfd2 EFD_SEMAPHORE", syscall(SYS_eventfd2, 2, EFD_SEMAPHORE | EFD_NONBLOCK));
	EQ("semaphore read 1", (read(s, &v, 8), v), 1);
	EQ("semaphore read 1 again", (read(s, &v, 8), v), 1);
	ERR("semaphore empty", read(s, &v, 8), EAGAIN);
	ERR("eventfd2 bad flags", syscall(SYS_eventfd2, 0, 0x2), EINVAL);
	return 0;
}
