//go:build ignore

/* cpu_clocks: CLOCK_THREAD_CPUTIME_ID is the calling thread's own CPU
 * time and CLOCK_PROCESS_CPUTIME_ID the whole process's: after the main
 * thread burns 200 ms of CPU, a thread that only slept has used far less
 * than that, the main thread at least most of it, and the process at
 * least as much as the main thread; clock_getcpuclockid(0) and
 * pthread_getcpuclockid(pthread_self()) name the same clocks. */
#include "common.h"
#include <pthread.h>
#include <time.h>

static long long cpu(clockid_t c)
{
	struct timespec ts;
	if (syscall(SYS_clock_gettime, c, &ts) != 0) FAIL("clock_gettime: %s", errname(errno));
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static volatile int go;
static long long idle_cpu;

static void *idle(void *a)
{
	(void)a;
	while (!go) usleep(1000);
	idle_cpu = cpu(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, idle, NULL);
	long long start = cpu(CLOCK_THREAD_CPUTIME_ID);
	volatile unsigned long x = 0;
	while (cpu(CLOCK_THREAD_CPUTIME_ID) - start < 200000000LL)
		for (int i = 0; i < 10000; i++) x += i;
	long long mine = cpu(CLOCK_THREAD_CPUTIME_ID);
	go = 1;
	pthread_join(t, NULL);
	long long proc = cpu(CLOCK_PROCESS_CPUTIME_ID);
	YES("the main thread used at least 200 ms", mine >= 200000000LL);
	YES("the sleeping thread used far less (< 50 ms)", idle_cpu < 50000000LL);
	YES("the process used at least the main thread's", proc >= mine - 10000000LL);

	/* The dynamic IDs of the caller's own process and thread clocks. */
	clockid_t pc, tc;
	OK("clock_getcpuclockid(0)", clock_getcpuclockid(0, &pc) == 0 ? 0 : -1);
	YES("it reads the process clock", cpu(pc) >= proc);
	OK("pthread_getcpuclockid(self)", pthread_getcpuclockid(pthread_self(), &tc) == 0 ? 0 : -1);
	YES("it reads this thread's clock", cpu(tc) >= mine);
	return 0;
}
