//go:build ignore

/* sched: sched_getaffinity(2) and sched_yield(2). The number of CPUs is
 * the host's business, so only relations are printed. */
#include "common.h"
#include <sched.h>

int main(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	long n = OK("sched_getaffinity", syscall(SYS_sched_getaffinity, 0, sizeof set, &set));
	YES("returns a size in bytes, multiple of 8", n > 0 && n % 8 == 0 && n <= (long)sizeof set);
	YES("at least one CPU", CPU_COUNT(&set) >= 1);
	cpu_set_t own;
	CPU_ZERO(&own);
	OK("sched_getaffinity own pid", syscall(SYS_sched_getaffinity, getpid(), sizeof own, &own));
	YES("same mask", CPU_EQUAL(&set, &own));
	OK("sched_getaffinity own tid", syscall(SYS_sched_getaffinity, syscall(SYS_gettid), sizeof own, &own));
	ERR("size too small", syscall(SYS_sched_getaffinity, 0, 1, &set), EINVAL);
	ERR("size not multiple of 8", syscall(SYS_sched_getaffinity, 0, 12, &set), EINVAL);
	ERR("bad buffer", syscall(SYS_sched_getaffinity, 0, sizeof set, BADPTR), EFAULT);
	ERR("missing pid", syscall(SYS_sched_getaffinity, 0x3ffffff0, sizeof set, &set), ESRCH);
	for (int i = 0; i < 100; i++)
		if (syscall(SYS_sched_yield) != 0) FAIL("sched_yield: %s", errname(errno));
	printf("sched_yield x100: ok\n");
	return 0;
}
