//go:build ignore

/* clock: clock_gettime(2), clock_getres(2), gettimeofday(2) and time(2),
 * through the raw system call (not the vDSO) and through libc: clocks
 * move forward and agree with each other; EINVAL / EFAULT. */
#include "common.h"
#include <sys/time.h>
#include <time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void)
{
	static const struct { const char *name; clockid_t id; int hires; } clocks[] = {
		{ "CLOCK_REALTIME", CLOCK_REALTIME, 1 }, { "CLOCK_MONOTONIC", CLOCK_MONOTONIC, 1 },
		{ "CLOCK_PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID, 1 },
		{ "CLOCK_THREAD_CPUTIME_ID", CLOCK_THREAD_CPUTIME_ID, 1 },
		{ "CLOCK_MONOTONIC_RAW", CLOCK_MONOTONIC_RAW, 1 },
		{ "CLOCK_REALTIME_COARSE", CLOCK_REALTIME_COARSE, 0 },
		{ "CLOCK_MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE, 0 },
		{ "CLOCK_BOOTTIME", CLOCK_BOOTTIME, 1 },
	};
	char label[96];
	for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		struct timespec a, b, res;
		snprintf(label, sizeof label, "%s gettime", clocks[i].name);
		OK(label, syscall(SYS_clock_gettime, clocks[i].id, &a));
		OKQ(syscall(SYS_clock_gettime, clocks[i].id, &b));
		snprintf(label, sizeof label, "%s monotone", clocks[i].name);
		YES(label, ns(b) >= ns(a) || clocks[i].id == CLOCK_REALTIME || clocks[i].id == CLOCK_REALTIME_COARSE);
		YES("tv_nsec in range", a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
		snprintf(label, sizeof label, "%s getres", clocks[i].name);
		OK(label, syscall(SYS_clock_getres, clocks[i].id, &res));
		if (clocks[i].hires) {
			snprintf(label, sizeof label, "%s resolution 1ns", clocks[i].name);
			YES(label, res.tv_sec == 0 && res.tv_nsec == 1);
		} else {
			snprintf(label, sizeof label, "%s resolution <= 10ms", clocks[i].name);
			YES(label, res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000);
		}
	}
	OK("clock_getres NULL", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
	struct timespec t;
	ERR("gettime bad clock", syscall(SYS_clock_gettime, 12345, &t), EINVAL);
	ERR("gettime negative clock", syscall(SYS_clock_gettime, -1, &t), EINVAL);
	ERR("getres bad clock", syscall(SYS_clock_getres, 12345, &t), EINVAL);
	ERR("gettime bad buffer", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BADPTR), EFAULT);
	ERR("getres bad buffer", syscall(SYS_clock_getres, CLOCK_MONOTONIC, BADPTR), EFAULT);

	/* The vDSO path (libc) and the raw path agree. */
	struct timespec raw, vdso;
	OKQ(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &raw));
	OKQ(clock_gettime(CLOCK_MONOTONIC, &vdso));
	YES("libc monotonic >= raw monotonic", ns(vdso) >= ns(raw));
	YES("and within 1s", ns(vdso) - ns(raw) < 1000000000LL);

	struct timeval tv;
	struct timezone tz;
	OK("gettimeofday", syscall(SYS_gettimeofday, &tv, &tz));
	YES("tv_usec in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	OK("gettimeofday NULLs", syscall(SYS_gettimeofday, NULL, NULL));
	ERR("gettimeofday bad tv", syscall(SYS_gettimeofday, BADPTR, NULL), EFAULT);
	ERR("gettimeofday bad tz", syscall(SYS_gettimeofday, &tv, BADPTR), EFAULT);
	struct timespec rt;
	OKQ(syscall(SYS_clock_gettime, CLOCK_REALTIME, &rt));
	YES("gettimeofday agrees with CLOCK_REALTIME", rt.tv_sec - tv.tv_sec >= 0 && rt.tv_sec - tv.tv_sec <= 2);
	YES("after 2020", tv.tv_sec > 1577836800);

	time_t tt = 0;
	long r = syscall(SYS_time, &tt);
	YES("time returns and stores the same", r == (long)tt);
	YES("time agrees with gettimeofday", r - tv.tv_sec >= 0 && r - tv.tv_sec <= 2);
	YES("time(NULL)", syscall(SYS_time, NULL) >= r);
	YES("libc time", time(NULL) >= r);
	return 0;
}
