//go:build ignore

/* getrusage_times: getrusage(2) and times(2): CPU time accrues while the
 * program computes, who values, and EINVAL / EFAULT. Absolute times
 * differ run to run, so only relations are printed. */
#include "common.h"
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>

static volatile unsigned long sink;

static long ms_between(struct timespec a, struct timespec b)
{
	return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

/* burn computes for at least ms milliseconds of CPU time, and fails if
 * the process CPU clock has not got there after 20 s of real time. */
static void burn(long ms)
{
	struct timespec a, b, wa, wb;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	clock_gettime(CLOCK_MONOTONIC, &wa);
	do {
		for (int i = 0; i < 100000; i++) sink += i * 7;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
		clock_gettime(CLOCK_MONOTONIC, &wb);
		if (ms_between(wa, wb) > 20000)
			FAIL("CLOCK_PROCESS_CPUTIME_ID advanced %ld ms in 20 s of computing", ms_between(a, b));
	} while (ms_between(a, b) < ms);
}

static long usec(struct timeval tv) { return tv.tv_sec * 1000000L + tv.tv_usec; }

int main(void)
{
	struct rusage r1, r2, rt, rc;
	OK("getrusage SELF", syscall(SYS_getrusage, RUSAGE_SELF, &r1));
	burn(200);
	OK("getrusage SELF again", syscall(SYS_getrusage, RUSAGE_SELF, &r2));
	long d = usec(r2.ru_utime) + usec(r2.ru_stime) - usec(r1.ru_utime) - usec(r1.ru_stime);
	YES("cpu time grew by >= 100ms", d >= 100000);
	YES("utime does not go back", usec(r2.ru_utime) >= usec(r1.ru_utime));
	YES("maxrss > 0", r2.ru_maxrss > 0);
	OK("getrusage THREAD", syscall(SYS_getrusage, RUSAGE_THREAD, &rt));
	YES("thread time <= process time", usec(rt.ru_utime) + usec(rt.ru_stime) <= usec(r2.ru_utime) + usec(r2.ru_stime) + 20000);
	OK("getrusage CHILDREN", syscall(SYS_getrusage, RUSAGE_CHILDREN, &rc));
	YES("no children: zero time", usec(rc.ru_utime) == 0 && usec(rc.ru_stime) == 0);
	ERR("getrusage bad who", syscall(SYS_getrusage, 42, &r1), EINVAL);
	ERR("getrusage bad buffer", syscall(SYS_getrusage, RUSAGE_SELF, BADPTR), EFAULT);

	struct tms t1, t2;
	long c1 = syscall(SYS_times, &t1);
	YES("times returns a tick count", c1 != -1);
	burn(200);
	long c2 = syscall(SYS_times, &t2);
	YES("elapsed ticks do not go back", c2 >= c1);
	YES("tms_utime+stime grew", (t2.tms_utime + t2.tms_stime) > (t1.tms_utime + t1.tms_stime));
	YES("no child time", t2.tms_cutime == 0 && t2.tms_cstime == 0);
	YES("times(NULL) works", syscall(SYS_times, NULL) >= c2);
	ERR("times bad buffer", syscall(SYS_times, BADPTR), EFAULT);
	YES("sysconf ticks per second is 100", sysconf(_SC_CLK_TCK) == 100);
	return 0;
}
