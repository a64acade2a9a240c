//go:build ignore

/* signal_fpstate: the FP/SSE state around a signal handler. A handler
 * that clobbers xmm registers and the MXCSR leaves the interrupted code's
 * values intact after rt_sigreturn; a handler that edits the saved xmm0
 * in its ucontext changes what the interrupted code sees; the saved FP
 * state in the frame holds the interrupted values; the same on the
 * alternate stack, and with nested handlers; the upper halves of the ymm
 * registers (AVX, in the XSAVE area past the legacy 512 bytes) too, and the
 * frame's FP state says what it holds (FP_XSTATE_MAGIC1, its size). */
#include "common.h"
#include <ucontext.h>

static volatile int saw_value, nested_ran;
static volatile int mode; /* 0: clobber, 1: edit saved xmm0 */

static void clobber(void)
{
	double junk = 12345.678;
	unsigned mx = 0x7f80; /* all exceptions masked, round toward zero */
	__asm__ volatile("movsd %0, %%xmm0\n\tmovsd %0, %%xmm1\n\tmovsd %0, %%xmm7\n\tldmxcsr %1"
			 :
			 : "m"(junk), "m"(mx)
			 : "xmm0", "xmm1", "xmm7");
}

static void clobber_avx(void)
{
	static const unsigned char junk[32] = { [0 ... 31] = 0x5a };
	__asm__ volatile("vmovdqu %0, %%ymm0\n\tvmovdqu %0, %%ymm7" : : "m"(junk) : "xmm0", "xmm7");
}

static void inner(int sig)
{
	(void)sig;
	clobber();
	nested_ran++;
}

static void handler(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	double saved;
	memcpy(&saved, &uc->uc_mcontext.fpregs->_xmm[0], sizeof saved);
	saw_value = saved == 2.5;
	if (mode == 1) {
		double repl = 7.25;
		memcpy(&uc->uc_mcontext.fpregs->_xmm[0], &repl, sizeof repl);
	}
	if (mode == 2) {
		raise(SIGUSR2); /* a nested handler clobbers too */
	}
	clobber();
	if (mode == 3) {
		/* struct _fpx_sw_bytes in the fxsave area's bytes 464..511 */
		const unsigned char *fx = (const unsigned char *)uc->uc_mcontext.fpregs;
		unsigned magic1, xstate_size;
		memcpy(&magic1, fx + 464, 4);
		memcpy(&xstate_size, fx + 480, 4);
		saw_value = magic1 == 0x46505853U && xstate_size > 512;
		clobber_avx();
	}
}

/* run_avx keeps a pattern in ymm0 and ymm7 across a raise. */
static void run_avx(unsigned char out0[32], unsigned char out7[32])
{
	static const unsigned char a[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
	__asm__ volatile("vmovdqu %2, %%ymm0\n\t"
			 "vmovdqu %2, %%ymm7\n\t"
			 "mov $62, %%eax\n\t"
			 "mov %3, %%edi\n\t"
			 "mov $10, %%esi\n\t"
			 "syscall\n\t"
			 "vmovdqu %%ymm0, %0\n\t"
			 "vmovdqu %%ymm7, %1\n\t"
			 "vzeroupper"
			 : "=m"(*(unsigned char(*)[32])out0), "=m"(*(unsigned char(*)[32])out7)
			 : "m"(a), "r"(getpid())
			 : "rax", "rdi", "rsi", "rcx", "r11", "xmm0", "xmm7", "memory");
	(void)a;
}

/* run keeps 2.5 in xmm0 and 4.0 in xmm7 across a raise, and returns them. */
static void run(double *x0, double *x7, unsigned *mx)
{
	double a = 2.5, b = 4.0;
	__asm__ volatile("movsd %3, %%xmm0\n\t"
			 "movsd %4, %%xmm7\n\t"
			 "mov $62, %%eax\n\t" /* kill(getpid(), SIGUSR1) */
			 "mov %5, %%edi\n\t"
			 "mov $10, %%esi\n\t"
			 "syscall\n\t"
			 "movsd %%xmm0, %0\n\t"
			 "movsd %%xmm7, %1\n\t"
			 "stmxcsr %2"
			 : "=m"(*x0), "=m"(*x7), "=m"(*mx)
			 : "m"(a), "m"(b), "r"(getpid())
			 : "rax", "rdi", "rsi", "rcx", "r11", "xmm0", "xmm7", "memory");
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	OKQ(sigaction(SIGUSR1, &sa, NULL));
	struct sigaction si = { .sa_handler = inner };
	OKQ(sigaction(SIGUSR2, &si, NULL));
	unsigned mx0;
	__asm__ volatile("stmxcsr %0" : "=m"(mx0));

	double x0, x7;
	unsigned mx;
	mode = 0;
	run(&x0, &x7, &mx);
	YES("frame holds the interrupted xmm0", saw_value);
	YES("xmm0 and xmm7 survive a clobbering handler", x0 == 2.5 && x7 == 4.0);
	YES("MXCSR survives", mx == mx0);

	mode = 1;
	run(&x0, &x7, &mx);
	YES("an edited saved xmm0 comes back", x0 == 7.25 && x7 == 4.0);

	mode = 2;
	run(&x0, &x7, &mx);
	YES("nested handler ran", nested_ran == 1);
	YES("xmm survives nested handlers", x0 == 2.5 && x7 == 4.0 && mx == mx0);

	char *alt = malloc(64 * 1024);
	stack_t ss = { .ss_sp = alt, .ss_size = 64 * 1024 };
	OKQ(sigaltstack(&ss, NULL));
	sa.sa_flags |= SA_ONSTACK;
	OKQ(sigaction(SIGUSR1, &sa, NULL));
	mode = 0;
	run(&x0, &x7, &mx);
	YES("on the alternate stack too", saw_value && x0 == 2.5 && x7 == 4.0 && mx == mx0);
	mode = 1;
	run(&x0, &x7, &mx);
	YES("edited on the alternate stack", x0 == 7.25);

	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx")) {
		printf("no AVX: ymm checks skipped\n");
		return 0;
	}
	unsigned char y0[32], y7[32];
	mode = 3;
	saw_value = 0;
	run_avx(y0, y7);
	YES("the frame's FP state is an XSAVE area with its size", saw_value);
	int same = 1;
	for (int i = 0; i < 32; i++) {
		same &= y0[i] == i + 1 && y7[i] == i + 1;
	}
	YES("ymm0 and ymm7 (upper halves too) survive a handler using AVX", same);
	return 0;
}
