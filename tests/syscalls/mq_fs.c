//go:build ignore

/* mq_fs: the mqueue file system (mount -t mqueue): it lists the IPC
 * namespace's queues as files whose mode and owner are the queue's (the
 * umask applied, the creator's uid), reading one gives the status line,
 * creating a file creates a queue with the default attributes, unlinking
 * one removes the queue, chmod changes it, the directory is sticky for
 * other users, statfs says MQUEUE_MAGIC. Natively it first unshares its
 * IPC and mount namespaces (the host's queues and mounts are left alone);
 * in the sandbox those calls fail and the sandbox's own are used. */
#include "common.h"
#include <dirent.h>
#include <mqueue.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

static void list(const char *label)
{
	DIR *d = opendir("mq");
	CHECK(d != NULL);
	char names[16][300];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < 16) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(names[n++], 300, "%s%s", e->d_name, e->d_type == DT_REG ? "" : "(not DT_REG)");
	}
	closedir(d);
	qsort(names, n, 300, (int (*)(const void *, const void *))strcmp);
	printf("%s:", label);
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	printf("\n");
}

static void show(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		printf("stat %s: %s\n", path, errname(errno));
		return;
	}
	printf("%s: mode %o uid %d gid %d nlink %d\n", path, st.st_mode, (int)st.st_uid, (int)st.st_gid, (int)st.st_nlink);
}

static void cat(const char *path)
{
	char buf[128];
	int n = read_file(path, buf, sizeof buf - 1);
	if (n < 0) {
		printf("read %s: %s\n", path, errname(errno));
		return;
	}
	buf[n] = 0;
	printf("%s: %s", path, buf);
}

int main(void)
{
	/* Natively: private IPC and mount namespaces (ignored in the
	 * sandbox, which is both already). */
	if (unshare(CLONE_NEWIPC | CLONE_NEWNS) == 0)
		CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	tmp_enter();
	OKQ(chmod(".", 0755)); /* other users reach mq/ */
	OKQ(mkdir("mq", 0755));
	OK("mount mqueue", mount("mqueue", "mq", "mqueue", 0, NULL));
	struct statfs sf;
	OK("statfs", statfs("mq", &sf));
	EQ("f_type MQUEUE_MAGIC", sf.f_type, 0x19800202);
	show("mq");
	list("empty");

	struct mq_attr a = {.mq_maxmsg = 3, .mq_msgsize = 32};
	mqd_t q = mq_open("/alpha", O_RDWR | O_CREAT, 0646, &a);
	CHECK(q >= 0);
	umask(077);
	mqd_t q2 = mq_open("/beta", O_RDWR | O_CREAT, 0666, NULL);
	CHECK(q2 >= 0);
	umask(022);
	list("two queues");
	show("mq/alpha");
	show("mq/beta");
	mq_send(q, "hello", 5, 1);
	mq_send(q, "abc", 3, 7);
	cat("mq/alpha");
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2};
	OK("mq_notify", mq_notify(q, &ev));
	char buf[128];
	int fd = open("mq/alpha", O_RDONLY);
	CHECK(fd >= 0);
	int n = read(fd, buf, sizeof buf - 1);
	CHECK(n > 0);
	buf[n] = 0;
	char *pid = strstr(buf, "NOTIFY_PID:");
	CHECK(pid != NULL);
	YES("NOTIFY_PID is ours", atoi(pid + 11) == getpid());
	*pid = 0;
	printf("with a registration: %s\n", buf);
	struct mq_attr g;
	OK("mq_getattr on the opened file", mq_getattr(fd, &g));
	EQ("curmsgs", g.mq_curmsgs, 2);
	close(fd);

	/* A file created in the directory is a queue with the defaults. */
	fd = open("mq/gamma", O_RDWR | O_CREAT | O_EXCL, 0640);
	OK("create a file", fd >= 0);
	close(fd);
	show("mq/gamma");
	mqd_t q3 = mq_open("/gamma", O_RDWR);
	OK("mq_open of it", q3 >= 0);
	OK("mq_getattr", mq_getattr(q3, &g));
	EQ("maxmsg", g.mq_maxmsg, 10);
	EQ("msgsize", g.mq_msgsize, 8192);
	ERR("mkdir in it", mkdir("mq/dir", 0755), EPERM);
	OK("chmod", chmod("mq/gamma", 0604));
	show("mq/gamma");

	OK("unlink a file", unlink("mq/beta"));
	ERR("mq_open of it", mq_open("/beta", O_RDWR), ENOENT);
	list("after unlink");
	OK("mq_unlink", mq_unlink("/gamma"));
	show("mq/gamma");
	list("after mq_unlink");
	OK("the unlinked queue still works", mq_send(q2, "x", 1, 0));

	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		OKQ(setgid(65534));
		OKQ(setuid(65534));
		cat("mq/alpha");
		ERR("other uid: unlink root's queue", unlink("mq/alpha"), EPERM);
		ERR("other uid: chmod root's queue", chmod("mq/alpha", 0666), EPERM);
		mqd_t own = mq_open("/delta", O_RDWR | O_CREAT, 0600, NULL);
		CHECK(own >= 0);
		show("mq/delta");
		OK("other uid: unlink its own file", unlink("mq/delta"));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	list("end");
	mq_close(q);
	mq_unlink("/alpha");
	OK("umount", umount("mq"));
	return 0;
}
