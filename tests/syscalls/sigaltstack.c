//go:build ignore

/* sigaltstack: sigaltstack(2): handlers with SA_ONSTACK run on the
 * alternate stack, SS_ONSTACK is reported there, SS_AUTODISARM, and
 * ENOMEM / EINVAL / EPERM / EFAULT. */
#include "common.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static char *alt;
static size_t altsize = 64 * 1024;
static volatile int on_alt, flags_in_handler, eperm_in_handler, ran, try_change;

static void handler(int sig)
{
	(void)sig;
	char local;
	on_alt = &local >= alt && &local < alt + altsize;
	stack_t cur;
	syscall(SYS_sigaltstack, NULL, &cur);
	flags_in_handler = cur.ss_flags;
	if (try_change) {
		stack_t again = { .ss_sp = alt, .ss_size = altsize, .ss_flags = 0 };
		eperm_in_handler = syscall(SYS_sigaltstack, &again, NULL) == -1 && errno == EPERM;
	}
	ran++;
}

int main(void)
{
	alt = malloc(altsize);
	stack_t ss = { .ss_sp = alt, .ss_size = altsize, .ss_flags = 0 }, old;
	OK("query initial", syscall(SYS_sigaltstack, NULL, &old));
	EQ("initially disabled", old.ss_flags, SS_DISABLE);
	OK("set", syscall(SYS_sigaltstack, &ss, &old));
	OK("query", syscall(SYS_sigaltstack, NULL, &old));
	YES("reported back", old.ss_sp == alt && old.ss_size == altsize && old.ss_flags == 0);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_ONSTACK;
	OKQ(sigaction(SIGUSR1, &sa, NULL));
	try_change = 1;
	raise(SIGUSR1);
	try_change = 0;
	YES("handler ran on alternate stack", ran == 1 && on_alt);
	EQ("SS_ONSTACK inside handler", flags_in_handler, SS_ONSTACK);
	YES("changing it while on it: EPERM", eperm_in_handler);

	/* Without SA_ONSTACK the normal stack is used. */
	sa.sa_flags = 0;
	OKQ(sigaction(SIGUSR2, &sa, NULL));
	raise(SIGUSR2);
	YES("handler without SA_ONSTACK on normal stack", ran == 2 && !on_alt);

	/* SS_AUTODISARM: disabled while the handler runs. */
	ss.ss_flags = SS_AUTODISARM;
	OK("set SS_AUTODISARM", syscall(SYS_sigaltstack, &ss, NULL));
	raise(SIGUSR1);
	YES("ran on alternate stack", ran == 3 && on_alt);
	EQ("reported disabled inside handler", flags_in_handler, SS_DISABLE);
	OKQ(syscall(SYS_sigaltstack, NULL, &old));
	YES("re-armed after handler", old.ss_sp == alt && (old.ss_flags & SS_AUTODISARM));

	stack_t small = { .ss_sp = alt, .ss_size = 1024, .ss_flags = 0 };
	ERR("size below MINSIGSTKSZ", syscall(SYS_sigaltstack, &small, NULL), ENOMEM);
	stack_t badf = { .ss_sp = alt, .ss_size = altsize, .ss_flags = 0x10 };
	ERR("bad flags", syscall(SYS_sigaltstack, &badf, NULL), EINVAL);
	ERR("bad new pointer", syscall(SYS_sigaltstack, BADPTR, NULL), EFAULT);
	ERR("bad old pointer", syscall(SYS_sigaltstack, NULL, BADPTR), EFAULT);
	stack_t dis = { .ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE };
	OK("disable", syscall(SYS_sigaltstack, &dis, NULL));
	OKQ(syscall(SYS_sigaltstack, NULL, &old));
	EQ("disabled", old.ss_flags, SS_DISABLE);
	sa.sa_flags = SA_ONSTACK;
	OKQ(sigaction(SIGUSR1, &sa, NULL));
	raise(SIGUSR1);
	YES("SA_ONSTACK with no alt stack uses normal stack", ran == 4 && !on_alt);
	return 0;
}
