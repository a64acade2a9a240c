//go:build ignore

/* sethostname: sethostname(2) and setdomainname(2) change what uname(2)
 * and /proc/sys/kernel/{hostname,domainname} report; writes to those files
 * do the same; CAP_SYS_ADMIN, the 64-byte limit and bad pointers are
 * checked in Linux's order. Natively the program first unshares its UTS
 * namespace (so the host's names are never touched); in the sandbox that
 * unshare fails (no namespaces inside) and the sandbox's own names change.
 * sched_rr_get_interval(2) is here too: a SCHED_RR task's timeslice is
 * Linux's default 100 ms, a SCHED_FIFO and a fair task's is 0 (6.6+). */
#include "common.h"
#include <sched.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static void names(const char *when)
{
	struct utsname u;
	char h[128], d[128];
	OKQ(syscall(SYS_uname, &u));
	OKQ(read_file("/proc/sys/kernel/hostname", h, sizeof h));
	OKQ(read_file("/proc/sys/kernel/domainname", d, sizeof d));
	h[strcspn(h, "\n")] = 0;
	d[strcspn(d, "\n")] = 0;
	printf("%s: uname %s/%s, proc %s/%s\n", when, u.nodename, u.domainname, h, d);
}

static void rr(const char *label, int policy, int prio)
{
	struct sched_param p = { .sched_priority = prio };
	OKQ(sched_setscheduler(0, policy, &p));
	struct timespec ts = { -1, -1 };
	OKQ(syscall(SYS_sched_rr_get_interval, 0, &ts));
	printf("%s: %ld.%09ld\n", label, (long)ts.tv_sec, ts.tv_nsec);
}

int main(void)
{
	unshare(CLONE_NEWUTS);

	OK("sethostname", syscall(SYS_sethostname, "moat-test", 9L));
	OK("setdomainname", syscall(SYS_setdomainname, "example.test", 12L));
	names("set");
	/* The length given counts, not a NUL. */
	OK("sethostname prefix", syscall(SYS_sethostname, "abcdef", 3L));
	names("prefix");
	char long_name[65];
	memset(long_name, 'x', sizeof long_name);
	OK("sethostname 64", syscall(SYS_sethostname, long_name, 64L));
	struct utsname u;
	OKQ(syscall(SYS_uname, &u));
	EQ("nodename length", (long)strlen(u.nodename), 64L);
	ERR("sethostname 65", syscall(SYS_sethostname, long_name, 65L), EINVAL);
	ERR("sethostname -1", syscall(SYS_sethostname, long_name, -1L), EINVAL);
	ERR("setdomainname 65", syscall(SYS_setdomainname, long_name, 65L), EINVAL);
	ERR("sethostname bad pointer", syscall(SYS_sethostname, BADPTR, 4L), EFAULT);
	OK("sethostname empty", syscall(SYS_sethostname, "", 0L));
	names("empty");

	write_file("/proc/sys/kernel/hostname", "fromproc\n");
	write_file("/proc/sys/kernel/domainname", "dom.proc\n");
	names("proc");

	/* Without CAP_SYS_ADMIN: EPERM before the length is looked at. */
	pid_t pid = fork();
	if (pid == 0) {
		OKQ(setresuid(65534, 65534, 65534));
		ERR("unprivileged sethostname", syscall(SYS_sethostname, "nope", 4L), EPERM);
		ERR("unprivileged setdomainname", syscall(SYS_setdomainname, "nope", 4L), EPERM);
		ERR("unprivileged sethostname 65", syscall(SYS_sethostname, long_name, 65L), EPERM);
		ERR("unprivileged open hostname", open("/proc/sys/kernel/hostname", O_WRONLY), EACCES);
		_exit(0);
	}
	int st;
	OKQ(waitpid(pid, &st, 0));
	EQ("child status", (long)st, 0L);
	names("after child");

	struct timespec ts;
	ERR("rr_get_interval -1", syscall(SYS_sched_rr_get_interval, -1, &ts), EINVAL);
	ERR("rr_get_interval bad pointer", syscall(SYS_sched_rr_get_interval, 0, BADPTR), EFAULT);
	rr("other", SCHED_OTHER, 0);
	rr("batch", SCHED_BATCH, 0);
	rr("rr", SCHED_RR, 1);
	rr("fifo", SCHED_FIFO, 1);
	return 0;
}
