//go:build ignore

/* restart_syscall: a stop and SIGCONT (a signal that runs no handler)
 * interrupt nanosleep, a relative clock_nanosleep, poll and a timed
 * FUTEX_WAIT; each goes on through restart_syscall(2) with the time it
 * had left, not from scratch (a 2 s sleep stopped after 1 s ends near
 * 2 s, not 3 s). With an SA_RESTART handler those calls fail EINTR
 * (nanosleep with the time left), while a FUTEX_WAIT without timeout
 * restarts. restart_syscall with nothing to restart is EINTR. */
#include "common.h"
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int word;

/* scenario runs one interrupted call and returns its result code. */
static long scenario(int i)
{
	struct timespec two = {2, 0};
	int p[2];
	switch (i) {
	case 0:
		return syscall(SYS_nanosleep, &two, NULL);
	case 1:
		return syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &two, NULL);
	case 2:
		if (pipe(p))
			return -2;
		return poll(&(struct pollfd){.fd = p[0], .events = POLLIN}, 1, 2000);
	case 3:
		if (syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0L, &two, NULL, 0L) == -1 && errno == ETIMEDOUT)
			return 1;
		return -1;
	}
	return -3;
}

static const char *names[] = {"nanosleep", "clock_nanosleep", "poll", "futex wait"};

static void stopped_and_continued(void)
{
	enum { N = 4 };
	pid_t kids[N];
	int fds[N][2];
	for (int i = 0; i < N; i++) {
		OKQ(pipe(fds[i]));
		kids[i] = OKQ(fork());
		if (kids[i] == 0) {
			long long start = now_ms();
			long r = scenario(i);
			long long el = now_ms() - start;
			char msg[64];
			int n = snprintf(msg, sizeof msg, "%ld %lld", r, el);
			if (write(fds[i][1], msg, n) != n)
				_exit(2);
			_exit(0);
		}
	}
	usleep(1000000);
	for (int i = 0; i < N; i++)
		OKQ(kill(kids[i], SIGSTOP));
	for (int i = 0; i < N; i++) {
		int st;
		OKQ(waitpid(kids[i], &st, WUNTRACED));
		CHECK(WIFSTOPPED(st));
	}
	for (int i = 0; i < N; i++)
		OKQ(kill(kids[i], SIGCONT));
	for (int i = 0; i < N; i++) {
		int st;
		OKQ(waitpid(kids[i], &st, 0));
		char msg[64] = {0};
		OKQ(read(fds[i][0], msg, sizeof msg - 1));
		long r;
		long long el;
		CHECK(sscanf(msg, "%ld %lld", &r, &el) == 2);
		printf("%s across a stop: returns %ld\n", names[i], r);
		if (el < 2000 || el >= 2700)
			FAIL("%s took %lld ms, want 2000..2700 (the time left, not a new 2 s)", names[i], el);
		printf("%s took the time left: yes\n", names[i]);
	}
}

static volatile int handled;
static void on_alrm(int sig) { (void)sig; handled++; }

static void *waker(void *arg)
{
	(void)arg;
	usleep(300000);
	__atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1L, NULL, NULL, 0L);
	return NULL;
}

static void alarm_in(long ms)
{
	struct itimerval it = {.it_value = {ms / 1000, (ms % 1000) * 1000}};
	OKQ(setitimer(ITIMER_REAL, &it, NULL));
}

static void with_handler(void)
{
	struct sigaction sa = {.sa_handler = on_alrm, .sa_flags = SA_RESTART};
	OKQ(sigaction(SIGALRM, &sa, NULL));

	struct timespec one = {1, 0}, rem = {0, 0};
	alarm_in(100);
	ERR("nanosleep with an SA_RESTART handler", syscall(SYS_nanosleep, &one, &rem), EINTR);
	YES("rem holds the time left", rem.tv_sec == 0 && rem.tv_nsec > 100000000);
	alarm_in(100);
	ERR("relative clock_nanosleep with an SA_RESTART handler", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &one, NULL), EINTR);
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_sec += 1;
	alarm_in(100);
	ERR("absolute clock_nanosleep with an SA_RESTART handler", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL), EINTR);
	int p[2];
	OKQ(pipe(p));
	alarm_in(100);
	ERR("poll with an SA_RESTART handler", poll(&(struct pollfd){.fd = p[0], .events = POLLIN}, 1, 1000), EINTR);
	word = 0;
	alarm_in(100);
	ERR("timed FUTEX_WAIT with an SA_RESTART handler", syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0L, &one, NULL, 0L), EINTR);

	handled = 0;
	pthread_t t;
	OKQ(pthread_create(&t, NULL, waker, NULL));
	alarm_in(100);
	OK("FUTEX_WAIT without timeout restarts after the handler", syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0L, NULL, NULL, 0L));
	EQ("the handler ran", handled, 1);
	OKQ(pthread_join(t, NULL));

	ERR("restart_syscall with nothing to restart", syscall(SYS_restart_syscall), EINTR);
}

int main(void)
{
	stopped_and_continued();
	with_handler();
	return 0;
}
