//go:build ignore

/* fork_wait: fork (through clone), wait4(2) and waitid(2): exit statuses,
 * deaths by signal, WNOHANG, ECHILD, copy-on-write separation, the
 * child's parent, rusage of children, and SIGCHLD. */
#include "common.h"
#include <sys/resource.h>
#include <sys/wait.h>

static volatile int sigchld;
static long parent;

/* xfork is fork, made safe against a kernel that returns a pid in the
 * child as well: such a child exits at once instead of running the
 * parent's code (and forking again). */
static pid_t xfork(void)
{
	pid_t c = fork();
	if (c != 0 && getpid() != parent) _exit(99);
	return c;
}
static void on_chld(int sig) { (void)sig; sigchld++; }

int main(void)
{
	int status;
	static int shared_var = 1;
	signal(SIGCHLD, on_chld);
	parent = getpid();

	pid_t c = xfork();
	if (c < 0) FAIL("fork: %s", errname(errno));
	if (c == 0) {
		shared_var = 2;
		_exit(getppid() == parent ? 42 : 1);
	}
	YES("fork returns the child's pid", c > 0 && c != parent);
	YES("wait4 returns the child", syscall(SYS_wait4, c, &status, 0, NULL) == c);
	YES("WIFEXITED", WIFEXITED(status));
	EQ("exit status (child saw its parent)", WEXITSTATUS(status), 42);
	EQ("parent memory untouched (COW)", shared_var, 1);
	EQ("SIGCHLD delivered", sigchld, 1);

	c = xfork();
	if (c == 0) { _exit(0x1234); }
	OKQ(syscall(SYS_wait4, c, &status, 0, NULL));
	EQ("exit status keeps 8 bits", WEXITSTATUS(status), 0x34);

	c = xfork();
	if (c == 0) { raise(SIGTERM); _exit(0); }
	OKQ(syscall(SYS_wait4, c, &status, 0, NULL));
	YES("WIFSIGNALED", WIFSIGNALED(status));
	EQ("WTERMSIG", WTERMSIG(status), SIGTERM);

	c = xfork();
	if (c == 0) { *(volatile int *)8 = 1; _exit(0); }
	OKQ(syscall(SYS_wait4, c, &status, 0, NULL));
	EQ("child SIGSEGV", WTERMSIG(status), SIGSEGV);

	/* WNOHANG on a running child, then kill it. */
	int p[2];
	OKQ(pipe(p));
	c = xfork();
	if (c == 0) { char x; close(p[1]); read(p[0], &x, 1); _exit(7); }
	close(p[0]);
	EQ("WNOHANG while running", syscall(SYS_wait4, c, &status, WNOHANG, NULL), 0);
	close(p[1]);
	struct rusage ru;
	YES("wait4 with rusage returns the child", syscall(SYS_wait4, -1, &status, 0, &ru) == c);
	EQ("status 7", WEXITSTATUS(status), 7);
	YES("rusage filled", ru.ru_maxrss >= 0);

	/* waitid with WNOWAIT leaves the child waitable. */
	c = xfork();
	if (c == 0) _exit(3);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	OK("waitid WEXITED|WNOWAIT", syscall(SYS_waitid, P_PID, c, &si, WEXITED | WNOWAIT, NULL));
	YES("si_pid", si.si_pid == c);
	EQ("si_code CLD_EXITED", si.si_code, CLD_EXITED);
	EQ("si_status", si.si_status, 3);
	OK("waitid again", syscall(SYS_waitid, P_PID, c, &si, WEXITED, NULL));
	ERR("waitid after reaping", syscall(SYS_waitid, P_PID, c, &si, WEXITED, NULL), ECHILD);

	ERR("wait4 without children", syscall(SYS_wait4, -1, &status, 0, NULL), ECHILD);
	ERR("wait4 WNOWAIT is not a wait4 option", syscall(SYS_wait4, -1, &status, WNOWAIT, NULL), EINVAL);
	ERR("waitid no flags", syscall(SYS_waitid, P_ALL, 0, &si, 0, NULL), EINVAL);
	ERR("waitid bad idtype", syscall(SYS_waitid, 42, 0, &si, WEXITED, NULL), EINVAL);

	/* Many children, reaped in any order. */
	for (int i = 0; i < 10; i++) {
		c = xfork();
		if (c == 0) _exit(i);
	}
	int sum = 0;
	for (int i = 0; i < 10; i++) {
		if (syscall(SYS_wait4, -1, &status, 0, NULL) <= 0) FAIL("wait4: %s", errname(errno));
		sum += WEXITSTATUS(status);
	}
	EQ("sum of 10 exit statuses", sum, 45);
	return 0;
}
