//go:build ignore

/* job_control: stop signals with the default action stop a process until
 * SIGCONT; the parent sees both through wait4(WUNTRACED/WCONTINUED),
 * waitid(WSTOPPED/WCONTINUED) and SIGCHLD (CLD_STOPPED, CLD_CONTINUED);
 * a handled SIGTSTP runs its handler instead; SIGKILL ends a stopped
 * process. */
#include "common.h"
#include <sys/wait.h>

static volatile int chld_codes[8], nchld;
static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	if (nchld < 8) chld_codes[nchld++] = si->si_code;
}

/* The child gets a process group of its own, whose parent (this program)
 * is in another group of the same session: not an orphaned group, so the
 * terminal stop signals stop it (they are discarded in orphaned groups). */
static pid_t spin_child(void)
{
	pid_t p = fork();
	if (p == 0) {
		setpgid(0, 0);
		for (;;) pause();
	}
	setpgid(p, p);
	return p;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);

	pid_t c = spin_child();
	int st;
	OK("kill SIGSTOP", kill(c, SIGSTOP));
	EQ("waitpid WUNTRACED returns the child", waitpid(c, &st, WUNTRACED) == c, 1);
	YES("WIFSTOPPED", WIFSTOPPED(st));
	EQ("WSTOPSIG", WSTOPSIG(st), SIGSTOP);
	EQ("no second report", waitpid(c, &st, WUNTRACED | WNOHANG), 0);
	OK("kill SIGCONT", kill(c, SIGCONT));
	EQ("waitpid WCONTINUED returns the child", waitpid(c, &st, WCONTINUED) == c, 1);
	YES("WIFCONTINUED", WIFCONTINUED(st));

	OK("kill SIGTSTP", kill(c, SIGTSTP));
	siginfo_t si;
	memset(&si, 0, sizeof si);
	OK("waitid WSTOPPED", waitid(P_PID, c, &si, WSTOPPED));
	EQ("si_code CLD_STOPPED", si.si_code, CLD_STOPPED);
	EQ("si_status SIGTSTP", si.si_status, SIGTSTP);
	OK("kill SIGKILL while stopped", kill(c, SIGKILL));
	EQ("waitpid after SIGKILL", waitpid(c, &st, 0) == c, 1);
	YES("killed by SIGKILL", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	/* SIGTSTP in an orphaned process group is discarded: this program's
	 * own group has no parent in another group of its session. */
	pid_t o = fork();
	if (o == 0) {
		raise(SIGTSTP);
		_exit(4);
	}
	EQ("SIGTSTP in an orphaned group: child exits 4", waitpid(o, &st, WUNTRACED) == o && WIFEXITED(st) ? WEXITSTATUS(st) : -1, 4);

	/* An ignored SIGTSTP does not stop. */
	pid_t h = fork();
	if (h == 0) {
		signal(SIGTSTP, SIG_IGN);
		raise(SIGTSTP);
		_exit(3);
	}
	EQ("ignored SIGTSTP: child exits 3", waitpid(h, &st, WUNTRACED) == h && WIFEXITED(st) ? WEXITSTATUS(st) : -1, 3);

	int stopped = 0, continued = 0;
	for (int i = 0; i < nchld; i++) {
		stopped |= chld_codes[i] == CLD_STOPPED;
		continued |= chld_codes[i] == CLD_CONTINUED;
	}
	YES("SIGCHLD told of a stop", stopped);
	YES("SIGCHLD told of a continue", continued);
	return 0;
}
