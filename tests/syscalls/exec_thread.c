//go:build ignore

/* exec_thread: execve(2) from a multithreaded process. The other threads
 * die wherever they block (futex, nanosleep, read on a pipe, a join), the
 * exec'ing thread takes over the process ID even when it is not the
 * leader, the new program runs with one thread and its parent sees its
 * exit status under the same PID. A failed execve (ENOENT) leaves the
 * other threads running. The program re-executes itself as
 * "exec_thread child PID": only then is it a child, which never execs. */
#include "common.h"
#include <dirent.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>

static int pipefd[2];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static volatile int ready;

static int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	if (!d) return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') n++;
	closedir(d);
	return n;
}

static void *block_cond(void *a)
{
	(void)a;
	pthread_mutex_lock(&mu);
	__sync_fetch_and_add(&ready, 1);
	for (;;) pthread_cond_wait(&cond, &mu);
	return NULL;
}

static void *block_sleep(void *a)
{
	(void)a;
	__sync_fetch_and_add(&ready, 1);
	for (;;) sleep(100);
	return NULL;
}

static void *block_read(void *a)
{
	(void)a;
	char c;
	__sync_fetch_and_add(&ready, 1);
	for (;;) if (read(pipefd[0], &c, 1) == 0) break;
	return NULL;
}

static const char *self_pid;
static char self_exe[PATH_MAX];

static void *do_exec(void *a)
{
	const char *path = a;
	while (ready < 3) usleep(1000);
	usleep(20000); /* let them block */
	char *argv[] = {"exec_thread", "child", (char *)self_pid, NULL};
	char *envp[] = {"MOAT_TEST=syscalls", NULL};
	execve(path, argv, envp);
	return (void *)(long)errno;
}

static void *late_exec(void *a)
{
	usleep(50000);
	char buf[64];
	snprintf(buf, sizeof buf, "thread after the leader left: %s\n", count_tasks() > 0 ? "/proc/self/task readable" : "no /proc/self/task");
	if (write(1, buf, strlen(buf)) < 0) _exit(92);
	return do_exec(a);
}

static void start_blockers(void)
{
	pthread_t t;
	if (pipe(pipefd) != 0) FAIL("pipe: %s", errname(errno));
	ready = 0;
	pthread_create(&t, NULL, block_cond, NULL);
	pthread_create(&t, NULL, block_sleep, NULL);
	pthread_create(&t, NULL, block_read, NULL);
}

/* The scenarios run in a forked child, which execs itself; each names
 * the thread that execs. */
static void note_pid(void)
{
	static char pid[16];
	snprintf(pid, sizeof pid, "%d", getpid());
	self_pid = pid;
}

static void from_thread(void)
{
	start_blockers();
	pthread_t t;
	pthread_create(&t, NULL, do_exec, self_exe);
	pthread_join(t, NULL); /* the leader blocks here until killed */
	_exit(91);
}

static void from_leader(void)
{
	start_blockers();
	do_exec(self_exe);
	_exit(90);
}

/* after_leader_exit: the leader leaves with pthread_exit; the thread
 * left reads and writes memory, then execs. */
static void after_leader_exit(void)
{
	ready = 3;
	pthread_t t;
	pthread_create(&t, NULL, late_exec, self_exe);
	pthread_exit(NULL);
}

/* racing: eight threads exec at once; exactly one wins. */
static void racing(void)
{
	ready = 3;
	pthread_t t;
	for (int i = 0; i < 8; i++) pthread_create(&t, NULL, do_exec, self_exe);
	for (;;) pause();
}

static int run(void (*scenario)(void))
{
	pid_t c = fork();
	if (c < 0) FAIL("fork: %s", errname(errno));
	if (c == 0) {
		note_pid();
		scenario();
	}
	int st;
	if (waitpid(c, &st, 0) != c) FAIL("waitpid: %s", errname(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 200 + WTERMSIG(st);
}

static int child(const char *want_pid)
{
	YES("child: pid unchanged", getpid() == atoi(want_pid));
	YES("child: tid is pid", syscall(SYS_gettid) == getpid());
	EQ("child: threads", count_tasks(), 1);
	char comm[32] = {0};
	read_file("/proc/self/comm", comm, sizeof comm);
	comm[strcspn(comm, "\n")] = 0;
	SEQ("child: comm", comm, "exec_thread");
	sigset_t m;
	sigprocmask(SIG_BLOCK, NULL, &m);
	YES("child: no signal blocked", sigisemptyset(&m));
	return 7;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "child") == 0) return child(argv[2]);
	if (readlink("/proc/self/exe", self_exe, sizeof self_exe - 1) <= 0) FAIL("readlink: %s", errname(errno));

	EQ("exec from a non-leader thread: exit", run(from_thread), 7);
	EQ("exec from the leader with threads blocked: exit", run(from_leader), 7);
	EQ("exec after the leader's pthread_exit: exit", run(after_leader_exit), 7);
	EQ("eight threads exec at once: exit", run(racing), 7);

	/* A failed exec from a thread changes nothing. */
	start_blockers();
	while (ready < 3) usleep(1000);
	pthread_t t;
	void *r;
	pthread_create(&t, NULL, do_exec, "/nonexistent/prog");
	pthread_join(t, &r);
	SEQ("failed exec from a thread", errname((int)(long)r), "ENOENT");
	EQ("threads after the failed exec", count_tasks(), 4);
	return 0;
}
