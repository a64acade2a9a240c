//go:build ignore

/* sysv_sem: System V semaphores (semget, semop, semtimedop, semctl):
 * values and the control commands, atomic multi-operation calls,
 * IPC_NOWAIT, blocking waits woken by other processes, signals (EINTR),
 * timeouts and removal (EIDRM), GETNCNT/GETZCNT, SEM_UNDO applied when the
 * process (not a thread) exits, limits against /proc/sys/kernel/sem,
 * /proc/sysvipc/sem, and permission errors as a non-root uid. Natively it
 * runs in the host's IPC namespace: no identifiers or keys are printed. */
#include "common.h"
#include <pthread.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *info;
};

static int id;

static int val(int n) { return semctl(id, n, GETVAL); }
static int setval(int n, int v) { return semctl(id, n, SETVAL, (union semun){.val = v}); }

static int op(int n, int delta, int flags)
{
	struct sembuf sb = {.sem_num = n, .sem_op = delta, .sem_flg = flags};
	return semop(id, &sb, 1);
}

/* wait_count waits until cmd (GETNCNT or GETZCNT) of semaphore n is want. */
static void wait_count(int n, int cmd, int want)
{
	while (semctl(id, n, cmd) != want) usleep(1000);
}

static int take_sem2(void) { return op(2, -1, 0) == 0 ? 0 : 10 + errno; }
static int wait_zero_sem1(void) { return op(1, 0, 0) == 0 ? 0 : 10 + errno; }

static void on_usr1(int sig) { (void)sig; }
static int interrupted(void)
{
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
	sigaction(SIGUSR1, &sa, NULL);
	/* semop is never restarted, even with SA_RESTART. */
	return op(2, -1, 0) == -1 && errno == EINTR ? 0 : 1;
}
static int stopped(void) { return op(2, -1, 0) == -1 && errno == EINTR ? 0 : 1; }
static int removed(void) { return op(2, -1, 0) == -1 && errno == EIDRM ? 0 : 1; }

static int undo_up3(void) { return op(0, 3, SEM_UNDO); }
static int undo_mixed(void) { return op(0, 2, SEM_UNDO) | op(0, -1, 0); }
static int undo_down(void) { return op(0, -1, SEM_UNDO); }
static int undo_then_setval(void) { return op(0, 4, SEM_UNDO) | setval(0, 10); }
static void *thread_up(void *arg) { (void)arg; op(0, 1, SEM_UNDO); return NULL; }
static int undo_in_thread(void)
{
	pthread_t th;
	pthread_create(&th, NULL, thread_up, NULL);
	pthread_join(th, NULL);
	return val(0); /* the thread's exit applied nothing */
}

/* counter_lock: four processes increment a counter in shared memory under
 * a semaphore used as a lock (with SEM_UNDO); no increment is lost. */
static void counter_lock(void)
{
	int lock = OKQ(semget(IPC_PRIVATE, 1, 0600));
	int mid = OKQ(shmget(IPC_PRIVATE, 4096, 0600));
	volatile long *counter = shmat(mid, NULL, 0);
	CHECK(counter != (void *)-1);
	struct sembuf up = {0, 1, SEM_UNDO}, down = {0, -1, SEM_UNDO};
	OKQ(semop(lock, &up, 1));
	fflush(stdout);
	for (int k = 0; k < 4; k++) {
		if (OKQ(fork()) == 0) {
			for (int i = 0; i < 1000; i++) {
				if (semop(lock, &down, 1) != 0) _exit(1);
				long v = *counter;
				if (i % 7 == 0) sched_yield();
				*counter = v + 1;
				if (semop(lock, &up, 1) != 0) _exit(1);
			}
			_exit(0);
		}
	}
	int st, bad = 0;
	while (wait(&st) > 0) bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	YES("four processes, one lock: no lost increment", !bad && *counter == 4000 && semctl(lock, 0, GETVAL) == 1);
	OKQ(semctl(lock, 0, IPC_RMID));
	OKQ(shmctl(mid, IPC_RMID, NULL));
	OKQ(shmdt((void *)counter));
}

static int unprivileged(void)
{
	int open_id = id;
	id = semget(getppid() * 64 + 5, 0, 0);
	CHECK(id >= 0);
	OKQ(setgid(65534));
	OKQ(setuid(65534));
	ERR("other uid: GETVAL of 0600", val(0), EACCES);
	ERR("other uid: SETVAL of 0600", setval(0, 1), EACCES);
	ERR("other uid: semop of 0600", op(0, 1, IPC_NOWAIT), EACCES);
	ERR("other uid: IPC_STAT of 0600", semctl(id, 0, IPC_STAT, (union semun){.buf = &(struct semid_ds){.sem_nsems = 0}}), EACCES);
	ERR("other uid: IPC_RMID", semctl(id, 0, IPC_RMID), EPERM);
	ERR("other uid: semget with 0600", semget(getppid() * 64 + 5, 0, 0600), EACCES);
	id = open_id;
	EQ("other uid: GETVAL of 0604", val(1), 0);
	OK("other uid: wait-for-zero needs only read", op(1, 0, IPC_NOWAIT));
	ERR("other uid: changing needs write", op(1, 1, IPC_NOWAIT), EACCES);
	return 0;
}

static void check_procfs(int want_nsems)
{
	FILE *f = fopen("/proc/sysvipc/sem", "r");
	CHECK(f != NULL);
	char line[256];
	CHECK(fgets(line, sizeof line, f) != NULL);
	YES("header", strstr(line, "key      semid perms      nsems") != NULL);
	int found = 0;
	while (fgets(line, sizeof line, f)) {
		int key, sid, nsems;
		unsigned mode;
		if (sscanf(line, "%d %d %o %d", &key, &sid, &mode, &nsems) == 4 && sid == id)
			found = nsems == want_nsems && mode == 0600;
	}
	fclose(f);
	YES("listed in /proc/sysvipc/sem", found);
}

int main(void)
{
	id = OK("semget IPC_PRIVATE", semget(IPC_PRIVATE, 3, 0600));
	struct semid_ds ds;
	OK("IPC_STAT", semctl(id, 0, IPC_STAT, (union semun){.buf = &ds}));
	YES("nsems mode times", ds.sem_nsems == 3 && ds.sem_perm.mode == 0600 && ds.sem_otime == 0 && ds.sem_ctime > 0);
	YES("owner", ds.sem_perm.uid == 0 && ds.sem_perm.cuid == 0 && ds.sem_perm.__key == 0);
	EQ("initial value", val(0), 0);
	OK("SETVAL", setval(0, 5));
	EQ("GETVAL", val(0), 5);
	YES("GETPID is the setter", semctl(id, 0, GETPID) == getpid());
	unsigned short all[3] = {1, 2, 3};
	OK("SETALL", semctl(id, 0, SETALL, (union semun){.array = all}));
	memset(all, 0, sizeof all);
	OK("GETALL", semctl(id, 0, GETALL, (union semun){.array = all}));
	YES("values 1 2 3", all[0] == 1 && all[1] == 2 && all[2] == 3);
	ERR("SETVAL past SEMVMX", setval(0, 32768), ERANGE);
	ERR("SETVAL negative", setval(0, -1), ERANGE);
	unsigned short big[3] = {1, 40000, 3};
	ERR("SETALL past SEMVMX", semctl(id, 0, SETALL, (union semun){.array = big}), ERANGE);
	ERR("GETVAL past the set", semctl(id, 3, GETVAL), EINVAL);
	ERR("GETALL bad pointer", semctl(id, 0, GETALL, (union semun){.array = BADPTR}), EFAULT);
	ERR("bad command", semctl(id, 0, 999), EINVAL);

	/* semop. */
	OK("decrement", op(0, -1, 0));
	EQ("value", val(0), 0);
	ERR("would block, IPC_NOWAIT", op(0, -1, IPC_NOWAIT), EAGAIN);
	ERR("wait for zero, IPC_NOWAIT", op(1, 0, IPC_NOWAIT), EAGAIN);
	struct sembuf two[2] = {{1, -1, 0}, {2, -10, IPC_NOWAIT}};
	ERR("all or nothing", semop(id, two, 2), EAGAIN);
	EQ("first operation undone", val(1), 2);
	struct sembuf seq[3] = {{1, 1, 0}, {1, -3, 0}, {1, 0, 0}};
	OK("operations apply in order", semop(id, seq, 3));
	EQ("value after the sequence", val(1), 0);
	ERR("beyond SEMVMX", op(2, 32767, 0), ERANGE);
	ERR("sem_num past the set", op(3, 1, 0), EFBIG);
	ERR("no operations", semop(id, two, 0), EINVAL);
	struct sembuf many[501];
	memset(many, 0, sizeof many);
	ERR("more than SEMOPM", semop(id, many, 501), E2BIG);
	ERR("bad pointer", semop(id, BADPTR, 1), EFAULT);
	ERR("bad id", semop(-1, two, 1), EINVAL);
	YES("otime set by semop", semctl(id, 0, IPC_STAT, (union semun){.buf = &ds}) == 0 && ds.sem_otime > 0);

	/* Blocking: woken by another process's change. */
	OKQ(setval(2, 0));
	pid_t c = fork_run(take_sem2);
	wait_count(2, GETNCNT, 1);
	EQ("GETNCNT while a child waits", semctl(id, 2, GETNCNT), 1);
	EQ("GETZCNT", semctl(id, 2, GETZCNT), 0);
	OK("increment wakes it", op(2, 1, 0));
	EQ("child took it", reap_exit(c), 0);
	EQ("value", val(2), 0);
	OKQ(setval(1, 1));
	c = fork_run(wait_zero_sem1);
	wait_count(1, GETZCNT, 1);
	EQ("GETZCNT while a child waits for zero", semctl(id, 1, GETZCNT), 1);
	OK("zero wakes it", setval(1, 0));
	EQ("child saw zero", reap_exit(c), 0);
	c = fork_run(interrupted);
	wait_count(2, GETNCNT, 1);
	OKQ(kill(c, SIGUSR1));
	EQ("a signal interrupts semop with EINTR", reap_exit(c), 0);
	EQ("no waiter left", semctl(id, 2, GETNCNT), 0);
	c = fork_run(stopped);
	wait_count(2, GETNCNT, 1);
	OKQ(kill(c, SIGSTOP));
	int wst;
	OKQ(waitpid(c, &wst, WUNTRACED));
	CHECK(WIFSTOPPED(wst));
	OKQ(kill(c, SIGCONT));
	EQ("a stop and continue end semop with EINTR, as on Linux", reap_exit(c), 0);

	counter_lock();

	/* semtimedop. */
	struct timespec ts = {0, 20 * 1000 * 1000};
	struct sembuf take = {2, -1, 0};
	ERR("semtimedop times out", semtimedop(id, &take, 1, &ts), EAGAIN);
	struct timespec bad = {0, 1000000000};
	ERR("bad timeout", semtimedop(id, &take, 1, &bad), EINVAL);
	ERR("timeout pointer", semtimedop(id, &take, 1, BADPTR), EFAULT);
	OKQ(setval(2, 1));
	OK("semtimedop that can proceed", semtimedop(id, &take, 1, &ts));

	/* SEM_UNDO. */
	OKQ(setval(0, 0));
	EQ("SEM_UNDO +3 in a child", reap_exit(fork_run(undo_up3)), 0);
	EQ("undone at its exit", val(0), 0);
	EQ("+2 with undo, -1 without", reap_exit(fork_run(undo_mixed)), 0);
	EQ("undo clamps at 0", val(0), 0);
	OKQ(setval(0, 5));
	EQ("-1 with undo", reap_exit(fork_run(undo_down)), 0);
	EQ("restored", val(0), 5);
	EQ("SETVAL clears the adjustment", reap_exit(fork_run(undo_then_setval)), 0);
	EQ("value stays", val(0), 10);
	OKQ(setval(0, 0));
	EQ("a thread's undo waits for the process", reap_exit(fork_run(undo_in_thread)), 1);
	EQ("applied when the process exits", val(0), 0);
	OK("own SEM_UNDO", op(0, 2, SEM_UNDO));
	EQ("a forked child inherits no adjustments", reap_exit(fork_run(undo_down)), 0);
	EQ("value", val(0), 2);

	/* Keys and limits. */
	key_t key = getpid() * 64 + 1;
	int kid = OK("IPC_CREAT|IPC_EXCL", semget(key, 2, IPC_CREAT | IPC_EXCL | 0600));
	YES("same key, same id", semget(key, 0, 0) == kid && semget(key, 2, 0) == kid);
	ERR("more semaphores than the set has", semget(key, 3, 0), EINVAL);
	ERR("IPC_EXCL", semget(key, 2, IPC_CREAT | IPC_EXCL), EEXIST);
	ERR("no semaphores", semget(IPC_PRIVATE, 0, 0600), EINVAL);
	ERR("missing key", semget(key + 1, 1, 0), ENOENT);
	char buf[128];
	CHECK(read_file("/proc/sys/kernel/sem", buf, sizeof buf) > 0);
	int msl, mns, opm, mni;
	CHECK(sscanf(buf, "%d %d %d %d", &msl, &mns, &opm, &mni) == 4);
	ERR("more than SEMMSL", semget(IPC_PRIVATE, msl + 1, 0600), EINVAL);
	struct seminfo si;
	YES("IPC_INFO", semctl(0, 0, IPC_INFO, (union semun){.info = &si}) >= 0);
	YES("IPC_INFO agrees with /proc/sys/kernel/sem", si.semmsl == msl && si.semmns == mns &&
	    si.semopm == opm && si.semmni == mni && si.semvmx == 32767);
	YES("SEM_INFO", semctl(0, 0, SEM_INFO, (union semun){.info = &si}) >= 0 && si.semusz >= 2 && si.semaem >= 5);
	YES("SEM_STAT of our index", semctl(id & 0x7fff, 0, SEM_STAT, (union semun){.buf = &ds}) == id);
	check_procfs(3);
	OKQ(semctl(kid, 0, IPC_RMID));

	/* IPC_SET. */
	ds.sem_perm.mode = 0604;
	ds.sem_perm.uid = 9;
	OK("IPC_SET", semctl(id, 0, IPC_SET, (union semun){.buf = &ds}));
	OK("IPC_STAT", semctl(id, 0, IPC_STAT, (union semun){.buf = &ds}));
	YES("mode and uid changed", ds.sem_perm.mode == 0604 && ds.sem_perm.uid == 9 && ds.sem_perm.cuid == 0);

	/* Permissions as another uid. */
	int priv = OKQ(semget(getpid() * 64 + 5, 1, IPC_CREAT | IPC_EXCL | 0600));
	OKQ(setval(1, 0));
	EQ("unprivileged child", reap_exit(fork_run(unprivileged)), 0);
	OKQ(semctl(priv, 0, IPC_RMID));

	/* Removal wakes waiters with EIDRM. */
	OKQ(setval(2, 0));
	c = fork_run(removed);
	wait_count(2, GETNCNT, 1);
	OK("IPC_RMID", semctl(id, 0, IPC_RMID));
	EQ("the waiter gets EIDRM", reap_exit(c), 0);
	ERR("gone", val(0), EINVAL);
	return 0;
}
