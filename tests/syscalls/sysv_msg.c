//go:build ignore

/* sysv_msg: System V message queues (msgget, msgsnd, msgrcv, msgctl):
 * type selection (0, >0, <0, MSG_EXCEPT), MSG_NOERROR and E2BIG,
 * MSG_COPY, IPC_NOWAIT (EAGAIN, ENOMSG), blocking senders and receivers
 * woken by other processes, signals (EINTR even with SA_RESTART),
 * removal, msg_qbytes, limits against /proc/sys/kernel, /proc/sysvipc/msg
 * and permission errors as a non-root uid. Natively it runs in the host's
 * IPC namespace: no identifiers or keys are printed. */
#include "common.h"
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>

struct msg {
	long mtype;
	char mtext[256];
};

static int id;

static int snd(long type, const char *text, int flags)
{
	struct msg m = {.mtype = type};
	strcpy(m.mtext, text);
	return msgsnd(id, &m, strlen(text), flags);
}

/* rcv receives into a static message and returns its text ("" on error,
 * with the count in *n). */
static struct msg got;
static long rcv(size_t size, long type, int flags)
{
	memset(&got, 0, sizeof got);
	return msgrcv(id, &got, size, type, flags);
}

static int recv_type7(void) { return rcv(100, 7, 0) == 5 && strcmp(got.mtext, "seven") == 0 ? 0 : 1; }
static int send_blocking(void) { return snd(1, "0123456789", 0) == 0 ? 0 : 1; }

static int ready[2];
static void on_usr1(int sig) { (void)sig; }
static int recv_interrupted(void)
{
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
	sigaction(SIGUSR1, &sa, NULL);
	close(ready[0]);
	write(ready[1], "r", 1);
	return rcv(100, 99, 0) == -1 && errno == EINTR ? 0 : 1;
}
static int recv_after_stop(void)
{
	close(ready[0]);
	write(ready[1], "r", 1);
	return rcv(100, 8, 0) == 4 && strcmp(got.mtext, "cont") == 0 ? 0 : 1;
}
static int recv_removed(void)
{
	close(ready[0]);
	write(ready[1], "r", 1);
	long r = rcv(100, 99, 0);
	return r == -1 && (errno == EIDRM || errno == EINVAL) ? 0 : 1;
}

/* signal_until_gone signals pid until it exits, so a signal that lands
 * before the child blocks is followed by one that interrupts it. */
static int signal_until_gone(pid_t pid)
{
	int st;
	for (;;) {
		kill(pid, SIGUSR1);
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) return WEXITSTATUS(st);
		usleep(2000);
	}
}

static int unprivileged(void)
{
	int open_id = id;
	id = msgget(getppid() * 64 + 5, 0);
	CHECK(id >= 0);
	OKQ(setgid(65534));
	OKQ(setuid(65534));
	ERR("other uid: msgsnd to 0600", snd(1, "x", IPC_NOWAIT), EACCES);
	ERR("other uid: msgrcv from 0600", rcv(10, 0, IPC_NOWAIT), EACCES);
	ERR("other uid: IPC_STAT", msgctl(id, IPC_STAT, &(struct msqid_ds){.msg_qnum = 0}), EACCES);
	ERR("other uid: IPC_RMID", msgctl(id, IPC_RMID, NULL), EPERM);
	ERR("other uid: msgget with 0600", msgget(getppid() * 64 + 5, 0600), EACCES);
	id = open_id;
	OK("other uid: msgsnd to 0602", snd(1, "from nobody", IPC_NOWAIT));
	ERR("other uid: msgrcv from 0602", rcv(10, 0, IPC_NOWAIT), EACCES);
	return 0;
}

static long sysctl_l(const char *name)
{
	char path[64], buf[64];
	snprintf(path, sizeof path, "/proc/sys/kernel/%s", name);
	CHECK(read_file(path, buf, sizeof buf) > 0);
	return strtol(buf, NULL, 10);
}

static int procfs_row(unsigned long *cbytes, unsigned long *qnum)
{
	FILE *f = fopen("/proc/sysvipc/msg", "r");
	CHECK(f != NULL);
	char line[256];
	CHECK(fgets(line, sizeof line, f) != NULL);
	YES("header", strstr(line, "key      msqid perms      cbytes       qnum") != NULL);
	int found = 0;
	while (fgets(line, sizeof line, f)) {
		int key, qid;
		unsigned mode;
		if (sscanf(line, "%d %d %o %lu %lu", &key, &qid, &mode, cbytes, qnum) == 5 && qid == id)
			found = 1;
	}
	fclose(f);
	return found;
}

int main(void)
{
	id = OK("msgget IPC_PRIVATE", msgget(IPC_PRIVATE, 0600));
	struct msqid_ds ds;
	OK("IPC_STAT", msgctl(id, IPC_STAT, &ds));
	YES("empty queue", ds.msg_qnum == 0 && ds.msg_cbytes == 0 && ds.msg_lspid == 0 && ds.msg_stime == 0);
	YES("qbytes is msgmnb", (long)ds.msg_qbytes == sysctl_l("msgmnb"));
	YES("mode and owner", ds.msg_perm.mode == 0600 && ds.msg_perm.uid == 0 && ds.msg_perm.cuid == 0);

	OK("send 3", snd(3, "three", 0));
	OK("send 1", snd(1, "one", 0));
	OK("send 2", snd(2, "two", 0));
	OK("send 1 again", snd(1, "one-b", 0));
	OK("send 5", snd(5, "five", 0));
	OK("IPC_STAT", msgctl(id, IPC_STAT, &ds));
	EQ("qnum", ds.msg_qnum, 5);
	EQ("cbytes", ds.msg_cbytes, 5 + 3 + 3 + 5 + 4);
	YES("lspid and stime", ds.msg_lspid == getpid() && ds.msg_stime > 0);
	unsigned long cb = 0, qn = 0;
	YES("listed in /proc/sysvipc/msg", procfs_row(&cb, &qn) && cb == 20 && qn == 5);

	EQ("type 0 takes the first", rcv(100, 0, 0), 5);
	YES("it is type 3", got.mtype == 3 && strcmp(got.mtext, "three") == 0);
	EQ("type 1", rcv(100, 1, 0), 3);
	SEQ("first of type 1", got.mtext, "one");
	EQ("type -2: lowest type up to 2", rcv(100, -2, 0), 5);
	YES("the other type 1", got.mtype == 1 && strcmp(got.mtext, "one-b") == 0);
	EQ("MSG_EXCEPT 2", rcv(100, 2, MSG_EXCEPT), 4);
	SEQ("not type 2", got.mtext, "five");
	EQ("type 2", rcv(100, 2, 0), 3);
	ERR("empty, IPC_NOWAIT", rcv(100, 0, IPC_NOWAIT), ENOMSG);
	OK("IPC_STAT", msgctl(id, IPC_STAT, &ds));
	YES("lrpid and rtime", ds.msg_lrpid == getpid() && ds.msg_rtime > 0 && ds.msg_qnum == 0 && ds.msg_cbytes == 0);

	/* Sizes. */
	OK("send 10 bytes", snd(4, "0123456789", 0));
	ERR("too small a buffer", rcv(4, 0, 0), E2BIG);
	OK("IPC_STAT", msgctl(id, IPC_STAT, &ds));
	EQ("message kept", ds.msg_qnum, 1);
	EQ("MSG_NOERROR truncates", rcv(4, 0, MSG_NOERROR), 4);
	SEQ("truncated text", got.mtext, "0123");
	ERR("and removes it", rcv(100, 0, IPC_NOWAIT), ENOMSG);
	ERR("missing type, IPC_NOWAIT", rcv(100, 42, IPC_NOWAIT), ENOMSG);
	OK("zero-length message", snd(6, "", 0));
	EQ("received empty", rcv(100, 6, 0), 0);

	/* MSG_COPY. */
	OKQ(snd(1, "first", 0));
	OKQ(snd(2, "second", 0));
	EQ("MSG_COPY of message 1", rcv(100, 1, MSG_COPY | IPC_NOWAIT), 6);
	YES("a copy of the second", got.mtype == 2 && strcmp(got.mtext, "second") == 0);
	ERR("MSG_COPY past the end", rcv(100, 2, MSG_COPY | IPC_NOWAIT), ENOMSG);
	ERR("MSG_COPY needs IPC_NOWAIT", rcv(100, 0, MSG_COPY), EINVAL);
	ERR("MSG_COPY with MSG_EXCEPT", rcv(100, 0, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT), EINVAL);
	EQ("still there", rcv(100, 0, 0), 5);
	EQ("both", rcv(100, 0, 0), 6);

	/* Blocking. */
	pid_t c = fork_run(recv_type7);
	OK("send to a waiting receiver", snd(7, "seven", 0));
	EQ("the child received it", reap_exit(c), 0);
	OK("IPC_STAT", msgctl(id, IPC_STAT, &ds));
	ds.msg_qbytes = 15;
	OK("IPC_SET msg_qbytes 15", msgctl(id, IPC_SET, &ds));
	OK("fill", snd(1, "0123456789", 0));
	ERR("full, IPC_NOWAIT", snd(1, "0123456789", IPC_NOWAIT), EAGAIN);
	c = fork_run(send_blocking);
	EQ("make room", rcv(100, 0, 0), 10);
	EQ("the blocked sender's message arrives", rcv(100, 0, 0), 10);
	EQ("the sender finished", reap_exit(c), 0);
	ds.msg_qbytes = 16384;
	OK("IPC_SET qbytes back", msgctl(id, IPC_SET, &ds));
	OKQ(pipe(ready));
	c = fork_run(recv_interrupted);
	close(ready[1]);
	char r;
	CHECK(read(ready[0], &r, 1) == 1);
	close(ready[0]);
	EQ("a signal interrupts msgrcv with EINTR even with SA_RESTART", signal_until_gone(c), 0);
	OKQ(pipe(ready));
	c = fork_run(recv_after_stop);
	close(ready[1]);
	CHECK(read(ready[0], &r, 1) == 1);
	close(ready[0]);
	OKQ(kill(c, SIGSTOP));
	int wst;
	OKQ(waitpid(c, &wst, WUNTRACED));
	CHECK(WIFSTOPPED(wst));
	OKQ(kill(c, SIGCONT));
	OK("send after a stop and continue", snd(8, "cont", 0));
	EQ("msgrcv carries on after a stop (restarted, no handler)", reap_exit(c), 0);

	/* Bad arguments. */
	ERR("type 0", snd(0, "x", 0), EINVAL);
	ERR("negative type", snd(-1, "x", 0), EINVAL);
	struct msg m = {.mtype = 1};
	ERR("larger than msgmax", msgsnd(id, &m, sysctl_l("msgmax") + 1, 0), EINVAL);
	ERR("negative size", msgsnd(id, &m, -1, 0), EINVAL);
	ERR("bad pointer", msgsnd(id, BADPTR, 1, 0), EFAULT);
	ERR("msgrcv negative size", msgrcv(id, &m, -1, 0, 0), EINVAL);
	ERR("bad id", msgrcv(-1, &m, 10, 0, 0), EINVAL);
	ERR("bad command", msgctl(id, 999, &ds), EINVAL);
	ERR("IPC_STAT bad pointer", msgctl(id, IPC_STAT, BADPTR), EFAULT);

	/* Limits. */
	struct msginfo mi;
	YES("IPC_INFO", msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0);
	YES("agrees with /proc/sys/kernel", mi.msgmax == sysctl_l("msgmax") && mi.msgmnb == sysctl_l("msgmnb") &&
	    mi.msgmni == sysctl_l("msgmni") && mi.msgssz == 16 && mi.msgseg == 0xffff);
	YES("MSG_INFO", msgctl(0, MSG_INFO, (struct msqid_ds *)&mi) >= 0 && mi.msgpool >= 1);
	YES("MSG_STAT of our index", msgctl(id & 0x7fff, MSG_STAT, &ds) == id);

	/* Keys. */
	key_t key = getpid() * 64 + 1;
	int kid = OK("IPC_CREAT|IPC_EXCL", msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	YES("same key, same id", msgget(key, 0) == kid);
	ERR("IPC_EXCL", msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	ERR("missing key", msgget(key + 1, 0), ENOENT);
	OKQ(msgctl(kid, IPC_RMID, NULL));

	/* Permissions as another uid. */
	OK("IPC_STAT", msgctl(id, IPC_STAT, &ds));
	ds.msg_perm.mode = 0602;
	OK("IPC_SET mode 0602", msgctl(id, IPC_SET, &ds));
	int priv = OKQ(msgget(getpid() * 64 + 5, IPC_CREAT | IPC_EXCL | 0600));
	EQ("unprivileged child", reap_exit(fork_run(unprivileged)), 0);
	EQ("nobody's message", rcv(100, 0, IPC_NOWAIT), 11);
	OKQ(msgctl(priv, IPC_RMID, NULL));

	/* Removal. */
	OKQ(pipe(ready));
	c = fork_run(recv_removed);
	close(ready[1]);
	CHECK(read(ready[0], &r, 1) == 1);
	close(ready[0]);
	OK("IPC_RMID", msgctl(id, IPC_RMID, NULL));
	EQ("a waiting receiver fails", reap_exit(c), 0);
	ERR("gone", msgsnd(id, &m, 1, 0), EINVAL);
	return 0;
}
