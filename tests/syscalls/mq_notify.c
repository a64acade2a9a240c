//go:build ignore

/* mq_notify: POSIX message queue notification: SIGEV_SIGNAL (si_code
 * SI_MESGQ, si_value, the sender's si_pid and si_uid), one-shot, only for
 * a message arriving on an empty queue, not while a receiver waits;
 * SIGEV_NONE; EBUSY for a second registration (even the owner's);
 * deregistration (a no-op for another process); close removes the
 * owner's registration; the status line's NOTIFY, SIGNO and NOTIFY_PID;
 * EINVAL and EBADF; SIGEV_THREAD through glibc (its netlink socket), and
 * the kernel's answers to a bad socket. Names are unique to the process
 * and removed at exit. */
#include "common.h"
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

static char name[64];

static void cleanup(void)
{
	if (name[0])
		mq_unlink(name);
}

static volatile sig_atomic_t got;
static siginfo_t info;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	info = *si;
	got++;
}

static void status(mqd_t q, const char *label)
{
	char st[128];
	int n = pread(q, st, sizeof st - 1, 0);
	CHECK(n > 0);
	st[n] = 0;
	/* NOTIFY_PID is a PID: print whether it is ours. */
	char *p = strstr(st, "NOTIFY_PID:");
	CHECK(p != NULL);
	int pid = atoi(p + 11);
	*p = 0;
	printf("%s: %sNOTIFY_PID is %s\n", label, st, pid == 0 ? "0" : pid == getpid() ? "ours" : "another");
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int thread_calls;
static long thread_value;

static void on_thread(union sigval v)
{
	pthread_mutex_lock(&mu);
	thread_calls++;
	thread_value = v.sival_int;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

int main(void)
{
	atexit(cleanup);
	snprintf(name, sizeof name, "/moat-sc-mqn-%d", getpid());
	struct mq_attr a = {.mq_maxmsg = 4, .mq_msgsize = 16};
	mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_NONBLOCK, 0600, &a);
	CHECK(q >= 0);
	struct sigaction sa = {.sa_sigaction = on_sig, .sa_flags = SA_SIGINFO};
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGRTMIN + 1, &sa, NULL);

	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1, .sigev_value.sival_int = 1234};
	status(q, "before");
	OK("register SIGEV_SIGNAL", mq_notify(q, &ev));
	status(q, "registered");
	ERR("register again (same process)", mq_notify(q, &ev), EBUSY);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		ERR("child: register", mq_notify(q, &ev), EBUSY);
		OK("child: deregister is a no-op", mq_notify(q, NULL));
		status(q, "child sees");
		fflush(stdout);
		OK("child: send", mq_send(q, "hi", 2, 0));
		fflush(stdout);
		_exit(0);
	}
	int st;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	EQ("signals", got, 1);
	EQ("si_signo", info.si_signo, SIGUSR1);
	EQ("si_code SI_MESGQ", info.si_code, SI_MESGQ);
	EQ("si_value", info.si_value.sival_int, 1234);
	YES("si_pid is the sender", info.si_pid == c);
	EQ("si_uid", info.si_uid, 0);
	status(q, "after firing (one-shot)");
	OK("register after firing", mq_notify(q, &ev));
	OK("send to a non-empty queue", mq_send(q, "x", 1, 0));
	EQ("no signal: the queue was not empty", got, 1);
	char buf[16];
	mq_receive(q, buf, sizeof buf, NULL);
	mq_receive(q, buf, sizeof buf, NULL);
	OK("send to the empty queue", mq_send(q, "y", 1, 0));
	EQ("signal", got, 2);
	mq_receive(q, buf, sizeof buf, NULL);

	/* A blocked receiver takes the message; the registration stays. */
	OK("register", mq_notify(q, &ev));
	fflush(stdout);
	c = fork();
	if (c == 0) {
		mqd_t r = mq_open(name, O_RDONLY);
		char b[16];
		_exit(mq_receive(r, b, sizeof b, NULL) == 1 ? 0 : 1);
	}
	usleep(200000);
	OK("send while a receiver waits", mq_send(q, "z", 1, 0));
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	EQ("receiver got it", st, 0);
	EQ("no signal", got, 2);
	status(q, "still registered");
	OK("deregister", mq_notify(q, NULL));
	status(q, "deregistered");
	OK("deregister again", mq_notify(q, NULL));

	/* SIGEV_NONE registers without a signal, once. */
	struct sigevent none = {.sigev_notify = SIGEV_NONE};
	OK("register SIGEV_NONE", mq_notify(q, &none));
	status(q, "SIGEV_NONE");
	ERR("busy", mq_notify(q, &ev), EBUSY);
	mq_send(q, "n", 1, 0);
	mq_receive(q, buf, sizeof buf, NULL);
	EQ("no signal", got, 2);
	OK("SIGEV_NONE was one-shot", mq_notify(q, &ev));

	/* Closing a descriptor of the queue drops the owner's registration. */
	mqd_t other = mq_open(name, O_RDONLY);
	mq_close(other);
	status(q, "after closing another descriptor");
	OK("register again", mq_notify(q, &ev));

	struct sigevent bad = {.sigev_notify = 99};
	mq_notify(q, NULL);
	ERR("bad sigev_notify", mq_notify(q, &bad), EINVAL);
	bad = (struct sigevent){.sigev_notify = SIGEV_SIGNAL, .sigev_signo = 65};
	ERR("bad signal", mq_notify(q, &bad), EINVAL);
	ERR("not a queue", mq_notify(1, &ev), EBADF);
	ERR("bad fd", mq_notify(-1, NULL), EBADF);
	ERR("bad sigevent pointer", syscall(SYS_mq_notify, q, BADPTR), EFAULT);

	/* SIGEV_THREAD as the kernel sees it: sigev_signo is a netlink
	 * socket, sigev_value points at a 32-byte cookie. */
	char cookie[32] = {0};
	struct sigevent kt = {.sigev_notify = SIGEV_THREAD, .sigev_signo = 0, .sigev_value.sival_ptr = cookie};
	ERR("SIGEV_THREAD: not a socket", syscall(SYS_mq_notify, q, &kt), ENOTSOCK);
	int us = socket(AF_UNIX, SOCK_DGRAM, 0);
	kt.sigev_signo = us;
	ERR("SIGEV_THREAD: not netlink", syscall(SYS_mq_notify, q, &kt), EINVAL);
	kt.sigev_signo = 999;
	ERR("SIGEV_THREAD: bad fd", syscall(SYS_mq_notify, q, &kt), EBADF);
	kt.sigev_value.sival_ptr = BADPTR;
	ERR("SIGEV_THREAD: bad cookie", syscall(SYS_mq_notify, q, &kt), EFAULT);
	int nl = socket(AF_NETLINK, SOCK_DGRAM, 0);
	CHECK(nl >= 0);
	memset(cookie, 'c', sizeof cookie);
	kt.sigev_signo = nl;
	kt.sigev_value.sival_ptr = cookie;
	OK("SIGEV_THREAD on a netlink socket", syscall(SYS_mq_notify, q, &kt));
	status(q, "SIGEV_THREAD");
	mq_send(q, "t", 1, 0);
	char got_cookie[64];
	EQ("cookie arrives", recv(nl, got_cookie, sizeof got_cookie, MSG_DONTWAIT), 32);
	EQ("last byte NOTIFY_WOKENUP", got_cookie[31], 1);
	YES("rest is the cookie", got_cookie[0] == 'c' && got_cookie[30] == 'c');
	mq_receive(q, buf, sizeof buf, NULL);
	OK("again", syscall(SYS_mq_notify, q, &kt));
	OK("deregister", mq_notify(q, NULL));
	EQ("removal tells the socket", recv(nl, got_cookie, sizeof got_cookie, MSG_DONTWAIT), 32);
	EQ("last byte NOTIFY_REMOVED", got_cookie[31], 2);
	close(nl);

	/* glibc's SIGEV_THREAD: a helper thread runs the function. */
	struct sigevent th = {.sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_thread, .sigev_value.sival_int = 77};
	OK("glibc SIGEV_THREAD", mq_notify(q, &th));
	mq_send(q, "g", 1, 0);
	pthread_mutex_lock(&mu);
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 10;
	while (thread_calls == 0 && pthread_cond_timedwait(&cv, &mu, &dl) == 0)
		;
	EQ("function ran once", thread_calls, 1);
	EQ("with the value", thread_value, 77);
	pthread_mutex_unlock(&mu);
	EQ("signals", got, 2);
	mq_close(q);
	return 0;
}
