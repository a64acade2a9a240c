//go:build ignore

/* sched: sched_getaffinity(2), sched_setaffinity(2), the scheduling
 * policy calls (sched_setscheduler, sched_getparam, priority ranges) and
 * sched_yield(2). The number of CPUs is the host's business, so only
 * relations are printed. */
#include "common.h"
#include <sched.h>
#include <sys/wait.h>

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
	/* Affinity: narrowed to the first CPU of the mask, inherited. */
	int first = -1;
	for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
		if (CPU_ISSET(i, &set)) first = i;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	OK("sched_setaffinity one CPU", syscall(SYS_sched_setaffinity, 0, sizeof one, &one));
	OKQ(syscall(SYS_sched_getaffinity, 0, sizeof own, &own));
	YES("mask now that CPU", CPU_EQUAL(&own, &one));
	pid_t c = fork();
	if (c == 0) {
		cpu_set_t k;
		CPU_ZERO(&k);
		syscall(SYS_sched_getaffinity, 0, sizeof k, &k);
		_exit(CPU_EQUAL(&k, &one) ? 0 : 1);
	}
	int st;
	OKQ(waitpid(c, &st, 0));
	YES("a child inherits it", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cpu_set_t none;
	CPU_ZERO(&none);
	ERR("empty mask", syscall(SYS_sched_setaffinity, 0, sizeof none, &none), EINVAL);
	OKQ(syscall(SYS_sched_setaffinity, 0, sizeof set, &set));

	/* Policies. */
	EQ("sched_getscheduler", sched_getscheduler(0), SCHED_OTHER);
	struct sched_param sp = {0};
	OK("sched_getparam", sched_getparam(0, &sp));
	EQ("priority", sp.sched_priority, 0);
	EQ("max FIFO", sched_get_priority_max(SCHED_FIFO), 99);
	EQ("min RR", sched_get_priority_min(SCHED_RR), 1);
	EQ("max OTHER", sched_get_priority_max(SCHED_OTHER), 0);
	ERR("max of a bad policy", sched_get_priority_max(42), EINVAL);
	OK("SCHED_BATCH", sched_setscheduler(0, SCHED_BATCH, &sp));
	EQ("now", sched_getscheduler(0), SCHED_BATCH);
	OK("SCHED_IDLE", sched_setscheduler(0, SCHED_IDLE, &sp));
	EQ("now", sched_getscheduler(0), SCHED_IDLE);
	sp.sched_priority = 5;
	ERR("OTHER with a priority", sched_setscheduler(0, SCHED_OTHER, &sp), EINVAL);
	ERR("bad policy", sched_setscheduler(0, 42, &sp), EINVAL);
	ERR("NULL param", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
	ERR("missing pid", sched_getscheduler(0x3ffffff0), ESRCH);
	sp.sched_priority = 0;
	OK("back to SCHED_OTHER", sched_setscheduler(0, SCHED_OTHER, &sp));

	for (int i = 0; i < 100; i++)
		if (syscall(SYS_sched_yield) != 0) FAIL("sched_yield: %s", errname(errno));
	printf("sched_yield x100: ok\n");
	return 0;
}
