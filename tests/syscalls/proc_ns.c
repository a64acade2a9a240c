//go:build ignore

/* proc_ns: /proc/PID/ns lists Linux's namespace links, each reading
 * "TYPE:[INO]" whose INO is what stat(2) through the link and fstat(2)
 * of the opened link report; a forked child and a thread share their
 * parent's namespaces; the user and time namespaces are the initial ones
 * (Linux's fixed numbers, as in a container without a user namespace);
 * an open namespace file answers NS_GET_NSTYPE and refuses read (EINVAL);
 * /proc/self/fd/N of it reads TYPE:[INO]. */
#include "common.h"
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#define NS_GET_NSTYPE 0xb703

static const char *types[] = { "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
			       "time", "time_for_children", "user", "uts" };
#define NTYPES (int)(sizeof types / sizeof types[0])

static void links(const char *dir, char out[][64])
{
	for (int i = 0; i < NTYPES; i++) {
		char p[128];
		snprintf(p, sizeof p, "%s/%s", dir, types[i]);
		ssize_t n = readlink(p, out[i], 63);
		if (n < 0)
			FAIL("readlink %s: %s", p, errname(errno));
		out[i][n] = 0;
	}
}

static char self[NTYPES][64];
static int same_as(char other[][64])
{
	for (int i = 0; i < NTYPES; i++)
		if (strcmp(self[i], other[i]) != 0)
			return 0;
	return 1;
}

static void *thread(void *arg)
{
	char p[64], t[NTYPES][64];
	snprintf(p, sizeof p, "/proc/self/task/%ld/ns", (long)syscall(SYS_gettid));
	links(p, t);
	return (void *)(long)same_as(t);
}

int main(void)
{
	/* The listing, sorted. */
	DIR *d = opendir("/proc/self/ns");
	CHECK(d != NULL);
	char names[32][32];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < 32)
		if (e->d_name[0] != '.')
			snprintf(names[n++], 32, "%.31s", e->d_name);
	closedir(d);
	qsort(names, n, 32, (int (*)(const void *, const void *))strcmp);
	printf("ns:");
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	printf("\n");

	links("/proc/self/ns", self);
	for (int i = 0; i < NTYPES; i++) {
		char kind[32];
		unsigned long ino;
		const char *want = types[i];
		if (sscanf(self[i], "%31[a-z]:[%lu]", kind, &ino) != 2)
			FAIL("%s reads %s", types[i], self[i]);
		size_t klen = strcspn(want, "_");
		if (strncmp(kind, want, klen) != 0 || strlen(kind) != klen)
			FAIL("%s reads %s", types[i], self[i]);
		char p[128];
		snprintf(p, sizeof p, "/proc/self/ns/%s", types[i]);
		struct stat st, lst;
		OKQ(stat(p, &st));
		OKQ(lstat(p, &lst));
		int fd = OKQ(open(p, O_RDONLY | O_CLOEXEC));
		struct stat fst;
		OKQ(fstat(fd, &fst));
		char buf[8];
		errno = 0;
		long r = read(fd, buf, sizeof buf);
		int nstype = ioctl(fd, NS_GET_NSTYPE);
		char fdlink[64], fdtext[64];
		snprintf(fdlink, sizeof fdlink, "/proc/self/fd/%d", fd);
		ssize_t tl = readlink(fdlink, fdtext, sizeof fdtext - 1);
		fdtext[tl < 0 ? 0 : tl] = 0;
		printf("%s: %s, stat ino %s, fstat same %s, regular %s, link %s, read %s, nstype %s, fd link %s\n", types[i], kind,
		       st.st_ino == ino ? "matches" : "differs", fst.st_ino == st.st_ino && fst.st_dev == st.st_dev ? "yes" : "no",
		       S_ISREG(st.st_mode) ? "yes" : "no", S_ISLNK(lst.st_mode) ? "yes" : "no",
		       r < 0 ? errname(errno) : "ok", nstype < 0 ? errname(errno) : "ok",
		       strcmp(fdtext, self[i]) == 0 ? "same" : fdtext);
		static const int flags[] = { CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID,
					     CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS };
		YES("nstype is the clone flag", nstype == flags[i]);
		close(fd);
	}
	YES("user is the initial user namespace", strcmp(self[8], "user:[4026531837]") == 0);
	YES("time is the initial time namespace", strcmp(self[6], "time:[4026531834]") == 0);
	YES("pid_for_children is pid", strcmp(strchr(self[4], ':'), strchr(self[5], ':')) == 0);

	pid_t pid = fork();
	if (pid == 0) {
		char c[NTYPES][64];
		links("/proc/self/ns", c);
		_exit(same_as(c) ? 0 : 3);
	}
	int st;
	OKQ(waitpid(pid, &st, 0));
	YES("a child shares them", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pthread_t th;
	void *ret;
	CHECK(pthread_create(&th, NULL, thread, NULL) == 0);
	CHECK(pthread_join(th, &ret) == 0);
	YES("a thread shares them", ret == (void *)1L);

	/* Another user's process: readlink needs ptrace read access. */
	pid = fork();
	if (pid == 0) {
		OKQ(setresuid(65534, 65534, 65534));
		char p[64], buf[64];
		snprintf(p, sizeof p, "/proc/%d/ns/pid", (int)getppid());
		ERR("other user's readlink", readlink(p, buf, sizeof buf), EACCES);
		_exit(0);
	}
	OKQ(waitpid(pid, &st, 0));
	EQ("child status", (long)st, 0L);
	return 0;
}
