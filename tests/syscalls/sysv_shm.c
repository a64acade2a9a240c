//go:build ignore

/* sysv_shm: System V shared memory (shmget, shmat, shmdt, shmctl): one
 * segment seen at two addresses and across fork, nattch through fork,
 * exec and exit, SHM_RDONLY / SHM_RND / SHM_REMAP / address hints, keys
 * with IPC_CREAT / IPC_EXCL, IPC_STAT / IPC_SET / IPC_RMID while attached
 * (destroyed at the last detach), IPC_INFO against /proc/sys/kernel,
 * /proc/sysvipc/shm and /proc/self/maps, and permission errors as a
 * non-root uid. Natively this runs in the host's IPC namespace, so it
 * never prints identifiers or keys and uses keys made from its PID. */
#include "common.h"
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <linux/futex.h>
#include <sys/wait.h>

#define SIZE 10000
#define PG 4096

static struct shmid_ds stat_of(int id)
{
	struct shmid_ds ds;
	memset(&ds, 0, sizeof ds);
	OKQ(shmctl(id, IPC_STAT, &ds));
	return ds;
}

static long nattch(int id) { return (long)stat_of(id).shm_nattch; }

/* child_status runs fn in a child and returns its exit code. */
static int child_status(int (*fn)(int, void *), int id, void *p)
{
	fflush(stdout);
	pid_t pid = OKQ(fork());
	if (pid == 0) {
		int code = fn(id, p);
		fflush(stdout);
		_exit(code);
	}
	int st;
	OKQ(waitpid(pid, &st, 0));
	CHECK(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int child_writes(int id, void *p)
{
	(void)id;
	strcpy((char *)p + 100, "written by the child");
	return 0;
}

static int child_counts(int id, void *p)
{
	(void)p;
	return (int)nattch(id); /* the parent's attachments, inherited */
}

static int child_attaches_exits(int id, void *p)
{
	(void)p;
	return shmat(id, NULL, 0) == (void *)-1 ? 99 : 0;
}

/* child_futex waits on a futex word of the segment through an attachment
 * of its own, at another address than the parent's. */
static int child_futex(int id, void *p)
{
	(void)p;
	char *mine = (char *)shmat(id, NULL, 0);
	if (mine == (void *)-1) return 98;
	return syscall(SYS_futex, (int *)(mine + 8000), FUTEX_WAIT, 0, NULL, NULL, 0) == 0 ? 0 : 99;
}

static int child_unprivileged(int id, void *p)
{
	int open_id = *(int *)p;
	OKQ(setgid(65534));
	OKQ(setuid(65534));
	ERR("other uid: shmat 0600 segment", (long)shmat(id, NULL, 0), EACCES);
	ERR("other uid: IPC_STAT 0600 segment", shmctl(id, IPC_STAT, &(struct shmid_ds){0}), EACCES);
	ERR("other uid: IPC_RMID", shmctl(id, IPC_RMID, NULL), EPERM);
	ERR("other uid: IPC_SET", shmctl(open_id, IPC_SET, &(struct shmid_ds){0}), EPERM);
	ERR("other uid: SHM_LOCK", shmctl(id, SHM_LOCK, NULL), EPERM);
	ERR("other uid: shmget of a 0600 key", shmget(getppid() * 64 + 3, 0, 0600), EACCES);
	ERR("other uid: write attach of 0604", (long)shmat(open_id, NULL, 0), EACCES);
	char *r = (char *)shmat(open_id, NULL, SHM_RDONLY);
	YES("other uid: read-only attach of 0604", r != (void *)-1);
	SEQ("other uid reads", r, "open data");
	int mine = OK("other uid: own segment", shmget(IPC_PRIVATE, PG, 0600));
	struct shmid_ds ds;
	OKQ(shmctl(mine, IPC_STAT, &ds));
	YES("owner and creator are the uid", ds.shm_perm.uid == 65534 && ds.shm_perm.cuid == 65534 &&
	    ds.shm_perm.gid == 65534 && ds.shm_perm.cgid == 65534);
	OK("other uid: own IPC_RMID", shmctl(mine, IPC_RMID, NULL));
	return 0;
}

/* procfs_line finds the /proc/sysvipc/shm row of id and reads its size
 * and nattch. */
static int procfs_line(int id, unsigned long *size, unsigned long *natt)
{
	FILE *f = fopen("/proc/sysvipc/shm", "r");
	CHECK(f != NULL);
	char line[512];
	int found = 0;
	CHECK(fgets(line, sizeof line, f) != NULL);
	YES("header names the columns", strstr(line, "key      shmid perms") != NULL);
	while (fgets(line, sizeof line, f)) {
		int key, sid;
		unsigned mode, cpid, lpid;
		if (sscanf(line, "%d %d %o %lu %u %u %lu", &key, &sid, &mode, size, &cpid, &lpid, natt) == 7 && sid == id) {
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

static unsigned long sysctl_ul(const char *name)
{
	char path[64], buf[64];
	snprintf(path, sizeof path, "/proc/sys/kernel/%s", name);
	CHECK(read_file(path, buf, sizeof buf) > 0);
	return strtoul(buf, NULL, 10);
}

static int maps_has(const char *what)
{
	static char buf[65536];
	CHECK(read_file("/proc/self/maps", buf, sizeof buf) > 0);
	return strstr(buf, what) != NULL;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "nattch") == 0) {
		/* After execve: the process's attachments are gone. */
		return (int)nattch(atoi(argv[2]));
	}
	int id = OK("shmget IPC_PRIVATE", shmget(IPC_PRIVATE, SIZE, 0600));
	struct shmid_ds ds = stat_of(id);
	EQ("segsz", ds.shm_segsz, SIZE);
	YES("mode 0600", ds.shm_perm.mode == 0600);
	EQ("key", ds.shm_perm.__key, 0);
	EQ("nattch", ds.shm_nattch, 0);
	YES("cpid is the caller", ds.shm_cpid == getpid());
	YES("lpid and times unset", ds.shm_lpid == 0 && ds.shm_atime == 0 && ds.shm_dtime == 0 && ds.shm_ctime > 0);
	YES("uid gid cuid cgid", ds.shm_perm.uid == 0 && ds.shm_perm.gid == 0 && ds.shm_perm.cuid == 0 && ds.shm_perm.cgid == 0);

	char *a = (char *)shmat(id, NULL, 0);
	YES("shmat", a != (void *)-1);
	YES("page aligned", ((unsigned long)a & (PG - 1)) == 0);
	YES("zero filled", a[0] == 0 && a[SIZE - 1] == 0);
	EQ("nattch after attach", nattch(id), 1);
	ds = stat_of(id);
	YES("lpid and atime set", ds.shm_lpid == getpid() && ds.shm_atime > 0);
	char *b = (char *)shmat(id, NULL, 0);
	YES("second attach elsewhere", b != (void *)-1 && b != a);
	strcpy(a, "through a");
	SEQ("seen through b", b, "through a");
	strcpy(b + 5000, "through b");
	SEQ("seen through a", a + 5000, "through b");
	EQ("nattch two", nattch(id), 2);
	SEQ("last partial page usable", probe(a + 3 * PG - 1, PROBE_WRITE), "ok");
	YES("maps: /SYSV00000000 (deleted), shared", maps_has("rw-s 00000000 00:01") && maps_has("/SYSV00000000 (deleted)"));

	/* fork: the child's attachments count, and its writes are shared. */
	EQ("child sees nattch with its inherited attachments", child_status(child_counts, id, a), 4);
	EQ("child writes", child_status(child_writes, id, a), 0);
	SEQ("parent sees the child's write", b + 100, "written by the child");
	EQ("nattch after the child exits", nattch(id), 2);
	EQ("a child's own attach goes at exit", child_status(child_attaches_exits, id, NULL), 0);
	fflush(stdout);
	pid_t fw = OKQ(fork());
	if (fw == 0) _exit(child_futex(id, NULL));
	/* Wake through the parent's address until the waiter is reached: the
	 * futex is keyed by the segment, not the address. */
	while (syscall(SYS_futex, (int *)(a + 8000), FUTEX_WAKE, 1, NULL, NULL, 0) != 1) usleep(1000);
	int fst;
	OKQ(waitpid(fw, &fst, 0));
	EQ("futex wake across processes and addresses", WEXITSTATUS(fst), 0);
	EQ("nattch unchanged", nattch(id), 2);
	char self[32];
	snprintf(self, sizeof self, "%d", id);
	fflush(stdout);
	pid_t pid = OKQ(fork());
	if (pid == 0) {
		execl("/proc/self/exe", "sysv_shm", "nattch", self, (char *)NULL);
		_exit(127);
	}
	int st;
	OKQ(waitpid(pid, &st, 0));
	EQ("execve drops the attachments (nattch seen after exec)", WEXITSTATUS(st), 2);

	/* shmdt. */
	OK("shmdt b", shmdt(b));
	EQ("nattch one", nattch(id), 1);
	ERR("shmdt again", shmdt(b), EINVAL);
	ERR("shmdt unaligned", shmdt(a + 1), EINVAL);
	ERR("shmdt inside the segment", shmdt(a + PG), EINVAL);
	ERR("shmdt of non-shm memory", shmdt((void *)((unsigned long)self & ~(PG - 1UL))), EINVAL);
	ds = stat_of(id);
	YES("dtime set", ds.shm_dtime > 0);

	/* SHM_RDONLY. */
	char *ro = (char *)shmat(id, NULL, SHM_RDONLY);
	YES("SHM_RDONLY attach", ro != (void *)-1);
	SEQ("read-only view", ro, "through a");
	SEQ("write faults", probe(ro, PROBE_WRITE), "SIGSEGV/SEGV_ACCERR");
	ERR("mprotect writable", mprotect(ro, PG, PROT_READ | PROT_WRITE), EACCES);
	OK("shmdt read-only", shmdt(ro));

	/* Address hints, SHM_RND, SHM_REMAP. */
	char *hole = mmap(NULL, 8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hole != MAP_FAILED);
	OKQ(munmap(hole, 8 * PG));
	char *at = (char *)shmat(id, hole, 0);
	YES("attach at a free address", at == hole);
	SEQ("same data there", at, "through a");
	ERR("attach over a mapping", (long)shmat(id, hole, 0), EINVAL);
	ERR("unaligned without SHM_RND", (long)shmat(id, hole + 4 * PG + 123, 0), EINVAL);
	OKQ(shmdt(at));
	char *rnd = (char *)shmat(id, hole + 4 * PG + 123, SHM_RND);
	YES("SHM_RND rounds down", rnd == hole + 4 * PG);
	OKQ(shmdt(rnd));
	char *over = mmap(hole, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(over == hole);
	char *remap = (char *)shmat(id, hole, SHM_REMAP);
	YES("SHM_REMAP replaces a mapping", remap == hole && strcmp(remap, "through a") == 0);
	ERR("SHM_REMAP without an address", (long)shmat(id, NULL, SHM_REMAP), EINVAL);
	OKQ(shmdt(remap));
	/* A fragment left by munmap still detaches from its own address. */
	char *frag = (char *)shmat(id, NULL, 0);
	OKQ(munmap(frag, PG));
	EQ("nattch counts the fragment", nattch(id), 2);
	ERR("shmdt at the fragment's own start", shmdt(frag + PG), EINVAL);
	OK("shmdt at the attach address detaches the fragment", shmdt(frag));
	EQ("nattch back to one", nattch(id), 1);

	/* /proc/sysvipc/shm. */
	unsigned long size = 0, natt = 0;
	YES("listed in /proc/sysvipc/shm", procfs_line(id, &size, &natt));
	YES("size and nattch columns", size == SIZE && natt == 1);

	/* IPC_INFO and SHM_INFO. */
	struct shminfo info;
	YES("IPC_INFO", shmctl(0, IPC_INFO, (struct shmid_ds *)&info) >= 0);
	YES("shmmax shmall shmmni agree with /proc/sys/kernel", info.shmmax == sysctl_ul("shmmax") &&
	    info.shmall == sysctl_ul("shmall") && info.shmmni == sysctl_ul("shmmni") && info.shmmin == 1);
	struct shm_info si;
	int maxidx = shmctl(0, SHM_INFO, (struct shmid_ds *)&si);
	YES("SHM_INFO", maxidx >= 0 && si.used_ids >= 1 && si.shm_tot >= 3);
	YES("SHM_STAT of our index gives our id", shmctl(id & 0x7fff, SHM_STAT, &ds) == id);

	/* IPC_SET. */
	ds = stat_of(id);
	ds.shm_perm.mode = 0640;
	ds.shm_perm.uid = 7;
	ds.shm_perm.gid = 8;
	OK("IPC_SET", shmctl(id, IPC_SET, &ds));
	ds = stat_of(id);
	YES("mode uid gid changed, creator kept", ds.shm_perm.mode == 0640 && ds.shm_perm.uid == 7 &&
	    ds.shm_perm.gid == 8 && ds.shm_perm.cuid == 0);
	ERR("IPC_SET bad pointer", shmctl(id, IPC_SET, BADPTR), EFAULT);
	ERR("IPC_STAT bad pointer", shmctl(id, IPC_STAT, BADPTR), EFAULT);
	OK("SHM_LOCK", shmctl(id, SHM_LOCK, NULL));
	YES("SHM_LOCKED in mode", stat_of(id).shm_perm.mode & SHM_LOCKED);
	OK("SHM_UNLOCK", shmctl(id, SHM_UNLOCK, NULL));

	/* IPC_RMID while attached: gone at the last detach. */
	OK("IPC_RMID while attached", shmctl(id, IPC_RMID, NULL));
	ds = stat_of(id);
	YES("SHM_DEST set, still attached", (ds.shm_perm.mode & SHM_DEST) && ds.shm_nattch == 1);
	SEQ("memory still there", a, "through a");
	char *again = (char *)shmat(id, NULL, 0);
	YES("a removed segment can still be attached by id", again != (void *)-1);
	OKQ(shmdt(again));
	OK("last shmdt", shmdt(a));
	ERR("gone after the last detach", shmctl(id, IPC_STAT, &ds), EINVAL);
	ERR("shmat of a gone segment", (long)shmat(id, NULL, 0), EINVAL);
	size = 0;
	YES("not listed any more", !procfs_line(id, &size, &natt));

	/* Keys. */
	key_t key = getpid() * 64 + 1;
	int kid = OK("IPC_CREAT|IPC_EXCL", shmget(key, PG, IPC_CREAT | IPC_EXCL | 0640));
	YES("same key, same id", shmget(key, 0, 0) == kid);
	YES("IPC_CREAT finds it", shmget(key, PG, IPC_CREAT | 0600) == kid);
	ERR("IPC_EXCL on an existing key", shmget(key, PG, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	ERR("asking for more than its size", shmget(key, 2 * PG, 0), EINVAL);
	YES("stat key", stat_of(kid).shm_perm.__key == key);
	ERR("missing key", shmget(key + 1, PG, 0), ENOENT);
	ERR("size 0", shmget(IPC_PRIVATE, 0, 0600), EINVAL);
	ERR("SHM_HUGETLB without huge pages", shmget(IPC_PRIVATE, 2 << 20, SHM_HUGETLB | 0600), ENOMEM);
	ERR("size past shmmax", shmget(IPC_PRIVATE, sysctl_ul("shmmax") + 1, 0600), EINVAL);
	OK("IPC_RMID unattached", shmctl(kid, IPC_RMID, NULL));
	ERR("key gone", shmget(key, 0, 0), ENOENT);

	/* Bad arguments. */
	ERR("shmat bad id", (long)shmat(-1, NULL, 0), EINVAL);
	ERR("shmat stale id", (long)shmat(kid, NULL, 0), EINVAL);
	ERR("shmctl bad command", shmctl(kid, 999, &ds), EINVAL);
	ERR("shmctl negative id", shmctl(-1, IPC_STAT, &ds), EINVAL);

	/* Permissions as another uid. */
	int priv = OKQ(shmget(getpid() * 64 + 3, PG, IPC_CREAT | IPC_EXCL | 0600));
	int open_id = OKQ(shmget(IPC_PRIVATE, PG, 0604));
	char *o = (char *)shmat(open_id, NULL, 0);
	strcpy(o, "open data");
	EQ("unprivileged child", child_status(child_unprivileged, priv, &open_id), 0);
	OKQ(shmdt(o));
	OKQ(shmctl(priv, IPC_RMID, NULL));
	OKQ(shmctl(open_id, IPC_RMID, NULL));
	return 0;
}
