//go:build ignore

/* mq_limits: /proc/sys/fs/mqueue (msg_default, msg_max, msgsize_default,
 * msgsize_max, queues_max): their defaults, writes within Linux's ranges
 * (EINVAL outside), mq_open's defaults and checks following them
 * (CAP_SYS_RESOURCE goes past msg_max, msgsize_max and queues_max: ENOSPC
 * for others), and the raw system calls (mq_unlink, mq_timedsend,
 * mq_timedreceive, mq_getsetattr) with their EFAULTs. Natively it unshares
 * its IPC namespace first so the host's limits stay as they are; in the
 * sandbox that fails and the sandbox's own namespace is used. */
#include "common.h"
#include <mqueue.h>
#include <sched.h>
#include <sys/wait.h>

static long get(const char *name)
{
	char path[64], buf[64];
	snprintf(path, sizeof path, "/proc/sys/fs/mqueue/%s", name);
	int n = read_file(path, buf, sizeof buf - 1);
	CHECK(n > 0);
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static int set(const char *name, const char *v)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/sys/fs/mqueue/%s", name);
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	int r = write(fd, v, strlen(v));
	int e = errno;
	close(fd);
	errno = e;
	return r < 0 ? -1 : 0;
}

int main(void)
{
	unshare(CLONE_NEWIPC); /* natively; EINVAL in the sandbox */
	const char *names[] = {"msg_default", "msg_max", "msgsize_default", "msgsize_max", "queues_max"};
	for (int i = 0; i < 5; i++)
		printf("%s: %ld\n", names[i], get(names[i]));

	ERR("msg_max 0", set("msg_max", "0"), EINVAL);
	ERR("msg_max 65537", set("msg_max", "65537"), EINVAL);
	ERR("msgsize_max 127", set("msgsize_max", "127"), EINVAL);
	ERR("msgsize_max 16 MiB + 1", set("msgsize_max", "16777217"), EINVAL);
	ERR("msg_default junk", set("msg_default", "x"), EINVAL);
	OK("msg_max 5", set("msg_max", "5"));
	OK("msg_default 3", set("msg_default", "3"));
	OK("msgsize_max 256", set("msgsize_max", "256"));
	OK("msgsize_default 200", set("msgsize_default", "200"));
	OK("queues_max 2", set("queues_max", "2"));
	EQ("msg_max now", get("msg_max"), 5);
	EQ("queues_max now", get("queues_max"), 2);

	mqd_t q = syscall(SYS_mq_open, "lim-a", O_RDWR | O_CREAT, 0600, NULL);
	CHECK(q >= 0);
	struct mq_attr g;
	OK("getsetattr (raw)", syscall(SYS_mq_getsetattr, q, NULL, &g));
	EQ("default maxmsg follows msg_default", g.mq_maxmsg, 3);
	EQ("default msgsize follows msgsize_default", g.mq_msgsize, 200);
	ERR("getsetattr bad new", syscall(SYS_mq_getsetattr, q, BADPTR, NULL), EFAULT);
	ERR("getsetattr bad old", syscall(SYS_mq_getsetattr, q, NULL, BADPTR), EFAULT);
	OK("msg_default 9 (above msg_max)", set("msg_default", "9"));
	mqd_t q2 = syscall(SYS_mq_open, "lim-b", O_RDWR | O_CREAT, 0600, NULL);
	CHECK(q2 >= 0);
	OKQ(syscall(SYS_mq_getsetattr, q2, NULL, &g));
	EQ("default maxmsg capped at msg_max", g.mq_maxmsg, 5);

	OK("timedsend (raw)", syscall(SYS_mq_timedsend, q, "abc", 3L, 2L, NULL));
	ERR("timedsend bad buffer", syscall(SYS_mq_timedsend, q, BADPTR, 3L, 2L, NULL), EFAULT);
	ERR("timedsend bad timeout", syscall(SYS_mq_timedsend, q, "abc", 3L, 2L, BADPTR), EFAULT);
	char buf[256];
	unsigned prio = 0;
	EQ("timedreceive (raw)", syscall(SYS_mq_timedreceive, q, buf, 256L, &prio, NULL), 3);
	EQ("prio", prio, 2);
	ERR("timedreceive bad timeout", syscall(SYS_mq_timedreceive, q, buf, 256L, &prio, BADPTR), EFAULT);
	OKQ(syscall(SYS_mq_timedsend, q, "abc", 3L, 2L, NULL));
	ERR("timedreceive bad buffer", syscall(SYS_mq_timedreceive, q, BADPTR, 256L, &prio, NULL), EFAULT);
	struct mq_attr after;
	OKQ(syscall(SYS_mq_getsetattr, q, NULL, &after));
	EQ("the message is gone anyway", after.mq_curmsgs, 0);
	ERR("unlink bad name (raw)", syscall(SYS_mq_unlink, BADPTR), EFAULT);
	ERR("unlink missing (raw)", syscall(SYS_mq_unlink, "lim-none"), ENOENT);

	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		OKQ(setgid(65534));
		OKQ(setuid(65534));
		ERR("other uid: third queue past queues_max", syscall(SYS_mq_open, "lim-c", O_RDWR | O_CREAT, 0600, NULL), ENOSPC);
		ERR("other uid: write msg_max", set("msg_max", "7"), EACCES);
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	struct mq_attr big = {.mq_maxmsg = 6, .mq_msgsize = 300};
	mqd_t q3 = syscall(SYS_mq_open, "lim-c", O_RDWR | O_CREAT, 0600, &big);
	OK("root: third queue past queues_max, maxmsg and msgsize past the limits", q3 >= 0);
	OK("unlink (raw)", syscall(SYS_mq_unlink, "lim-a"));
	syscall(SYS_mq_unlink, "lim-b");
	syscall(SYS_mq_unlink, "lim-c");
	return 0;
}
