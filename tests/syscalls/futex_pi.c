//go:build ignore

/* futex_pi: priority-inheritance futexes. The raw protocol on the word
 * (FUTEX_LOCK_PI, LOCK_PI2, TRYLOCK_PI, UNLOCK_PI: owner TID,
 * FUTEX_WAITERS, FUTEX_OWNER_DIED; EDEADLK, EPERM, ESRCH, timeouts on
 * their clocks), handover to waiters in arrival order, an owner exiting
 * with and without waiters, FUTEX_WAIT_REQUEUE_PI / FUTEX_CMP_REQUEUE_PI
 * (a PI condition variable as glibc built them before 2.25), and glibc's
 * PTHREAD_PRIO_INHERIT mutexes: robust (EOWNERDEAD), error-checking,
 * contended by threads, and with a condition variable. */
#include "common.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif
#define PRIV FUTEX_PRIVATE_FLAG
#define TIDMASK FUTEX_TID_MASK

static long futex(_Atomic uint32_t *uaddr, int op, long val, const void *ts, _Atomic uint32_t *uaddr2, long val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static uint32_t tid(void) { return (uint32_t)syscall(SYS_gettid); }

static void nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* deadline returns now + ms on clock. */
static struct timespec deadline(clockid_t clock, long ms)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	ts.tv_nsec += (ms % 1000) * 1000000L;
	ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

/* lock and unlock as glibc does: cmpxchg in user space, the kernel only
 * under contention. */
static long pi_lock(_Atomic uint32_t *w)
{
	uint32_t z = 0;
	if (atomic_compare_exchange_strong(w, &z, tid()))
		return 0;
	return futex(w, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0);
}

static long pi_unlock(_Atomic uint32_t *w)
{
	uint32_t me = tid();
	if (atomic_compare_exchange_strong(w, &me, 0))
		return 0;
	return futex(w, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0);
}

static _Atomic uint32_t word;
static _Atomic int order[8], norder;
static _Atomic int started;

static void note(int i) { order[atomic_fetch_add(&norder, 1)] = i; }

/* ---- protocol on one word ---- */

static void *timed_locker(void *arg)
{
	(void)arg;
	struct timespec rt = deadline(CLOCK_REALTIME, 50);
	ERR("LOCK_PI times out on CLOCK_REALTIME", futex(&word, FUTEX_LOCK_PI | PRIV, 0, &rt, NULL, 0), ETIMEDOUT);
	struct timespec mono = deadline(CLOCK_MONOTONIC, 50);
	ERR("LOCK_PI2 times out on CLOCK_MONOTONIC", futex(&word, FUTEX_LOCK_PI2 | PRIV, 0, &mono, NULL, 0), ETIMEDOUT);
	rt = deadline(CLOCK_REALTIME, 50);
	ERR("LOCK_PI2|CLOCK_REALTIME times out", futex(&word, FUTEX_LOCK_PI2 | FUTEX_CLOCK_REALTIME | PRIV, 0, &rt, NULL, 0), ETIMEDOUT);
	struct timespec past = {1, 0};
	ERR("LOCK_PI with a past deadline", futex(&word, FUTEX_LOCK_PI | PRIV, 0, &past, NULL, 0), ETIMEDOUT);
	ERR("TRYLOCK_PI on a held lock", futex(&word, FUTEX_TRYLOCK_PI | PRIV, 0, NULL, NULL, 0), EAGAIN);
	ERR("UNLOCK_PI by a non-owner", futex(&word, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), EPERM);
	return NULL;
}

static void protocol(void)
{
	uint32_t me = tid();
	OK("TRYLOCK_PI on a free word", futex(&word, FUTEX_TRYLOCK_PI | PRIV, 0, NULL, NULL, 0));
	YES("the word holds the owner's TID", word == me);
	ERR("LOCK_PI by the owner", futex(&word, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), EDEADLK);
	ERR("TRYLOCK_PI by the owner", futex(&word, FUTEX_TRYLOCK_PI | PRIV, 0, NULL, NULL, 0), EDEADLK);
	ERR("LOCK_PI|FUTEX_CLOCK_REALTIME", futex(&word, FUTEX_LOCK_PI | FUTEX_CLOCK_REALTIME | PRIV, 0, NULL, NULL, 0), ENOSYS);
	ERR("TRYLOCK_PI|FUTEX_CLOCK_REALTIME", futex(&word, FUTEX_TRYLOCK_PI | FUTEX_CLOCK_REALTIME | PRIV, 0, NULL, NULL, 0), ENOSYS);
	pthread_t t;
	OKQ(pthread_create(&t, NULL, timed_locker, NULL));
	OKQ(pthread_join(t, NULL));
	YES("timed-out waiters leave FUTEX_WAITERS set", word == (me | FUTEX_WAITERS));
	OK("UNLOCK_PI with no waiter left", futex(&word, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0));
	EQ("the word after UNLOCK_PI", word, 0);
	ERR("UNLOCK_PI of a free word", futex(&word, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), EPERM);
	word = FUTEX_OWNER_DIED;
	OK("LOCK_PI takes a free word with FUTEX_OWNER_DIED", futex(&word, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0));
	YES("FUTEX_OWNER_DIED is kept", word == (me | FUTEX_OWNER_DIED));
	OK("UNLOCK_PI clears it", futex(&word, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0));
	EQ("the word after that", word, 0);

	const uint32_t nobody = 0x3ffffff0; /* above any pid_max */
	word = nobody;
	ERR("LOCK_PI on a word naming no thread", futex(&word, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), ESRCH);
	YES("FUTEX_WAITERS was set first", word == (nobody | FUTEX_WAITERS));
	word = 0;
	struct timespec bad = {0, 1000000000L};
	ERR("LOCK_PI with tv_nsec 1e9", futex(&word, FUTEX_LOCK_PI | PRIV, 0, &bad, NULL, 0), EINVAL);
	ERR("LOCK_PI with a bad timeout pointer", futex(&word, FUTEX_LOCK_PI | PRIV, 0, BADPTR, NULL, 0), EFAULT);
	ERR("LOCK_PI on a bad word", futex((_Atomic uint32_t *)8, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), EFAULT);
	ERR("UNLOCK_PI on a bad word", futex((_Atomic uint32_t *)8, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), EFAULT);
	ERR("LOCK_PI on an unaligned word", futex((_Atomic uint32_t *)((char *)&word + 1), FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), EINVAL);
	const uint32_t *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ERR("LOCK_PI on a read-only word", futex((_Atomic uint32_t *)ro, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), EFAULT);
	EQ("the read-only word", *ro, 0);
}

/* ---- handover in arrival order ---- */

static void *queued_locker(void *arg)
{
	int i = (int)(long)arg;
	atomic_fetch_add(&started, 1);
	if (futex(&word, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0) != 0)
		FAIL("LOCK_PI %d: %s", i, errname(errno));
	if ((word & TIDMASK) != tid() || !(word & FUTEX_WAITERS))
		FAIL("waiter %d got a word of %#x", i, (unsigned)word);
	note(i);
	if (futex(&word, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0) != 0)
		FAIL("UNLOCK_PI %d: %s", i, errname(errno));
	return NULL;
}

static void handover(void)
{
	OKQ(pi_lock(&word));
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		int want = i + 1;
		OKQ(pthread_create(&t[i], NULL, queued_locker, (void *)(long)i));
		while (started < want)
			nap(1);
		nap(100); /* let it block in LOCK_PI */
	}
	YES("contention set FUTEX_WAITERS", word == (tid() | FUTEX_WAITERS));
	ERR("FUTEX_WAKE on LOCK_PI waiters", futex(&word, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), EINVAL);
	OK("owner's UNLOCK_PI hands over", pi_unlock(&word));
	for (int i = 0; i < 4; i++)
		OKQ(pthread_join(t[i], NULL));
	printf("handover order: %d %d %d %d\n", order[0], order[1], order[2], order[3]);
	EQ("the word after the last unlock", word, 0);
}

/* ---- a signal while blocked in LOCK_PI: the handler runs, the wait
 * goes on (ERESTARTNOINTR, even without SA_RESTART) ---- */

static volatile int handled;
static void on_usr2(int sig) { (void)sig; handled++; }
static long sig_locker_ret;

static void *sig_locker(void *arg)
{
	(void)arg;
	atomic_fetch_add(&started, 1);
	sig_locker_ret = futex(&word, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0);
	if (sig_locker_ret == 0 && futex(&word, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0) != 0)
		FAIL("unlock after the signal: %s", errname(errno));
	return NULL;
}

static void signalled_waiter(void)
{
	struct sigaction sa = {.sa_handler = on_usr2};
	OKQ(sigaction(SIGUSR2, &sa, NULL));
	started = 0;
	OKQ(pi_lock(&word));
	pthread_t t;
	OKQ(pthread_create(&t, NULL, sig_locker, NULL));
	while (started < 1)
		nap(1);
	nap(100);
	OKQ(pthread_kill(t, SIGUSR2));
	nap(100);
	EQ("the waiter's handler ran", handled, 1);
	OK("unlock to the signalled waiter", pi_unlock(&word));
	OKQ(pthread_join(t, NULL));
	EQ("its LOCK_PI returned", sig_locker_ret, 0);
	EQ("word", word, 0);
}

/* ---- owner exits holding the lock ---- */

static _Atomic int holder_ready;

static void *exiting_holder(void *arg)
{
	long wait_for_waiter = (long)arg;
	if (pi_lock(&word) != 0)
		FAIL("holder lock: %s", errname(errno));
	holder_ready = 1;
	if (wait_for_waiter)
		nap(150);
	return NULL; /* exits holding the PI futex */
}

static void owner_died(void)
{
	pthread_t t;
	holder_ready = 0;
	OKQ(pthread_create(&t, NULL, exiting_holder, (void *)1L));
	while (!holder_ready)
		nap(1);
	OK("LOCK_PI waits for a holder that exits", futex(&word, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0));
	YES("waiter owns it with FUTEX_OWNER_DIED", word == (tid() | FUTEX_WAITERS | FUTEX_OWNER_DIED));
	OKQ(pthread_join(t, NULL));
	OK("UNLOCK_PI after owner death", pi_unlock(&word));
	EQ("word", word, 0);

	holder_ready = 0;
	OKQ(pthread_create(&t, NULL, exiting_holder, (void *)0L));
	OKQ(pthread_join(t, NULL));
	YES("a dead owner's TID stays in the word", word != 0 && !(word & FUTEX_WAITERS));
	uint32_t dead = word;
	ERR("LOCK_PI on a dead owner's word", futex(&word, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), ESRCH);
	YES("FUTEX_WAITERS set on it", word == (dead | FUTEX_WAITERS));
	word = 0;
}

/* ---- requeue-PI condition variable ---- */

static _Atomic uint32_t cond;

static void *cond_waiter(void *arg)
{
	int i = (int)(long)arg;
	uint32_t seq = cond;
	atomic_fetch_add(&started, 1);
	long r = futex(&cond, FUTEX_WAIT_REQUEUE_PI | PRIV, seq, NULL, &word, 0);
	if (r != 0)
		FAIL("WAIT_REQUEUE_PI %d: %s", i, errname(errno));
	if ((word & TIDMASK) != tid())
		FAIL("waiter %d returned without owning the PI futex (%#x)", i, (unsigned)word);
	note(i);
	if (pi_unlock(&word) != 0)
		FAIL("unlock %d: %s", i, errname(errno));
	return NULL;
}

static void start_cond_waiters(pthread_t *t, int n)
{
	started = 0;
	norder = 0;
	for (int i = 0; i < n; i++) {
		OKQ(pthread_create(&t[i], NULL, cond_waiter, (void *)(long)i));
		while (started < i + 1)
			nap(1);
		nap(100);
	}
}

static void requeue_pi(void)
{
	word = 0;
	cond = 0;
	ERR("CMP_REQUEUE_PI with nr_wake 2", futex(&cond, FUTEX_CMP_REQUEUE_PI | PRIV, 2, (void *)1L, &word, 0), EINVAL);
	ERR("CMP_REQUEUE_PI onto itself", futex(&cond, FUTEX_CMP_REQUEUE_PI | PRIV, 1, (void *)1L, &cond, 0), EINVAL);
	ERR("CMP_REQUEUE_PI with a stale value", futex(&cond, FUTEX_CMP_REQUEUE_PI | PRIV, 1, (void *)1L, &word, 5), EAGAIN);
	EQ("CMP_REQUEUE_PI with no waiters", futex(&cond, FUTEX_CMP_REQUEUE_PI | PRIV, 1, (void *)1L, &word, 0), 0);
	ERR("WAIT_REQUEUE_PI onto itself", futex(&cond, FUTEX_WAIT_REQUEUE_PI | PRIV, 0, NULL, &cond, 0), EINVAL);
	ERR("WAIT_REQUEUE_PI with a stale value", futex(&cond, FUTEX_WAIT_REQUEUE_PI | PRIV, 7, NULL, &word, 0), EAGAIN);
	struct timespec mono = deadline(CLOCK_MONOTONIC, 30);
	ERR("WAIT_REQUEUE_PI times out", futex(&cond, FUTEX_WAIT_REQUEUE_PI | PRIV, 0, &mono, &word, 0), ETIMEDOUT);
	struct timespec rt = deadline(CLOCK_REALTIME, 30);
	ERR("WAIT_REQUEUE_PI|CLOCK_REALTIME times out", futex(&cond, FUTEX_WAIT_REQUEUE_PI | FUTEX_CLOCK_REALTIME | PRIV, 0, &rt, &word, 0), ETIMEDOUT);

	/* Broadcast while the mutex is held: all are requeued, none woken. */
	pthread_t t[3];
	start_cond_waiters(t, 3);
	ERR("FUTEX_WAKE on WAIT_REQUEUE_PI waiters", futex(&cond, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), EINVAL);
	_Atomic uint32_t other = 0;
	ERR("FUTEX_CMP_REQUEUE of WAIT_REQUEUE_PI waiters", futex(&cond, FUTEX_CMP_REQUEUE | PRIV, 1, (void *)1L, &other, 0), EINVAL);
	OKQ(pi_lock(&word));
	cond = 1;
	EQ("broadcast to a held PI futex moves all 3", futex(&cond, FUTEX_CMP_REQUEUE_PI | PRIV, 1, (void *)(long)INT_MAX, &word, 1), 3);
	YES("they wait on it (FUTEX_WAITERS)", word == (tid() | FUTEX_WAITERS));
	OK("unlock hands it to the first", pi_unlock(&word));
	for (int i = 0; i < 3; i++)
		OKQ(pthread_join(t[i], NULL));
	printf("requeued order: %d %d %d\n", order[0], order[1], order[2]);
	EQ("word", word, 0);

	/* Signal with the mutex free: the first waiter takes it at once. */
	cond = 0;
	start_cond_waiters(t, 3);
	cond = 1;
	EQ("signal with the PI futex free wakes 1", futex(&cond, FUTEX_CMP_REQUEUE_PI | PRIV, 1, (void *)0L, &word, 1), 1);
	OKQ(pthread_join(t[0], NULL));
	EQ("the first returned owning it", norder, 1);
	EQ("and left it free", word, 0);
	EQ("wake 1 + requeue 1 with it free", futex(&cond, FUTEX_CMP_REQUEUE_PI | PRIV, 1, (void *)1L, &word, 1), 2);
	OKQ(pthread_join(t[1], NULL));
	OKQ(pthread_join(t[2], NULL));
	printf("signalled order: %d %d %d\n", order[0], order[1], order[2]);
	EQ("word", word, 0);
}

/* ---- glibc PTHREAD_PRIO_INHERIT mutexes ---- */

static pthread_mutex_t pm;
static pthread_cond_t pc = PTHREAD_COND_INITIALIZER;
static long counter;
static int queue_len, produced_done;

static void init_pi_mutex(pthread_mutex_t *m, int robust, int type)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	if (pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT) != 0)
		FAIL("PTHREAD_PRIO_INHERIT refused");
	if (robust)
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_settype(&a, type);
	if (pthread_mutex_init(m, &a) != 0)
		FAIL("pthread_mutex_init");
}

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		if (pthread_mutex_lock(&pm) != 0)
			FAIL("lock");
		long v = counter;
		if ((i & 63) == 0)
			sched_yield();
		counter = v + 1;
		if (pthread_mutex_unlock(&pm) != 0)
			FAIL("unlock");
	}
	return NULL;
}

static void *robust_holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pm);
	holder_ready = 1;
	nap((long)arg);
	return NULL; /* exits holding the robust PI mutex */
}

static void *consumer(void *arg)
{
	long *got = arg;
	pthread_mutex_lock(&pm);
	for (;;) {
		while (queue_len == 0 && !produced_done)
			pthread_cond_wait(&pc, &pm);
		if (queue_len == 0)
			break;
		queue_len--;
		(*got)++;
	}
	pthread_mutex_unlock(&pm);
	return NULL;
}

static void glibc_mutexes(void)
{
	init_pi_mutex(&pm, 0, PTHREAD_MUTEX_NORMAL);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		OKQ(pthread_create(&t[i], NULL, adder, NULL));
	for (int i = 0; i < 4; i++)
		OKQ(pthread_join(t[i], NULL));
	EQ("4 threads x 2000 increments under a PI mutex", counter, 8000);

	init_pi_mutex(&pm, 0, PTHREAD_MUTEX_ERRORCHECK);
	EQ("error-checking PI lock", pthread_mutex_lock(&pm), 0);
	EQ("relock by the owner", pthread_mutex_lock(&pm), EDEADLK);
	EQ("unlock", pthread_mutex_unlock(&pm), 0);
	EQ("unlock again", pthread_mutex_unlock(&pm), EPERM);

	init_pi_mutex(&pm, 1, PTHREAD_MUTEX_NORMAL);
	pthread_t h;
	holder_ready = 0;
	OKQ(pthread_create(&h, NULL, robust_holder, (void *)0L));
	OKQ(pthread_join(h, NULL));
	EQ("robust PI lock after its owner exited", pthread_mutex_lock(&pm), EOWNERDEAD);
	EQ("consistent", pthread_mutex_consistent(&pm), 0);
	EQ("unlock", pthread_mutex_unlock(&pm), 0);
	holder_ready = 0;
	OKQ(pthread_create(&h, NULL, robust_holder, (void *)150L));
	while (!holder_ready)
		nap(1);
	EQ("robust PI lock waiting for an owner that exits", pthread_mutex_lock(&pm), EOWNERDEAD);
	EQ("consistent", pthread_mutex_consistent(&pm), 0);
	EQ("unlock", pthread_mutex_unlock(&pm), 0);
	OKQ(pthread_join(h, NULL));
	EQ("lock again", pthread_mutex_lock(&pm), 0);
	EQ("unlock again", pthread_mutex_unlock(&pm), 0);

	init_pi_mutex(&pm, 0, PTHREAD_MUTEX_NORMAL);
	long got[3] = {0};
	for (int i = 0; i < 3; i++)
		OKQ(pthread_create(&t[i], NULL, consumer, &got[i]));
	for (int i = 0; i < 3000; i++) {
		pthread_mutex_lock(&pm);
		queue_len++;
		if (i % 3 == 0)
			pthread_cond_broadcast(&pc);
		else
			pthread_cond_signal(&pc);
		pthread_mutex_unlock(&pm);
	}
	pthread_mutex_lock(&pm);
	produced_done = 1;
	pthread_cond_broadcast(&pc);
	pthread_mutex_unlock(&pm);
	for (int i = 0; i < 3; i++)
		OKQ(pthread_join(t[i], NULL));
	EQ("condition variable on a PI mutex: items consumed", got[0] + got[1] + got[2], 3000);
}

/* ---- a process-shared PI mutex contended by two processes ---- */

struct shared_counter {
	pthread_mutex_t m;
	long n;
};

static void across_processes(void)
{
	struct shared_counter *sc = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(sc != MAP_FAILED);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	CHECK(pthread_mutex_init(&sc->m, &a) == 0);
	pid_t c = OKQ(fork());
	for (int i = 0; i < 2000; i++) {
		if (pthread_mutex_lock(&sc->m) != 0)
			FAIL("lock");
		long v = sc->n;
		if ((i & 63) == 0)
			sched_yield();
		sc->n = v + 1;
		if (pthread_mutex_unlock(&sc->m) != 0)
			FAIL("unlock");
	}
	if (c == 0)
		_exit(0);
	int st;
	OKQ(waitpid(c, &st, 0));
	EQ("the child's increments", st, 0);
	EQ("2 processes x 2000 increments under a shared PI mutex", sc->n, 4000);
}

int main(void)
{
	protocol();
	handover();
	signalled_waiter();
	owner_died();
	requeue_pi();
	glibc_mutexes();
	across_processes();
	return 0;
}
