//go:build ignore

/* sigaction_mask: rt_sigaction(2) and rt_sigprocmask(2) through raw calls
 * where libc would hide details: siginfo of a raised signal, blocking
 * and pending, the mask inside a handler, SA_RESETHAND / SA_NODEFER,
 * SIGKILL/SIGSTOP rules, and EINVAL / EFAULT. */
#include "common.h"

/* The kernel's struct for rt_sigaction on x86-64. */
struct ksigaction {
	void (*handler)(int, siginfo_t *, void *);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

static volatile int got_sig, got_code, got_pid_ok, count, mask_had_usr1, mask_had_usr2;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_pid_ok = si->si_pid == getpid();
	count++;
	uint64_t cur;
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 8);
	mask_had_usr1 = (cur >> (SIGUSR1 - 1)) & 1;
	mask_had_usr2 = (cur >> (SIGUSR2 - 1)) & 1;
}

static uint64_t bit(int sig) { return 1ULL << (sig - 1); }

int main(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	OK("sigaction SIGUSR1", sigaction(SIGUSR1, &sa, NULL));
	OK("raise SIGUSR1", raise(SIGUSR1));
	EQ("handler ran", count, 1);
	EQ("si_signo", got_sig, SIGUSR1);
	EQ("si_code is SI_TKILL", got_code, SI_TKILL);
	YES("si_pid is own pid", got_pid_ok);
	YES("signal blocked in its handler", mask_had_usr1);
	YES("sa_mask applied in handler", mask_had_usr2);
	uint64_t cur;
	OKQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 8));
	EQ("mask restored after handler", cur, 0);

	/* Reading the action back through the raw call. */
	struct ksigaction k;
	memset(&k, 0, sizeof k);
	OK("rt_sigaction query", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &k, 8));
	YES("handler stored", k.handler == handler);
	YES("SA_SIGINFO and SA_RESTORER set", (k.flags & SA_SIGINFO) && (k.flags & 0x04000000));
	EQ("sa_mask stored", k.mask, bit(SIGUSR2));
	ERR("rt_sigaction sigsetsize 4", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &k, 4), EINVAL);
	ERR("rt_sigaction signal 0", syscall(SYS_rt_sigaction, 0, NULL, &k, 8), EINVAL);
	ERR("rt_sigaction signal 65", syscall(SYS_rt_sigaction, 65, NULL, &k, 8), EINVAL);
	struct ksigaction ign = { (void *)SIG_IGN, 0, NULL, 0 };
	ERR("rt_sigaction SIGKILL", syscall(SYS_rt_sigaction, SIGKILL, &ign, NULL, 8), EINVAL);
	ERR("rt_sigaction SIGSTOP", syscall(SYS_rt_sigaction, SIGSTOP, &ign, NULL, 8), EINVAL);
	OK("rt_sigaction SIGKILL query", syscall(SYS_rt_sigaction, SIGKILL, NULL, &k, 8));
	ERR("rt_sigaction bad old pointer", syscall(SYS_rt_sigaction, SIGUSR1, NULL, BADPTR, 8), EFAULT);

	/* Blocked signals stay pending until unblocked. */
	uint64_t set = bit(SIGUSR1), oldset = 0;
	OK("block SIGUSR1", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, &oldset, 8));
	EQ("old mask", oldset, 0);
	count = 0;
	raise(SIGUSR1);
	EQ("not delivered while blocked", count, 0);
	sigset_t pend;
	sigpending(&pend);
	YES("pending", sigismember(&pend, SIGUSR1));
	raise(SIGUSR1);
	OK("unblock SIGUSR1", syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8));
	EQ("delivered once (standard signals merge)", count, 1);

	uint64_t all = ~0ULL, got = 0;
	OK("SIG_SETMASK all", syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8));
	OKQ(syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &got, 8));
	YES("SIGKILL and SIGSTOP never blocked", !(got & bit(SIGKILL)) && !(got & bit(SIGSTOP)));
	YES("others blocked", (got & bit(SIGUSR1)) && (got & bit(SIGTERM)) && (got & bit(64)));
	uint64_t none = 0;
	OKQ(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8));
	ERR("bad how", syscall(SYS_rt_sigprocmask, 7, &set, NULL, 8), EINVAL);
	ERR("sigsetsize 16", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 16), EINVAL);
	ERR("bad set pointer", syscall(SYS_rt_sigprocmask, SIG_BLOCK, BADPTR, NULL, 8), EFAULT);
	ERR("bad old pointer", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, BADPTR, 8), EFAULT);
	/* Linux applies the new mask before it fails to store the old one. */
	OKQ(syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &got, 8));
	YES("mask changed despite EFAULT", got == set);
	OKQ(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8));

	/* SA_NODEFER leaves the signal unblocked in its handler;
	 * SA_RESETHAND restores the default action after one delivery. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	OKQ(sigaction(SIGUSR1, &sa, NULL));
	count = 0;
	raise(SIGUSR1);
	EQ("handler ran", count, 1);
	YES("SA_NODEFER: not blocked in handler", !mask_had_usr1);
	OKQ(sigaction(SIGUSR1, NULL, &old));
	YES("SA_RESETHAND: back to SIG_DFL", old.sa_handler == SIG_DFL);

	/* Ignored signals are discarded, even while blocked. */
	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR2);
	printf("ignored signal: survived\n");
	/* A real-time signal queues every instance. */
	sa.sa_flags = SA_SIGINFO;
	OKQ(sigaction(SIGRTMIN + 1, &sa, NULL));
	set = bit(SIGRTMIN + 1);
	OKQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8));
	count = 0;
	for (int i = 0; i < 3; i++) raise(SIGRTMIN + 1);
	OKQ(syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8));
	EQ("real-time signal queued 3 times", count, 3);
	return 0;
}
