//go:build ignore

/* robust_futex: set_robust_list(2) at thread exit: a robust mutex its owner
 * left locked is handed to the next locker with EOWNERDEAD (the kernel
 * marks the futex FUTEX_OWNER_DIED and wakes a waiter), and
 * pthread_mutex_consistent makes it usable again. */
#include "common.h"
#include <pthread.h>

static pthread_mutex_t m;

static void *locker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	return NULL; /* exits holding the mutex */
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
	return 0;
}
