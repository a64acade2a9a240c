//go:build ignore

/* signalfd: signalfd(2)/signalfd4(2): reading pending signals as
 * signalfd_siginfo (thread-directed before process-directed), readiness
 * for poll and epoll, blocking reads woken by another process, a new mask
 * for an existing signalfd, and the errors. */
#include "common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

int main(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, NULL);
	int sf = OK("signalfd", signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC));
	YES("SFD_CLOEXEC", fcntl(sf, F_GETFD) == FD_CLOEXEC);
	struct signalfd_siginfo si[2];
	ERR("nothing pending", read(sf, si, sizeof si), EAGAIN);
	ERR("buffer under one record", read(sf, si, 100), EINVAL);
	struct pollfd p = { .fd = sf, .events = POLLIN };
	EQ("poll: not ready", poll(&p, 1, 0), 0);
	kill(getpid(), SIGUSR1);
	EQ("poll: ready", poll(&p, 1, 0), 1);
	int ep = OKQ(epoll_create1(0));
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 77 }, out[2];
	OKQ(epoll_ctl(ep, EPOLL_CTL_ADD, sf, &ev));
	EQ("epoll: ready", epoll_wait(ep, out, 2, 0), 1);
	raise(SIGUSR2);
	EQ("read two records", read(sf, si, sizeof si), 2 * (int)sizeof si[0]);
	EQ("thread-directed first", si[0].ssi_signo, SIGUSR2);
	EQ("its si_code", si[0].ssi_code, SI_TKILL);
	EQ("then process-directed", si[1].ssi_signo, SIGUSR1);
	EQ("its si_code", si[1].ssi_code, SI_USER);
	YES("sender pid", si[1].ssi_pid == (uint32_t)getpid());
	EQ("epoll: drained", epoll_wait(ep, out, 2, 0), 0);

	pid_t c = fork();
	if (c == 0) { usleep(30000); kill(getppid(), SIGUSR2); _exit(0); }
	EQ("epoll_wait woken by a signal", epoll_wait(ep, out, 2, 5000), 1);
	EQ("data", out[0].data.u64, 77);
	waitpid(c, NULL, 0);
	EQ("take it", read(sf, si, sizeof si), (int)sizeof si[0]);

	int blk = OKQ(signalfd(-1, &m, 0));
	c = fork();
	if (c == 0) { usleep(30000); kill(getppid(), SIGUSR1); _exit(0); }
	EQ("blocking read woken", read(blk, si, sizeof si), (int)sizeof si[0]);
	EQ("signo", si[0].ssi_signo, SIGUSR1);
	waitpid(c, NULL, 0);

	/* A spent one-shot item whose signal stays pending does not wake. */
	ev.events = EPOLLIN | EPOLLONESHOT;
	OKQ(epoll_ctl(ep, EPOLL_CTL_MOD, sf, &ev));
	raise(SIGUSR1);
	EQ("one-shot: reported", epoll_wait(ep, out, 2, 0), 1);
	EQ("one-shot: then quiet", epoll_wait(ep, out, 2, 50), 0);

	/* Edge-triggered: a new signal is an edge even while one is pending. */
	struct signalfd_siginfo drainbuf[4];
	while (read(sf, drainbuf, sizeof drainbuf) > 0)
		;
	ev.events = EPOLLIN | EPOLLET;
	OKQ(epoll_ctl(ep, EPOLL_CTL_MOD, sf, &ev));
	raise(SIGUSR1);
	EQ("edge: first signal", epoll_wait(ep, out, 2, 0), 1);
	EQ("edge: not again", epoll_wait(ep, out, 2, 0), 0);
	raise(SIGUSR2);
	EQ("edge: another signal", epoll_wait(ep, out, 2, 0), 1);
	raise(SIGUSR2);
	EQ("edge: the same one again is no news", epoll_wait(ep, out, 2, 0), 0);
	EQ("drain both", read(sf, drainbuf, sizeof drainbuf), 2 * (int)sizeof drainbuf[0]);

	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, SIGUSR2);
	EQ("new mask for an existing signalfd", signalfd(sf, &one, 0), sf);
	raise(SIGUSR1);
	ERR("SIGUSR1 no longer read", read(sf, si, sizeof si), EAGAIN);
	int pp[2];
	OKQ(pipe(pp));
	ERR("signalfd on a pipe", signalfd(pp[0], &one, 0), EINVAL);
	ERR("signalfd on a closed fd", signalfd(9999, &one, 0), EBADF);
	ERR("bad mask size", syscall(SYS_signalfd4, -1, &one, 4, 0), EINVAL);
	ERR("bad flags", syscall(SYS_signalfd4, -1, &one, 8, 1), EINVAL);
	ERR("bad mask pointer", syscall(SYS_signalfd4, -1, BADPTR, 8, 0), EFAULT);
	struct stat st;
	OKQ(fstat(sf, &st));
	EQ("anon inode mode", st.st_mode, 0600);
	ERR("fchmod", fchmod(sf, 0644), EOPNOTSUPP);
	char link[64];
	long n = OKQ(readlink("/proc/self/fd/3", link, sizeof link - 1));
	link[n] = 0;
	YES("fd link names it", strcmp(link, "anon_inode:[signalfd]") == 0 || sf != 3);
	return 0;
}
