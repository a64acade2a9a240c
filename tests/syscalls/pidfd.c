//go:build ignore

/* pidfd: pidfd_open(2), pidfd_send_signal(2), pidfd_getfd(2),
 * waitid(P_PIDFD) and clone3's CLONE_PIDFD: a pidfd is close-on-exec,
 * polls readable once its process has exited (poll and epoll), names
 * it for signals until it is reaped (then ESRCH), and with
 * PIDFD_NONBLOCK waitid fails with EAGAIN instead of blocking. */
#include "common.h"
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int pidfd_open(pid_t pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }
static int send_signal(int fd, int sig, siginfo_t *info) { return syscall(SYS_pidfd_send_signal, fd, sig, info, 0); }

static int readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int n = poll(&p, 1, ms);
	return n == 1 && (p.revents & POLLIN);
}

static pid_t sleeper(void)
{
	pid_t c = fork();
	if (c < 0) FAIL("fork: %s", errname(errno));
	if (c == 0) {
		for (;;) pause();
	}
	return c;
}

static volatile pid_t thread_tid;

static void *idle_thread(void *a)
{
	(void)a;
	thread_tid = syscall(SYS_gettid);
	for (;;) pause();
	return NULL;
}

int main(void)
{
	siginfo_t si;
	int self = OK("pidfd_open(self)", pidfd_open(getpid(), 0));
	YES("close-on-exec", fcntl(self, F_GETFD) == FD_CLOEXEC);
	char link[64] = {0}, path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", self);
	OKQ(readlink(path, link, sizeof link - 1));
	SEQ("/proc/self/fd link", link, "anon_inode:[pidfd]");
	YES("self not readable", !readable(self, 0));
	OK("pidfd_send_signal(self, 0)", send_signal(self, 0, NULL));
	ERR("waitid(P_PIDFD, self)", waitid(P_PIDFD, self, &si, WEXITED), ECHILD);
	ERR("pidfd_open(0)", pidfd_open(0, 0), EINVAL);
	ERR("pidfd_open bad flags", pidfd_open(getpid(), 1), EINVAL);
	ERR("pidfd_open(no such pid)", pidfd_open(4000000, 0), ESRCH);
	ERR("pidfd_send_signal(not a pidfd)", send_signal(0, 0, NULL), EBADF);
	ERR("pidfd_send_signal unknown flags", syscall(SYS_pidfd_send_signal, self, 0, NULL, 0x100), EINVAL);

	pthread_t th;
	pthread_create(&th, NULL, idle_thread, NULL);
	while (!thread_tid) usleep(1000);
	ERR("pidfd_open(a thread)", pidfd_open(thread_tid, 0), ENOENT);

	/* pidfd_getfd: a duplicate of one of our own descriptors. */
	int p[2];
	OKQ(pipe(p));
	int dup = OK("pidfd_getfd", syscall(SYS_pidfd_getfd, self, p[1], 0));
	YES("getfd: close-on-exec", fcntl(dup, F_GETFD) == FD_CLOEXEC);
	OKQ(write(dup, "x", 1));
	char c;
	EQ("read through the duplicate", read(p[0], &c, 1), 1);
	ERR("pidfd_getfd(bad fd)", syscall(SYS_pidfd_getfd, self, 999, 0), EBADF);

	/* A child killed through its pidfd. */
	pid_t child = sleeper();
	int fd = OK("pidfd_open(child)", pidfd_open(child, 0));
	YES("running child not readable", !readable(fd, 0));
	OK("pidfd_send_signal(SIGTERM)", send_signal(fd, SIGTERM, NULL));
	YES("readable once it exits", readable(fd, 10000));
	YES("zombie still takes signal 0", send_signal(fd, 0, NULL) == 0);
	memset(&si, 0, sizeof si);
	OK("waitid(P_PIDFD)", waitid(P_PIDFD, fd, &si, WEXITED));
	YES("si_pid", si.si_pid == child);
	EQ("si_code", si.si_code, CLD_KILLED);
	EQ("si_status", si.si_status, SIGTERM);
	ERR("pidfd_send_signal after reaping", send_signal(fd, 0, NULL), ESRCH);
	ERR("waitid after reaping", waitid(P_PIDFD, fd, &si, WEXITED), ECHILD);
	YES("still readable after reaping", readable(fd, 0));
	close(fd);

	/* PIDFD_NONBLOCK and a queued siginfo. */
	child = sleeper();
	fd = OKQ(pidfd_open(child, PIDFD_NONBLOCK));
	ERR("waitid on a running child, PIDFD_NONBLOCK", waitid(P_PIDFD, fd, &si, WEXITED), EAGAIN);
	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	ERR("siginfo signo mismatch", send_signal(fd, SIGKILL, &si), EINVAL);
	si.si_code = SI_USER;
	ERR("forged SI_USER to another process", send_signal(fd, SIGUSR1, &si), EPERM);
	si.si_code = SI_QUEUE;
	OK("pidfd_send_signal with SI_QUEUE info", send_signal(fd, SIGUSR1, &si));
	int st;
	YES("waitpid", waitpid(child, &st, 0) == child);
	YES("killed by SIGUSR1", WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	close(fd);

	/* clone3 with CLONE_PIDFD, watched by epoll. */
	int cfd = -1;
	struct clone_args ca = {.flags = CLONE_PIDFD, .pidfd = (unsigned long)&cfd, .exit_signal = SIGCHLD};
	long r = syscall(SYS_clone3, &ca, sizeof ca);
	if (r == 0) {
		usleep(50000);
		_exit(3);
	}
	if (r < 0) FAIL("clone3: %s", errname(errno));
	YES("clone3 stored a pidfd", cfd > 2);
	YES("CLONE_PIDFD fd is close-on-exec", fcntl(cfd, F_GETFD) == FD_CLOEXEC);
	int ep = OKQ(epoll_create1(EPOLL_CLOEXEC));
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = cfd};
	OKQ(epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev));
	EQ("epoll_wait: the child exits", epoll_wait(ep, &ev, 1, 10000), 1);
	YES("epoll reports the pidfd", ev.data.fd == cfd && (ev.events & EPOLLIN));
	memset(&si, 0, sizeof si);
	OK("waitid(P_PIDFD) of the clone3 child", waitid(P_PIDFD, cfd, &si, WEXITED));
	EQ("exit status", si.si_status, 3);

	/* clone(2) with CLONE_PIDFD: the fd comes back through parent_tid. */
	int pfd = -1;
	r = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, NULL, &pfd, NULL, NULL);
	if (r == 0) _exit(4);
	if (r < 0) FAIL("clone: %s", errname(errno));
	YES("clone stored a pidfd", pfd > 2);
	YES("waitpid", waitpid(r, &st, 0) == r);
	EQ("exit status", WEXITSTATUS(st), 4);
	ERR("CLONE_PIDFD with CLONE_PARENT_SETTID", syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, NULL, &pfd, NULL, NULL), EINVAL);
	return 0;
}
