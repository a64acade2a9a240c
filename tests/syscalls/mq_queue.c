//go:build ignore

/* mq_queue: POSIX message queues (mq_open, mq_unlink, mq_timedsend,
 * mq_timedreceive, mq_getsetattr): create/open/exclusive rules, names,
 * priorities (highest first, FIFO within one), attributes and their
 * limits, O_NONBLOCK (EAGAIN), absolute CLOCK_REALTIME timeouts
 * (ETIMEDOUT), EMSGSIZE/EBADF/EINVAL, blocked senders and receivers woken
 * by another process, EINTR, poll and epoll readiness, the status line a
 * read returns, fstat, RLIMIT_MSGQUEUE, and permissions as a non-root
 * uid. Natively it runs in the host's IPC namespace: names are unique to
 * the process and removed at exit, and none is printed. */
#include "common.h"
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

static char names[4][64];

static const char *qname(int i)
{
	if (!names[i][0])
		snprintf(names[i], sizeof names[i], "/moat-sc-mq-%d-%d", getpid(), i);
	return names[i];
}

static void cleanup(void)
{
	for (int i = 0; i < 4; i++)
		if (names[i][0])
			mq_unlink(names[i]);
}

static struct timespec in_ms(long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (ms % 1000) * 1000000;
	ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	return ts;
}

static void on_alarm(int sig) { (void)sig; }

static void opens(void)
{
	struct mq_attr a = {.mq_maxmsg = 4, .mq_msgsize = 16};
	ERR("open missing", mq_open(qname(0), O_RDWR), ENOENT);
	mqd_t q = mq_open(qname(0), O_RDWR | O_CREAT | O_EXCL, 0640, &a);
	OK("create", q >= 0);
	ERR("create O_EXCL again", mq_open(qname(0), O_RDWR | O_CREAT | O_EXCL, 0640, &a), EEXIST);
	mqd_t q2 = mq_open(qname(0), O_RDONLY | O_CREAT, 0600, NULL);
	OK("O_CREAT of an existing queue opens it", q2 >= 0);
	struct mq_attr g;
	OK("getattr", mq_getattr(q2, &g));
	EQ("attrs kept: maxmsg", g.mq_maxmsg, 4);
	EQ("attrs kept: msgsize", g.mq_msgsize, 16);
	EQ("curmsgs", g.mq_curmsgs, 0);
	EQ("flags", g.mq_flags, 0);
	ERR("O_ACCMODE 3 on an existing queue", syscall(SYS_mq_open, qname(0) + 1, 3, 0, NULL), EINVAL);
	ERR("name without slash (raw) with a slash inside", syscall(SYS_mq_open, "a/b", O_RDWR | O_CREAT, 0600, NULL), EACCES);
	ERR("name \"..\"", syscall(SYS_mq_open, "..", O_RDWR | O_CREAT, 0600, NULL), EACCES);
	char longname[300];
	memset(longname, 'x', sizeof longname);
	longname[256] = 0;
	ERR("256-byte name", syscall(SYS_mq_open, longname, O_RDWR | O_CREAT, 0600, NULL), ENAMETOOLONG);
	ERR("bad name pointer", syscall(SYS_mq_open, BADPTR, O_RDWR, 0, NULL), EFAULT);
	ERR("bad attr pointer", syscall(SYS_mq_open, qname(1) + 1, O_RDWR | O_CREAT, 0600, BADPTR), EFAULT);
	EQ("FD_CLOEXEC always set", fcntl(q, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	mqd_t q3 = mq_open(qname(0), O_WRONLY | O_CLOEXEC);
	EQ("O_CLOEXEC: FD_CLOEXEC set", fcntl(q3, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	EQ("F_GETFL access mode", fcntl(q3, F_GETFL) & O_ACCMODE, O_WRONLY);
	struct stat st;
	OK("fstat", fstat(q, &st));
	YES("S_ISREG", S_ISREG(st.st_mode));
	EQ("mode (umask 022)", st.st_mode & 07777, 0640);
	EQ("owner", st.st_uid, 0);
	char link[64], want[96];
	snprintf(link, sizeof link, "/proc/self/fd/%d", q);
	char target[128] = {0};
	OKQ(readlink(link, target, sizeof target - 1));
	YES("/proc/self/fd link is the name", strcmp(target, qname(0)) == 0);
	mq_close(q2);
	mq_close(q3);
	OK("unlink", mq_unlink(qname(0)));
	memset(target, 0, sizeof target);
	OKQ(readlink(link, target, sizeof target - 1));
	snprintf(want, sizeof want, "%s (deleted)", qname(0));
	YES("link after unlink is the name (deleted)", strcmp(target, want) == 0);
	ERR("unlink again", mq_unlink(qname(0)), ENOENT);
	ERR("open unlinked", mq_open(qname(0), O_RDWR), ENOENT);
	OK("unlinked queue still works: send", mq_send(q, "x", 1, 0));
	char buf[16];
	EQ("unlinked queue still works: receive", mq_receive(q, buf, sizeof buf, NULL), 1);
	mq_close(q);
	ERR("mq_close twice", mq_close(q), EBADF);
}

static void attrs(void)
{
	struct mq_attr a = {.mq_maxmsg = 0, .mq_msgsize = 16};
	ERR("maxmsg 0", mq_open(qname(1), O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a = (struct mq_attr){.mq_maxmsg = 4, .mq_msgsize = -1};
	ERR("msgsize -1", mq_open(qname(1), O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a = (struct mq_attr){.mq_maxmsg = 65537, .mq_msgsize = 16};
	ERR("maxmsg past HARD_MSGMAX", mq_open(qname(1), O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a = (struct mq_attr){.mq_maxmsg = 4, .mq_msgsize = 16 * 1024 * 1024 + 1};
	ERR("msgsize past HARD_MSGSIZEMAX", mq_open(qname(1), O_RDWR | O_CREAT, 0600, &a), EINVAL);
	mqd_t q = mq_open(qname(1), O_RDWR | O_CREAT, 0600, NULL);
	struct mq_attr g;
	OK("defaults", mq_getattr(q, &g));
	EQ("default maxmsg", g.mq_maxmsg, 10);
	EQ("default msgsize", g.mq_msgsize, 8192);
	struct mq_attr n = {.mq_flags = O_NONBLOCK}, old;
	OK("setattr O_NONBLOCK", mq_setattr(q, &n, &old));
	EQ("old flags", old.mq_flags, 0);
	OK("getattr", mq_getattr(q, &g));
	EQ("flags now", g.mq_flags, O_NONBLOCK);
	EQ("F_GETFL has O_NONBLOCK", fcntl(q, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	n.mq_flags = O_NONBLOCK | O_APPEND;
	ERR("setattr other flags", mq_setattr(q, &n, NULL), EINVAL);
	n = (struct mq_attr){.mq_flags = 0, .mq_maxmsg = 99};
	OK("setattr ignores maxmsg", mq_setattr(q, &n, NULL));
	OK("getattr", mq_getattr(q, &g));
	EQ("maxmsg unchanged", g.mq_maxmsg, 10);
	EQ("flags cleared", g.mq_flags, 0);
	ERR("getattr of a pipe", ({ int p[2]; pipe(p); mq_getattr(p[0], &g); }), EBADF);
	ERR("getattr of -1", mq_getattr(-1, &g), EBADF);
	mq_close(q);
	mq_unlink(qname(1));
}

static void order(void)
{
	struct mq_attr a = {.mq_maxmsg = 8, .mq_msgsize = 16};
	mqd_t q = mq_open(qname(1), O_RDWR | O_CREAT | O_NONBLOCK, 0600, &a);
	OK("send a/1", mq_send(q, "a", 1, 1));
	OK("send b/5", mq_send(q, "bb", 2, 5));
	OK("send c/1", mq_send(q, "ccc", 3, 1));
	OK("send d/0", mq_send(q, "dddd", 4, 0));
	OK("send e/5", mq_send(q, "eeeee", 5, 5));
	OK("send f/32767", mq_send(q, "f", 1, 32767));
	ERR("prio 32768", mq_send(q, "x", 1, 32768), EINVAL);
	ERR("17 bytes", mq_send(q, "0123456789abcdefg", 17, 0), EMSGSIZE);
	char st[128];
	int n = read(q, st, sizeof st - 1);
	YES("status read", n > 0);
	st[n > 0 ? n : 0] = 0;
	printf("status: %s", st);
	struct mq_attr g;
	mq_getattr(q, &g);
	EQ("curmsgs", g.mq_curmsgs, 6);
	char buf[16];
	ERR("receive into 15 bytes", mq_receive(q, buf, 15, NULL), EMSGSIZE);
	for (int i = 0; i < 6; i++) {
		unsigned prio = 99;
		memset(buf, 0, sizeof buf);
		ssize_t r = mq_receive(q, buf, sizeof buf, &prio);
		printf("received %s (%zd bytes) prio %u\n", buf, r, prio);
	}
	ERR("empty, O_NONBLOCK", mq_receive(q, buf, sizeof buf, NULL), EAGAIN);
	for (int i = 0; i < 8; i++)
		OKQ(mq_send(q, "m", 1, 0));
	ERR("full, O_NONBLOCK", mq_send(q, "m", 1, 0), EAGAIN);
	EQ("read at the end", read(q, st, sizeof st), 0);
	n = pread(q, st, sizeof st - 1, 0);
	st[n > 0 ? n : 0] = 0;
	printf("status full (pread): %s", st);
	EQ("pread at 6", pread(q, st, 5, 6), 5);
	st[5] = 0;
	SEQ("pread at 6", st, "8    ");
	mq_close(q);
	mqd_t r = mq_open(qname(1), O_RDONLY);
	ERR("send on O_RDONLY", mq_send(r, "m", 1, 0), EBADF);
	mqd_t w = mq_open(qname(1), O_WRONLY);
	ERR("receive on O_WRONLY", mq_receive(w, buf, sizeof buf, NULL), EBADF);
	ERR("send on a pipe", ({ int p[2]; pipe(p); mq_send(p[1], "m", 1, 0); }), EBADF);
	struct timespec bad = {.tv_sec = 0, .tv_nsec = 1000000000};
	ERR("bad timeout", mq_timedsend(w, "m", 1, 0, &bad), EINVAL);
	struct timespec past = {.tv_sec = 1};
	ERR("full, timeout in the past", mq_timedsend(w, "m", 1, 0, &past), ETIMEDOUT);
	struct timespec soon = in_ms(50);
	ERR("full, timeout 50 ms", mq_timedsend(w, "m", 1, 0, &soon), ETIMEDOUT);
	mq_close(r);
	mq_close(w);
	mq_unlink(qname(1));
}

static void blocking(void)
{
	struct mq_attr a = {.mq_maxmsg = 1, .mq_msgsize = 16};
	mqd_t q = mq_open(qname(2), O_RDWR | O_CREAT, 0600, &a);
	char buf[16];
	struct timespec soon = in_ms(50);
	ERR("empty, timeout 50 ms", mq_timedreceive(q, buf, sizeof buf, NULL, &soon), ETIMEDOUT);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		usleep(100000);
		mq_send(q, "wake", 4, 3);
		mq_send(q, "second", 6, 1); /* blocks until the parent takes one */
		_exit(0);
	}
	unsigned prio;
	memset(buf, 0, sizeof buf);
	EQ("blocked receive woken", mq_receive(q, buf, sizeof buf, &prio), 4);
	SEQ("text", buf, "wake");
	EQ("prio", prio, 3);
	memset(buf, 0, sizeof buf);
	EQ("blocked sender's message", mq_receive(q, buf, sizeof buf, &prio), 6);
	SEQ("text", buf, "second");
	int st;
	waitpid(c, &st, 0);
	EQ("child ok", st, 0);

	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	ERR("signal ends a blocked receive", mq_receive(q, buf, sizeof buf, NULL), EINTR);
	OKQ(mq_send(q, "x", 1, 0));
	alarm(1);
	ERR("signal ends a blocked send", mq_send(q, "y", 1, 0), EINTR);
	mq_close(q);
	mq_unlink(qname(2));
}

static void readiness(void)
{
	struct mq_attr a = {.mq_maxmsg = 2, .mq_msgsize = 16};
	mqd_t q = mq_open(qname(3), O_RDWR | O_CREAT | O_NONBLOCK, 0600, &a);
	struct pollfd p = {.fd = q, .events = POLLIN | POLLOUT};
	EQ("poll empty", poll(&p, 1, 0), 1);
	EQ("revents empty", p.revents, POLLOUT);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN}, out;
	OK("epoll_ctl add", epoll_ctl(ep, EPOLL_CTL_ADD, q, &ev));
	EQ("epoll empty", epoll_wait(ep, &out, 1, 0), 0);
	mq_send(q, "a", 1, 0);
	EQ("epoll after a send", epoll_wait(ep, &out, 1, 0), 1);
	EQ("epoll events", out.events, EPOLLIN);
	mq_send(q, "b", 1, 0);
	EQ("poll full", poll(&p, 1, 0), 1);
	EQ("revents full", p.revents, POLLIN);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		usleep(100000);
		char buf[16];
		mq_receive(q, buf, sizeof buf, NULL);
		_exit(0);
	}
	p.events = POLLOUT;
	EQ("poll waits for room", poll(&p, 1, 5000), 1);
	EQ("revents", p.revents, POLLOUT);
	waitpid(c, NULL, 0);
	close(ep);
	mq_close(q);
	mq_unlink(qname(3));
}

static void limits(void)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		struct rlimit rl = {.rlim_cur = 0, .rlim_max = 0};
		OKQ(setrlimit(RLIMIT_MSGQUEUE, &rl));
		ERR("RLIMIT_MSGQUEUE 0", mq_open(qname(1), O_RDWR | O_CREAT, 0600, NULL), EMFILE);
		struct mq_attr a = {.mq_maxmsg = 1, .mq_msgsize = 1};
		ERR("even for a tiny queue", mq_open(qname(1), O_RDWR | O_CREAT, 0600, &a), EMFILE);
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

static void unprivileged(void)
{
	mqd_t q = mq_open(qname(1), O_RDWR | O_CREAT, 0600, NULL);
	mqd_t q2 = mq_open(qname(2), O_RDWR | O_CREAT, 0604, NULL);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		OKQ(setgid(65534));
		OKQ(setuid(65534));
		ERR("other uid: open 0600 read", mq_open(qname(1), O_RDONLY), EACCES);
		ERR("other uid: open 0600 write", mq_open(qname(1), O_WRONLY), EACCES);
		mqd_t r = mq_open(qname(2), O_RDONLY);
		OK("other uid: open 0604 read", r >= 0);
		ERR("other uid: open 0604 write", mq_open(qname(2), O_WRONLY), EACCES);
		ERR("other uid: unlink root's queue", mq_unlink(qname(1)), EACCES);
		struct mq_attr a = {.mq_maxmsg = 11, .mq_msgsize = 16};
		ERR("other uid: maxmsg past msg_max", mq_open(qname(3), O_RDWR | O_CREAT, 0600, &a), EINVAL);
		a = (struct mq_attr){.mq_maxmsg = 10, .mq_msgsize = 8193};
		ERR("other uid: msgsize past msgsize_max", mq_open(qname(3), O_RDWR | O_CREAT, 0600, &a), EINVAL);
		mqd_t own = mq_open(qname(3), O_RDWR | O_CREAT, 0600, NULL);
		OK("other uid: create", own >= 0);
		struct stat st;
		fstat(own, &st);
		EQ("owner", st.st_uid, 65534);
		EQ("group", st.st_gid, 65534);
		OK("other uid: unlink its own", mq_unlink(qname(3)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	struct mq_attr a = {.mq_maxmsg = 11, .mq_msgsize = 8193};
	mqd_t big = mq_open(qname(3), O_RDWR | O_CREAT, 0600, &a);
	OK("root (CAP_SYS_RESOURCE): past msg_max and msgsize_max", big >= 0);
	mq_close(big);
	mq_close(q);
	mq_close(q2);
	mq_unlink(qname(1));
	mq_unlink(qname(2));
	mq_unlink(qname(3));
}

int main(void)
{
	atexit(cleanup);
	opens();
	attrs();
	order();
	blocking();
	readiness();
	limits();
	unprivileged();
	return 0;
}
