//go:build ignore

/* posix_timers: timer_create(2), timer_settime(2), timer_gettime(2),
 * timer_delete(2): a periodic CLOCK_MONOTONIC timer delivers its signal with
 * SI_TIMER and the sigev_value; a deleted timer is gone. */
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
	return 0;
}
