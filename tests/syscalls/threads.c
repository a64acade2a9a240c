//go:build ignore

/* threads: clone(2) with the flags pthreads use: threads share the pid
 * and have their own tid, share memory and descriptors, see each other in
 * /proc/self/task, get thread-directed signals (tgkill), and a thread's
 * exit does not end the process. Also a raw clone with CLONE_VM but no
 * CLONE_THREAD (a separate process sharing memory). */
#include "common.h"
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>

#define N 4

static long main_pid;
static volatile long tids[N];
static volatile int usr1_tid_ok;
static int shared_counter;
static pthread_barrier_t barrier;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_tid_ok = syscall(SYS_gettid) == tids[2];
}

static void *worker(void *arg)
{
	long i = (long)arg;
	tids[i] = syscall(SYS_gettid);
	__atomic_add_fetch(&shared_counter, 1, __ATOMIC_SEQ_CST);
	pthread_barrier_wait(&barrier); /* all started */
	pthread_barrier_wait(&barrier); /* main has looked */
	return (void *)(i * 10);
}

static char child_stack[64 * 1024] __attribute__((aligned(16)));
static volatile int vm_child_wrote;

static int vm_child(void *arg)
{
	(void)arg;
	vm_child_wrote = 1;
	return 9;
}

int main(void)
{
	main_pid = getpid();
	signal(SIGUSR1, on_usr1);
	pthread_barrier_init(&barrier, NULL, N + 1);
	pthread_t th[N];
	for (long i = 0; i < N; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) FAIL("pthread_create");
	pthread_barrier_wait(&barrier);

	EQ("threads ran", shared_counter, N);
	int distinct = 1;
	for (int i = 0; i < N; i++) {
		if (tids[i] <= 0 || tids[i] == main_pid) distinct = 0;
		for (int j = 0; j < i; j++) if (tids[i] == tids[j]) distinct = 0;
	}
	YES("each thread has its own tid", distinct);
	YES("getpid is shared", getpid() == main_pid);

	/* /proc/self/task lists main + N threads; status says so too. */
	DIR *d = opendir("/proc/self/task");
	int ntask = 0;
	for (struct dirent *e; d && (e = readdir(d));) if (e->d_name[0] != '.') ntask++;
	if (d) closedir(d);
	EQ("tasks in /proc/self/task", ntask, N + 1);
	char buf[4096];
	OKQ(read_file("/proc/self/status", buf, sizeof buf));
	YES("status Threads: 5", strstr(buf, "\nThreads:\t5\n") != NULL);

	/* A signal sent to one thread runs its handler on that thread. */
	OK("tgkill thread 2", syscall(SYS_tgkill, main_pid, tids[2], SIGUSR1));
	struct timespec nap = { 0, 1000000 };
	for (int i = 0; i < 2000 && !usr1_tid_ok; i++) nanosleep(&nap, NULL);
	YES("handler ran on the target thread", usr1_tid_ok);
	ERR("tgkill a tid of another group", syscall(SYS_tgkill, main_pid + 1000000, tids[2], 0), ESRCH);

	pthread_barrier_wait(&barrier);
	long sum = 0;
	for (int i = 0; i < N; i++) {
		void *r;
		pthread_join(th[i], &r);
		sum += (long)r;
	}
	EQ("join results", sum, 60);
	for (int i = 0; i < 1000; i++) {
		d = opendir("/proc/self/task");
		ntask = 0;
		for (struct dirent *e; d && (e = readdir(d));) if (e->d_name[0] != '.') ntask++;
		if (d) closedir(d);
		if (ntask == 1) break;
		nanosleep(&nap, NULL);
	}
	EQ("tasks after join", ntask, 1);

	/* CLONE_VM without CLONE_THREAD: a new process sharing memory. */
	int c = clone(vm_child, child_stack + sizeof child_stack, CLONE_VM | SIGCHLD, NULL);
	YES("clone(CLONE_VM) made a process", c > 0 && c != main_pid);
	int st;
	YES("waitpid", waitpid(c, &st, 0) == c);
	EQ("its exit status", WEXITSTATUS(st), 9);
	YES("it wrote our memory", vm_child_wrote);
	ERR("CLONE_THREAD without CLONE_SIGHAND", syscall(SYS_clone, CLONE_THREAD | CLONE_VM, 0, NULL, NULL, 0), EINVAL);
	ERR("CLONE_SIGHAND without CLONE_VM", syscall(SYS_clone, CLONE_SIGHAND, 0, NULL, NULL, 0), EINVAL);
	return 0;
}
