//go:build ignore

/* robust_futex: set_robust_list(2) at thread exit: a robust mutex its owner
 * left locked is handed to the next locker with EOWNERDEAD (the kernel
 * marks the futex FUTEX_OWNER_DIED and wakes a waiter), and
 * pthread_mutex_consistent makes it usable again. The same holds for a
 * process-shared robust mutex (plain and PTHREAD_PRIO_INHERIT) whose
 * owner execs: execve releases the old program's robust list. */
#include "common.h"
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

static pthread_mutex_t m;

static void *locker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	return NULL; /* exits holding the mutex */
}

static pthread_mutex_t *shared;
static int holding;

static void *shared_holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(shared);
	__atomic_store_n(&holding, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&m, &a);
	pthread_t t;
	OKQ(pthread_create(&t, NULL, locker, NULL));
	OKQ(pthread_join(t, NULL));
	int r = pthread_mutex_lock(&m);
	EQ("lock after the owner died", r, EOWNERDEAD);
	EQ("consistent", pthread_mutex_consistent(&m), 0);
	EQ("unlock", pthread_mutex_unlock(&m), 0);
	EQ("lock again", pthread_mutex_lock(&m), 0);
	EQ("unlock again", pthread_mutex_unlock(&m), 0);

	for (int pi = 0; pi < 2; pi++) {
		pthread_mutex_t *sm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		CHECK(sm != MAP_FAILED);
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
		if (pi)
			pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
		pthread_mutex_init(sm, &a);
		pid_t c = OKQ(fork());
		if (c == 0) {
			if (pthread_mutex_lock(sm) != 0)
				_exit(3);
			execl("/bin/true", "true", (char *)NULL);
			_exit(4);
		}
		int st;
		OKQ(waitpid(c, &st, 0));
		EQ("the child exec'd /bin/true", st, 0);
		EQ(pi ? "PI: lock after the owner exec'd" : "lock after the owner exec'd", pthread_mutex_lock(sm), EOWNERDEAD);
		EQ("consistent", pthread_mutex_consistent(sm), 0);
		EQ("unlock", pthread_mutex_unlock(sm), 0);
	}
	/* A thread holding process-shared robust mutexes when another
	 * thread calls exit_group. */
	for (int pi = 0; pi < 2; pi++) {
		pthread_mutex_t *sm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		CHECK(sm != MAP_FAILED);
		pthread_mutexattr_setprotocol(&a, pi ? PTHREAD_PRIO_INHERIT : PTHREAD_PRIO_NONE);
		pthread_mutex_init(sm, &a);
		shared = sm;
		pid_t c = OKQ(fork());
		if (c == 0) {
			pthread_t h;
			if (pthread_create(&h, NULL, shared_holder, NULL) != 0)
				_exit(3);
			while (!__atomic_load_n(&holding, __ATOMIC_SEQ_CST))
				usleep(1000);
			syscall(SYS_exit_group, 0);
		}
		int st;
		OKQ(waitpid(c, &st, 0));
		EQ("the child exited", st, 0);
		EQ(pi ? "PI: lock after its holder's process exited" : "lock after its holder's process exited", pthread_mutex_lock(sm), EOWNERDEAD);
		EQ("consistent", pthread_mutex_consistent(sm), 0);
		EQ("unlock", pthread_mutex_unlock(sm), 0);
	}
	return 0;
}
