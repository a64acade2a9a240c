//go:build ignore

/* itimer_cpu: ITIMER_VIRTUAL and ITIMER_PROF count the process's CPU
 * time: while the program spins they deliver SIGVTALRM and SIGPROF (with
 * an interval, again and again), getitimer shows the time left and the
 * interval, a sleeping process uses no CPU time so its timer does not
 * fire, and setitimer(0) disarms. */
#include "common.h"
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t vt, prof;

static void on_vt(int s) { (void)s; vt++; }
static void on_prof(int s) { (void)s; prof++; }

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* spin burns CPU until *flag reaches n or 20 s pass. */
static int spin(volatile sig_atomic_t *flag, int n)
{
	double end = now() + 20;
	volatile unsigned long x = 0;
	while (*flag < n && now() < end)
		for (int i = 0; i < 100000; i++) x += i;
	return *flag >= n;
}

int main(void)
{
	signal(SIGVTALRM, on_vt);
	signal(SIGPROF, on_prof);
	struct itimerval v = {.it_value = {0, 30000}}, old;
	OK("setitimer(ITIMER_VIRTUAL, 30 ms)", setitimer(ITIMER_VIRTUAL, &v, NULL));
	struct itimerval g;
	OKQ(getitimer(ITIMER_VIRTUAL, &g));
	YES("getitimer: time left, no interval", g.it_value.tv_sec == 0 && g.it_value.tv_usec > 0 &&
	    g.it_value.tv_usec <= 50000 && g.it_interval.tv_usec == 0); /* Linux rounds up to a tick */
	YES("SIGVTALRM while spinning", spin(&vt, 1));
	OKQ(getitimer(ITIMER_VIRTUAL, &g));
	YES("one-shot: disarmed after firing", g.it_value.tv_sec == 0 && g.it_value.tv_usec == 0);

	v.it_interval.tv_usec = 20000;
	OK("setitimer(ITIMER_PROF, 30 ms, every 20 ms)", setitimer(ITIMER_PROF, &v, NULL));
	YES("SIGPROF three times while spinning", spin(&prof, 3));
	OK("disarm, getting the old setting", setitimer(ITIMER_PROF, &(struct itimerval){0}, &old));
	YES("old interval", old.it_interval.tv_sec == 0 && old.it_interval.tv_usec == 20000);
	int seen = prof;
	usleep(100000);
	YES("disarmed: no more SIGPROF", prof == seen);

	vt = 0;
	v = (struct itimerval){.it_value = {0, 20000}};
	OKQ(setitimer(ITIMER_VIRTUAL, &v, NULL));
	usleep(200000); /* sleeping uses no CPU time */
	YES("no SIGVTALRM while asleep", vt == 0);
	OKQ(setitimer(ITIMER_VIRTUAL, &(struct itimerval){0}, NULL));
	ERR("unknown timer", setitimer(7, &v, NULL), EINVAL);
	ERR("getitimer of an unknown timer", getitimer(7, &g), EINVAL);
	return 0;
}
