//go:build ignore

/* prctl_misc: prctl(2) options programs and runtimes use: the thread name,
 * dumpable, no_new_privs, the parent-death signal, the child subreaper
 * flag, timer slack, and EINVAL for unknown options. */
#include "common.h"
#include <pthread.h>
#include <sys/prctl.h>

static void *thread_prctl(void *a)
{
	long *got = a;
	got[0] = prctl(PR_GET_KEEPCAPS);
	got[1] = prctl(PR_GET_TIMERSLACK);
	return NULL;
}

int main(void)
{
	char name[32] = {0};
	OK("PR_GET_NAME", prctl(PR_GET_NAME, name));
	SEQ("initial name", name, "prctl_misc");
	OK("PR_SET_NAME", prctl(PR_SET_NAME, "a-rather-long-thread-name"));
	OKQ(prctl(PR_GET_NAME, name));
	SEQ("name truncated to 15 bytes", name, "a-rather-long-t");
	OKQ(read_file("/proc/self/comm", name, sizeof name));
	SEQ("comm agrees", name, "a-rather-long-t\n");
	ERR("PR_SET_NAME bad pointer", prctl(PR_SET_NAME, BADPTR), EFAULT);

	EQ("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE), 1);
	OK("PR_SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0));
	EQ("dumpable now", prctl(PR_GET_DUMPABLE), 0);
	ERR("PR_SET_DUMPABLE 2", prctl(PR_SET_DUMPABLE, 2), EINVAL);
	OKQ(prctl(PR_SET_DUMPABLE, 1));

	/* The initial value is the runtime's choice (OCI noNewPrivileges). */
	OK("PR_SET_NO_NEW_PRIVS", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	EQ("no_new_privs now", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	ERR("PR_SET_NO_NEW_PRIVS 0 (cannot unset)", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL);
	char st[4096];
	OKQ(read_file("/proc/self/status", st, sizeof st));
	YES("status NoNewPrivs: 1", strstr(st, "\nNoNewPrivs:\t1\n") != NULL);

	int sig = -1;
	OK("PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &sig));
	EQ("no parent-death signal", sig, 0);
	OK("PR_SET_PDEATHSIG", prctl(PR_SET_PDEATHSIG, SIGUSR2));
	OKQ(prctl(PR_GET_PDEATHSIG, &sig));
	EQ("parent-death signal", sig, SIGUSR2);
	ERR("PR_SET_PDEATHSIG 99", prctl(PR_SET_PDEATHSIG, 99), EINVAL);
	OKQ(prctl(PR_SET_PDEATHSIG, 0));

	int sub = -1;
	OK("PR_GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &sub));
	EQ("not a subreaper", sub, 0);
	OK("PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1));
	OKQ(prctl(PR_GET_CHILD_SUBREAPER, &sub));
	EQ("subreaper now", sub, 1);

	OK("PR_SET_TIMERSLACK", prctl(PR_SET_TIMERSLACK, 12345));
	EQ("PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK), 12345);
	EQ("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS), 0);
	OK("PR_SET_KEEPCAPS", prctl(PR_SET_KEEPCAPS, 1));
	pthread_t th;
	long got[2];
	pthread_create(&th, NULL, thread_prctl, got);
	pthread_join(th, NULL);
	EQ("a new thread inherits KEEPCAPS", got[0], 1);
	EQ("a new thread inherits the timer slack", got[1], 12345);
	OKQ(prctl(PR_SET_KEEPCAPS, 0));
	ERR("unknown option", prctl(0x7fff0000, 0, 0, 0, 0), EINVAL);
	return 0;
}
