//go:build ignore

/* nanosleep: nanosleep(2) and clock_nanosleep(2): relative and absolute
 * sleeps take at least the time asked, interruption by a signal (EINTR and
 * the remaining time), and EINVAL / EFAULT. */
#include "common.h"
#include <sys/time.h>
#include <time.h>

static long long now(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void on_alarm(int sig) { (void)sig; }

int main(void)
{
	struct timespec req = { 0, 20000000 }, rem;
	long long a = now(CLOCK_MONOTONIC);
	OK("nanosleep 20ms", syscall(SYS_nanosleep, &req, NULL));
	YES("slept >= 20ms", now(CLOCK_MONOTONIC) - a >= 20000000);
	struct timespec zero = { 0, 0 };
	OK("nanosleep 0", syscall(SYS_nanosleep, &zero, &rem));
	struct timespec bad = { 0, 1000000000 };
	ERR("nsec too big", syscall(SYS_nanosleep, &bad, NULL), EINVAL);
	struct timespec neg = { -1, 0 };
	ERR("negative seconds", syscall(SYS_nanosleep, &neg, NULL), EINVAL);
	ERR("bad request pointer", syscall(SYS_nanosleep, BADPTR, NULL), EFAULT);

	a = now(CLOCK_MONOTONIC);
	OK("clock_nanosleep MONOTONIC 20ms", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL));
	YES("slept >= 20ms", now(CLOCK_MONOTONIC) - a >= 20000000);
	OK("clock_nanosleep REALTIME 20ms", syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &req, NULL));
	long long target = now(CLOCK_MONOTONIC) + 30000000;
	struct timespec abs = { target / 1000000000, target % 1000000000 };
	OK("clock_nanosleep TIMER_ABSTIME", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL));
	YES("woke at or after the target", now(CLOCK_MONOTONIC) >= target);
	struct timespec past = { 1, 0 };
	a = now(CLOCK_MONOTONIC);
	OK("TIMER_ABSTIME in the past", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
	YES("returned at once", now(CLOCK_MONOTONIC) - a < 500000000);
	OK("clock_nanosleep BOOTTIME", syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &zero, NULL));
	ERR("clock_nanosleep bad clock", syscall(SYS_clock_nanosleep, 12345, 0, &req, NULL), EINVAL);
	ERR("clock_nanosleep thread CPU clock", syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL), EOPNOTSUPP);
	ERR("clock_nanosleep nsec too big", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
	ERR("clock_nanosleep bad pointer", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BADPTR, NULL), EFAULT);

	/* A signal interrupts a long sleep: EINTR and the time left. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	struct timespec longreq = { 10, 0 };
	memset(&rem, 0, sizeof rem);
	a = now(CLOCK_MONOTONIC);
	ERR("nanosleep interrupted", syscall(SYS_nanosleep, &longreq, &rem), EINTR);
	YES("woke early", now(CLOCK_MONOTONIC) - a < 5000000000LL);
	YES("remaining time reported", rem.tv_sec >= 5 && rem.tv_sec <= 10);
	setitimer(ITIMER_REAL, &it, NULL);
	memset(&rem, 0, sizeof rem);
	ERR("clock_nanosleep interrupted", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &longreq, &rem), EINTR);
	YES("remaining time reported", rem.tv_sec >= 5 && rem.tv_sec <= 10);
	setitimer(ITIMER_REAL, &it, NULL);
	target = now(CLOCK_MONOTONIC) + 10000000000LL;
	abs.tv_sec = target / 1000000000; abs.tv_nsec = target % 1000000000;
	memset(&rem, 0x55, sizeof rem);
	ERR("absolute sleep interrupted", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, &rem), EINTR);
	YES("rem untouched for absolute sleeps", rem.tv_sec == 0x5555555555555555LL);
	return 0;
}
