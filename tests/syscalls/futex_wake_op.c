//go:build ignore

/* futex_wake_op: FUTEX_WAKE_OP's operations on the second word (SET, ADD
 * with a negative operand, OR, ANDN, XOR, FUTEX_OP_OPARG_SHIFT), its
 * comparisons deciding the second wake, ENOSYS for an unknown operation
 * (word untouched) or comparison (word changed, nobody woken), EFAULT;
 * and the update is atomic against another thread's atomic adds. */
#include "common.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>

#define PRIV FUTEX_PRIVATE_FLAG

static _Atomic uint32_t w1, w2;

static long wake_op(_Atomic uint32_t *a, int n, int n2, _Atomic uint32_t *b, uint32_t op)
{
	return syscall(SYS_futex, a, FUTEX_WAKE_OP | PRIV, (long)n, (long)n2, b, (long)op);
}

static _Atomic int waiting;

static void *waiter(void *arg)
{
	_Atomic uint32_t *w = arg;
	atomic_fetch_add(&waiting, 1);
	while (syscall(SYS_futex, w, FUTEX_WAIT | PRIV, 0L, NULL, NULL, 0L) != 0 && errno == EINTR)
		;
	return NULL;
}

#define N 20000

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < N; i++)
		atomic_fetch_add(&w2, 1);
	return NULL;
}

int main(void)
{
	struct { const char *name; uint32_t start, op, want; } ops[] = {
		{"SET 5", 1, FUTEX_OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0), 5},
		{"ADD 3", 1, FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 0), 4},
		{"ADD -1", 1, FUTEX_OP(FUTEX_OP_ADD, 0xfff, FUTEX_OP_CMP_EQ, 0), 0},
		{"OR 6", 1, FUTEX_OP(FUTEX_OP_OR, 6, FUTEX_OP_CMP_EQ, 0), 7},
		{"ANDN 1", 3, FUTEX_OP(FUTEX_OP_ANDN, 1, FUTEX_OP_CMP_EQ, 0), 2},
		{"XOR 3", 1, FUTEX_OP(FUTEX_OP_XOR, 3, FUTEX_OP_CMP_EQ, 0), 2},
		{"OR 1<<20 (OPARG_SHIFT)", 1, FUTEX_OP((FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT), 20, FUTEX_OP_CMP_EQ, 0), 1 | (1 << 20)},
	};
	for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		w2 = ops[i].start;
		EQ(ops[i].name, wake_op(&w1, 1, 1, &w2, ops[i].op), 0);
		EQ("  word", w2, ops[i].want);
	}

	struct { const char *name; int cmp, arg; int hit; } cmps[] = {
		{"EQ 7", FUTEX_OP_CMP_EQ, 7, 1}, {"NE 7", FUTEX_OP_CMP_NE, 7, 0},
		{"LT 8", FUTEX_OP_CMP_LT, 8, 1}, {"LE 6", FUTEX_OP_CMP_LE, 6, 0},
		{"GT -1", FUTEX_OP_CMP_GT, 0xfff, 1}, {"GE 8", FUTEX_OP_CMP_GE, 8, 0},
	};
	pthread_t t[2];
	for (unsigned i = 0; i < sizeof cmps / sizeof cmps[0]; i++) {
		w1 = 0;
		w2 = 0;
		waiting = 0;
		OKQ(pthread_create(&t[0], NULL, waiter, (void *)&w1));
		OKQ(pthread_create(&t[1], NULL, waiter, (void *)&w2));
		while (waiting < 2)
			usleep(1000);
		usleep(50000); /* let both block */
		/* The old value 7 is compared; the word becomes 7 too (SET). */
		w2 = 7;
		uint32_t op = FUTEX_OP(FUTEX_OP_SET, 7, cmps[i].cmp, cmps[i].arg);
		/* w2 is 7, not 0: its waiter is not woken by a changed word,
		 * only by the second wake. */
		long r = wake_op(&w1, 1, 1, &w2, op);
		printf("old 7 %s: woke %ld\n", cmps[i].name, r);
		EQ("  as the comparison says", r, 1 + cmps[i].hit);
		OKQ(pthread_join(t[0], NULL));
		if (!cmps[i].hit)
			syscall(SYS_futex, &w2, FUTEX_WAKE | PRIV, 1L, NULL, NULL, 0L);
		OKQ(pthread_join(t[1], NULL));
	}

	w2 = 1;
	ERR("unknown operation", wake_op(&w1, 1, 1, &w2, (5u << 28)), ENOSYS);
	EQ("  word untouched", w2, 1);
	ERR("unknown comparison", wake_op(&w1, 1, 1, &w2, FUTEX_OP(FUTEX_OP_SET, 9, 6, 0)), ENOSYS);
	EQ("  word changed", w2, 9);
	ERR("bad second word", wake_op(&w1, 1, 1, (_Atomic uint32_t *)8, FUTEX_OP(FUTEX_OP_SET, 1, 0, 0)), EFAULT);
	ERR("unaligned second word", wake_op(&w1, 1, 1, (_Atomic uint32_t *)((char *)&w2 + 1), FUTEX_OP(FUTEX_OP_SET, 1, 0, 0)), EINVAL);

	w2 = 0;
	pthread_t a;
	OKQ(pthread_create(&a, NULL, adder, NULL));
	for (int i = 0; i < N; i++)
		if (wake_op(&w1, 1, 1, &w2, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0x7ff)) < 0)
			FAIL("wake_op: %s", errname(errno));
	OKQ(pthread_join(a, NULL));
	EQ("WAKE_OP ADDs racing atomic adds lose none", w2, 2 * N);
	return 0;
}
