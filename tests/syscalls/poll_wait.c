//go:build ignore

/* poll_wait: blocking poll(2), select(2), ppoll(2) and epoll_wait(2):
 * woken by another process and another thread, interrupted by signals
 * (EINTR even with SA_RESTART, as Linux does for these calls), ppoll's
 * temporary signal mask, select's time left, nested epoll instances and
 * the /proc names of event files. */
#include "common.h"
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/timerfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

static int efd;
static pthread_t main_thread;
static void on_signal(int s) { (void)s; }
static void *writer(void *a) { (void)a; usleep(20000); uint64_t v = 2; write(efd, &v, 8); return NULL; }
static void *killer(void *a) { (void)a; usleep(20000); pthread_kill(main_thread, SIGUSR1); return NULL; }

int main(void)
{
	int p[2];
	OKQ(pipe(p));
	pid_t c = fork();
	if (c == 0) { usleep(30000); write(p[1], "z", 1); _exit(0); }
	struct pollfd f = { .fd = p[0], .events = POLLIN };
	EQ("poll woken by a child", poll(&f, 1, 5000), 1);
	EQ("revents", f.revents, POLLIN);
	waitpid(c, NULL, 0);
	char z;
	OKQ(read(p[0], &z, 1));

	efd = OKQ(eventfd(0, 0));
	int ep = OKQ(epoll_create1(0));
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 5 }, out[4];
	OKQ(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
	c = fork();
	if (c == 0) { usleep(30000); uint64_t v = 9; write(efd, &v, 8); _exit(0); }
	EQ("epoll_wait woken by a child", epoll_wait(ep, out, 4, 5000), 1);
	EQ("data", out[0].data.u64, 5);
	waitpid(c, NULL, 0);
	uint64_t v;
	EQ("eventfd read", (read(efd, &v, 8), v), 9);
	pthread_t t;
	pthread_create(&t, NULL, writer, NULL);
	EQ("epoll_wait woken by a thread", epoll_wait(ep, out, 4, 5000), 1);
	pthread_join(t, NULL);
	OKQ(read(efd, &v, 8));

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	ualarm(20000, 0);
	ERR("poll interrupted", poll(&f, 1, 5000), EINTR);
	ualarm(20000, 0);
	ERR("epoll_wait interrupted", epoll_wait(ep, out, 4, 5000), EINTR);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timeval tv = { 5, 0 };
	ualarm(20000, 0);
	ERR("select interrupted", select(p[0] + 1, &r, NULL, NULL, &tv), EINTR);
	YES("select wrote the time left", tv.tv_sec < 5);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	ualarm(20000, 0);
	ERR("poll interrupted despite SA_RESTART", poll(&f, 1, 5000), EINTR);
	ualarm(20000, 0);
	ERR("epoll_wait interrupted despite SA_RESTART", epoll_wait(ep, out, 4, 5000), EINTR);
	main_thread = pthread_self();
	pthread_create(&t, NULL, killer, NULL);
	ERR("poll interrupted by pthread_kill", poll(&f, 1, 5000), EINTR);
	pthread_join(t, NULL);

	/* ppoll's mask is in force for the wait only. */
	sigset_t block, empty, cur, pend;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	ualarm(10000, 0);
	struct timespec ts = { 0, 60000000 };
	EQ("ppoll with SIGALRM blocked times out", ppoll(&f, 1, &ts, &block), 0);
	sigpending(&pend);
	YES("SIGALRM pending", sigismember(&pend, SIGALRM));
	ERR("ppoll with an empty mask takes it", ppoll(&f, 1, &ts, &empty), EINTR);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	YES("mask back after the handler", sigismember(&cur, SIGALRM));
	sigprocmask(SIG_UNBLOCK, &block, NULL);

	/* Edge-triggered: nothing new since the last read. */
	ev.events = EPOLLIN | EPOLLET;
	OKQ(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
	EQ("nothing yet", epoll_wait(ep, out, 4, 0), 0);

	/* Nested instances; poll on an epoll fd. */
	int outer = OKQ(epoll_create1(0));
	struct epoll_event oev = { .events = EPOLLIN, .data.u64 = 3 };
	OK("ADD an epoll into another", epoll_ctl(outer, EPOLL_CTL_ADD, ep, &oev));
	ERR("and back", epoll_ctl(ep, EPOLL_CTL_ADD, outer, &oev), ELOOP);
	EQ("outer: nothing", epoll_wait(outer, out, 4, 0), 0);
	v = 1;
	write(efd, &v, 8);
	EQ("outer: inner ready", epoll_wait(outer, out, 4, 0), 1);
	EQ("outer data", out[0].data.u64, 3);
	struct pollfd ip = { .fd = ep, .events = POLLIN };
	EQ("poll on an epoll fd", poll(&ip, 1, 0), 1);
	EQ("revents", ip.revents, POLLIN);
	close(efd);
	EQ("closing the fd removes the item", epoll_wait(ep, out, 4, 0), 0);

	/* What /proc/self/fd shows. */
	sigset_t m;
	sigemptyset(&m);
	int fds[4] = { OKQ(eventfd(0, 0)), ep, OKQ(timerfd_create(CLOCK_MONOTONIC, 0)), OKQ(signalfd(-1, &m, 0)) };
	for (int i = 0; i < 4; i++) {
		char path[64], link[64];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fds[i]);
		long n = OKQ(readlink(path, link, sizeof link - 1));
		link[n] = 0;
		printf("fd link: %s\n", link);
	}
	return 0;
}
