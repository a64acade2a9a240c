//go:build ignore

/* kill_signals: kill(2), tgkill(2), tkill(2), rt_sigqueueinfo(2),
 * rt_sigtimedwait(2) and rt_sigsuspend(2): signal 0 probes, ESRCH, EINVAL,
 * EPERM, queued values, and waiting for signals. */
#include "common.h"
#include <time.h>

static volatile int got;
static void on_sig(int sig) { got = sig; }

int main(void)
{
	long pid = getpid(), tid = syscall(SYS_gettid);
	OK("kill self with signal 0", syscall(SYS_kill, pid, 0));
	ERR("kill missing pid", syscall(SYS_kill, 0x3ffffff0, 0), ESRCH);
	ERR("kill bad signal", syscall(SYS_kill, pid, 65), EINVAL);
	ERR("kill bad negative signal", syscall(SYS_kill, pid, -1), EINVAL);
	ERR("tgkill wrong tgid", syscall(SYS_tgkill, 0x3ffffff0, tid, 0), ESRCH);
	ERR("tgkill tid 0", syscall(SYS_tgkill, pid, 0, 0), EINVAL);
	ERR("tkill bad signal", syscall(SYS_tkill, tid, 99), EINVAL);

	signal(SIGUSR1, on_sig);
	got = 0;
	OK("kill self SIGUSR1", syscall(SYS_kill, pid, SIGUSR1));
	EQ("delivered", got, SIGUSR1);
	got = 0;
	OK("tgkill self", syscall(SYS_tgkill, pid, tid, SIGUSR1));
	EQ("delivered", got, SIGUSR1);
	got = 0;
	OK("tkill self", syscall(SYS_tkill, tid, SIGUSR1));
	EQ("delivered", got, SIGUSR1);

	/* Blocked signals taken synchronously with rt_sigtimedwait. */
	uint64_t set = 1ULL << (SIGUSR2 - 1) | 1ULL << (SIGRTMIN + 2 - 1);
	OKQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8));
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGRTMIN + 2;
	si.si_code = SI_QUEUE;
	si.si_pid = pid;
	si.si_uid = getuid();
	si.si_value.sival_int = 1234;
	OK("rt_sigqueueinfo", syscall(SYS_rt_sigqueueinfo, pid, SIGRTMIN + 2, &si));
	siginfo_t in;
	memset(&in, 0, sizeof in);
	EQ("rt_sigtimedwait takes it", syscall(SYS_rt_sigtimedwait, &set, &in, NULL, 8), SIGRTMIN + 2);
	EQ("si_code SI_QUEUE", in.si_code, SI_QUEUE);
	EQ("value carried", in.si_value.sival_int, 1234);
	si.si_code = SI_USER;
	/* Only negative codes may be forged for other processes; the check
	 * comes before the pid lookup. */
	ERR("rt_sigqueueinfo SI_USER to another pid", syscall(SYS_rt_sigqueueinfo, 0x3ffffff0, SIGRTMIN + 2, &si), EPERM);
	si.si_code = SI_QUEUE;
	ERR("rt_sigqueueinfo SI_QUEUE to a missing pid", syscall(SYS_rt_sigqueueinfo, 0x3ffffff0, SIGRTMIN + 2, &si), ESRCH);
	struct timespec ts = { 0, 20000000 };
	ERR("rt_sigtimedwait timeout", syscall(SYS_rt_sigtimedwait, &set, &in, &ts, 8), EAGAIN);
	struct timespec bad = { 0, 2000000000 };
	ERR("rt_sigtimedwait bad timeout", syscall(SYS_rt_sigtimedwait, &set, &in, &bad, 8), EINVAL);
	raise(SIGUSR2);
	EQ("pending SIGUSR2 taken", syscall(SYS_rt_sigtimedwait, &set, NULL, NULL, 8), SIGUSR2);

	/* rt_sigsuspend: wait with SIGUSR1 unblocked; returns EINTR. */
	uint64_t usr1 = 1ULL << (SIGUSR1 - 1), none = 0;
	OKQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &usr1, NULL, 8));
	raise(SIGUSR1);
	got = 0;
	ERR("rt_sigsuspend", syscall(SYS_rt_sigsuspend, &none, 8), EINTR);
	EQ("handler ran during suspend", got, SIGUSR1);
	uint64_t after;
	OKQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &after, 8));
	YES("mask restored after suspend", (after & usr1) != 0);
	return 0;
}
