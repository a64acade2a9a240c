//go:build ignore

/* credentials: setuid(2) family, setgroups(2), setfsuid(2), capget(2) and
 * capset(2) with Linux's rules: root may become anyone; an unprivileged
 * caller may only pick among its real, effective and saved IDs; leaving
 * uid 0 everywhere drops capabilities; capset only shrinks. Each scenario
 * runs in a forked child so the test starts each one as root. */
#include "common.h"
#include <grp.h>
#include <sys/wait.h>
#include <linux/capability.h>

static void caps(const char *label)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	OKQ(syscall(SYS_capget, &h, d));
	printf("%s: eff %s, perm %s\n", label, d[0].effective ? "some" : "none", d[0].permitted ? "some" : "none");
}

static void ids(const char *label)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	OKQ(syscall(SYS_getresuid, &r, &e, &s));
	OKQ(syscall(SYS_getresgid, &gr, &ge, &gs));
	printf("%s: uid %d/%d/%d gid %d/%d/%d\n", label, r, e, s, gr, ge, gs);
}

static int child(void (*fn)(void))
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void drop_all(void)
{
	gid_t g[] = { 2000, 2001 };
	OK("setgroups", syscall(SYS_setgroups, 2, g));
	EQ("getgroups count", syscall(SYS_getgroups, 0, NULL), 2);
	OK("setresgid 1000", syscall(SYS_setresgid, 1000, 1000, 1000));
	OK("setresuid 1000", syscall(SYS_setresuid, 1000, 1000, 1000));
	ids("after drop");
	caps("after drop");
	ERR("setuid 0 unprivileged", syscall(SYS_setuid, 0), EPERM);
	ERR("setgroups unprivileged", syscall(SYS_setgroups, 0, NULL), EPERM);
	OK("setuid to own uid", syscall(SYS_setuid, 1000));
	ERR("setresuid to another", syscall(SYS_setresuid, -1, 1001, -1), EPERM);
}

static void effective_only(void)
{
	OK("setresuid 1000 eff, 0 saved", syscall(SYS_setresuid, 0, 1000, 0));
	ids("effective 1000");
	caps("effective 1000");
	OK("back to effective 0", syscall(SYS_setresuid, -1, 0, -1));
	caps("effective 0 again");
	OK("setreuid 1000 1000", syscall(SYS_setreuid, 1000, 1000));
	ids("after setreuid");
	EQ("setfsuid returns old fsuid", syscall(SYS_setfsuid, 1000), 1000);
}

static void capabilities(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	OKQ(syscall(SYS_capget, &h, d));
	d[0].effective &= ~(1u << CAP_CHOWN);
	OK("capset drop CAP_CHOWN from effective", syscall(SYS_capset, &h, d));
	d[0].effective |= 1u << CAP_CHOWN;
	OK("capset raise it again (still permitted)", syscall(SYS_capset, &h, d));
	d[0].permitted &= ~(1u << CAP_CHOWN);
	d[0].effective &= ~(1u << CAP_CHOWN);
	OK("capset drop it from permitted", syscall(SYS_capset, &h, d));
	d[0].permitted |= 1u << CAP_CHOWN;
	ERR("capset cannot regain permitted", syscall(SYS_capset, &h, d), EPERM);
	struct __user_cap_header_struct bad = { 0x12345678, 0 };
	ERR("capget bad version", syscall(SYS_capget, &bad, d), EINVAL);
	EQ("kernel names its version", bad.version, _LINUX_CAPABILITY_VERSION_3);
}

int main(void)
{
	ids("start");
	EQ("drop_all", child(drop_all), 0);
	EQ("effective_only", child(effective_only), 0);
	EQ("capabilities", child(capabilities), 0);
	ERR("setuid -1", syscall(SYS_setuid, -1), EINVAL);
	return 0;
}
