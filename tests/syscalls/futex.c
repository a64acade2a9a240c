//go:build ignore

/* futex: futex(2) WAIT / WAKE / WAIT_BITSET between threads: value
 * mismatch (EAGAIN), timeouts (ETIMEDOUT), wake counts, private futexes,
 * and EFAULT / EINVAL. */
#include "common.h"
#include <linux/futex.h>
#include <pthread.h>
#include <time.h>

static int32_t word;
static volatile int waiting, woken;

static long futex(int32_t *uaddr, int op, int32_t val, const struct timespec *ts, int32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, val3);
}

static void *waiter(void *arg)
{
	(void)arg;
	__atomic_store_n(&waiting, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 0)
		futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, 0);
	__atomic_store_n(&woken, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

int main(void)
{
	int32_t v = 5;
	ERR("WAIT with a different value", futex(&v, FUTEX_WAIT, 6, NULL, 0), EAGAIN);
	struct timespec ts = { 0, 20000000 };
	ERR("WAIT times out", futex(&v, FUTEX_WAIT_PRIVATE, 5, &ts, 0), ETIMEDOUT);
	EQ("WAKE with no waiters", futex(&v, FUTEX_WAKE, 1, NULL, 0), 0);
	ERR("WAIT unmapped address", futex((int32_t *)0x1000, FUTEX_WAIT, 0, NULL, 0), EFAULT);
	ERR("WAIT unaligned address", futex((int32_t *)((char *)&v + 1), FUTEX_WAIT, 0, NULL, 0), EINVAL);
	ERR("WAIT_BITSET with bitset 0", futex(&v, FUTEX_WAIT_BITSET, 5, NULL, 0), EINVAL);
	struct timespec badts = { 0, 1000000000 };
	ERR("WAIT bad timeout", futex(&v, FUTEX_WAIT, 5, &badts, 0), EINVAL);
	ERR("unknown op", futex(&v, 99, 0, NULL, 0), ENOSYS);

	/* WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	now.tv_nsec += 20000000;
	if (now.tv_nsec >= 1000000000) { now.tv_sec++; now.tv_nsec -= 1000000000; }
	ERR("WAIT_BITSET absolute deadline", futex(&v, FUTEX_WAIT_BITSET_PRIVATE, 5, &now, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);

	/* A thread waits; we wake it. */
	pthread_t t;
	if (pthread_create(&t, NULL, waiter, NULL) != 0) FAIL("pthread_create");
	while (!__atomic_load_n(&waiting, __ATOMIC_SEQ_CST)) sched_yield();
	struct timespec nap = { 0, 20000000 };
	nanosleep(&nap, NULL);
	__atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
	long total = 0;
	for (int i = 0; i < 200 && !__atomic_load_n(&woken, __ATOMIC_SEQ_CST); i++) {
		total += futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, 0);
		nanosleep(&nap, NULL);
	}
	pthread_join(t, NULL);
	YES("waiter woke up", woken);
	YES("WAKE woke at most one waiter per call", total <= 200);
	return 0;
}
