//go:build ignore

/* posix_timers: timer_create(2), timer_settime(2), timer_gettime(2),
 * timer_delete(2): a periodic CLOCK_MONOTONIC timer delivers its signal with
 * SI_TIMER and the sigev_value; a deleted timer is gone; a
 * CLOCK_PROCESS_CPUTIME_ID timer fires once the process has used its CPU
 * time (while it spins), not while it sleeps. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static volatile int hits, valok;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; hits++; valok = si->si_value.sival_int == 42 && si->si_code == SI_TIMER; }
int main(void) {
	struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO;
	sigaction(SIGRTMIN, &sa, NULL);
	struct sigevent ev; memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL; ev.sigev_signo = SIGRTMIN; ev.sigev_value.sival_int = 42;
	timer_t t;
	if (timer_create(CLOCK_MONOTONIC, &ev, &t)) { perror("timer_create"); return 1; }
	struct itimerspec its = { {0, 20000000}, {0, 20000000} };
	timer_settime(t, 0, &its, NULL);
	while (hits < 3) pause();
	struct itimerspec cur; timer_gettime(t, &cur);
	printf("hits>=3: %d value ok: %d interval: %ld\n", hits >= 3, valok, cur.it_interval.tv_nsec);
	timer_delete(t);
	printf("gettime after delete fails: %d\n", timer_gettime(t, &cur) == -1);

	hits = 0;
	if (timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &t)) { perror("timer_create cpu"); return 1; }
	struct itimerspec cpu = { {0, 0}, {0, 30000000} };
	timer_settime(t, 0, &cpu, NULL);
	usleep(100000); /* asleep: no CPU time used */
	printf("CPU timer quiet while asleep: %d\n", hits == 0);
	timer_gettime(t, &cur);
	printf("CPU timer armed: %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0);
	struct timespec s0, s1;
	clock_gettime(CLOCK_MONOTONIC, &s0);
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 100000; i++) x += i;
		clock_gettime(CLOCK_MONOTONIC, &s1);
	} while (hits == 0 && s1.tv_sec - s0.tv_sec < 20);
	printf("CPU timer fired while spinning: %d value ok: %d\n", hits == 1, valok);
	timer_delete(t);
	return 0;
}
