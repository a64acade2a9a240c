//go:build ignore

/* exit_group: exit(2) ends only the calling thread; exit_group(2) from any
 * thread ends the whole process with the low 8 bits of its status. The
 * program's exit code must be 7. */
#include "common.h"
#include <pthread.h>

static volatile int thread_done;

static void *exits_alone(void *arg)
{
	(void)arg;
	thread_done = 1;
	syscall(SYS_exit, 99); /* ends this thread only */
	return NULL;
}

static void *ends_everything(void *arg)
{
	(void)arg;
	printf("thread calls exit_group(0x1307)\n");
	syscall(SYS_exit_group, 0x1307);
	printf("FAIL: exit_group returned\n");
	return NULL;
}

int main(void)
{
	pthread_t a, b;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&a, &attr, exits_alone, NULL) != 0) FAIL("pthread_create");
	while (!thread_done) sched_yield();
	struct timespec ts = { 0, 50000000 };
	nanosleep(&ts, NULL);
	printf("main alive after a thread's exit(99): yes\n");
	if (pthread_create(&b, &attr, ends_everything, NULL) != 0) FAIL("pthread_create");
	for (;;) pause();
}
