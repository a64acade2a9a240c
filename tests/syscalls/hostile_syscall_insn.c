//go:build ignore

/* hostile_syscall_insn: the `syscall` instruction run with forged
 * registers and from odd places: every register but rax/rcx/r11 kept,
 * rcx/r11 set as the CPU does, out-of-range and high-bit syscall numbers,
 * from a signal handler, from code in an mmap'd page, on the stack, at the
 * very end of a page, in a page the call itself revokes, a forged
 * rt_sigreturn frame (SROP), and a jump into a just-unmapped page (which
 * must raise SIGSEGV). Run chrooted natively and with --root in the
 * sandbox; expected output is in testdata/hostile_syscall_insn.golden. */
#include "common.h"
#include <sys/mman.h>
#include <ucontext.h>

#define PG 4096L

/* regs_probe(out): sets rbx, rbp, r12-r15, rdi, rsi, rdx, r10, r8, r9 to
 * known values, makes getpid through `syscall`, then stores those
 * registers, rcx, r11, rax, the flags from before the call and the
 * address after the instruction into out[0..16]. */
__asm__(
	".text\n"
	".globl regs_probe\n"
	"regs_probe:\n"
	"  pushq %rbx\n  pushq %rbp\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
	"  pushq %rdi\n"
	"  movabsq $0x1111111111111111, %rbx\n"
	"  movabsq $0x2222222222222222, %rbp\n"
	"  movabsq $0x3333333333333333, %r12\n"
	"  movabsq $0x4444444444444444, %r13\n"
	"  movabsq $0x5555555555555555, %r14\n"
	"  movabsq $0x6666666666666666, %r15\n"
	"  movabsq $0x7777777777777777, %rdi\n"
	"  movabsq $0x8888888888888888, %rsi\n"
	"  movabsq $0x9999999999999999, %rdx\n"
	"  movabsq $0xaaaaaaaaaaaaaaaa, %r10\n"
	"  movabsq $0xbbbbbbbbbbbbbbbb, %r8\n"
	"  movabsq $0xcccccccccccccccc, %r9\n"
	"  pushfq\n"
	"  movl $39, %eax\n"
	"  syscall\n"
	"1:\n"
	"  pushq %rax\n"
	"  movq 16(%rsp), %rax\n"
	"  movq %rbx, 0(%rax)\n  movq %rbp, 8(%rax)\n  movq %r12, 16(%rax)\n  movq %r13, 24(%rax)\n"
	"  movq %r14, 32(%rax)\n  movq %r15, 40(%rax)\n  movq %rdi, 48(%rax)\n  movq %rsi, 56(%rax)\n"
	"  movq %rdx, 64(%rax)\n  movq %r10, 72(%rax)\n  movq %r8, 80(%rax)\n  movq %r9, 88(%rax)\n"
	"  movq %rcx, 96(%rax)\n  movq %r11, 104(%rax)\n"
	"  popq %rbx\n  movq %rbx, 112(%rax)\n"
	"  popq %rbx\n  movq %rbx, 120(%rax)\n"
	"  leaq 1b(%rip), %rbx\n  movq %rbx, 128(%rax)\n"
	"  popq %rdi\n"
	"  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbp\n  popq %rbx\n"
	"  ret\n");
void regs_probe(uint64_t *out);

/* raw6 makes a system call with every argument register set. */
static long raw6(unsigned long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
	return ret;
}

static volatile long handler_pid, handler_write;

static void on_usr1(int sig)
{
	(void)sig;
	handler_pid = raw6(SYS_getpid, 0, 0, 0, 0, 0, 0);
	handler_write = raw6(SYS_write, 1, (long)"write from a signal handler\n", 28, 0, 0, 0);
}

/* getpid_code is `mov $39,%eax; syscall; ret`. */
static const unsigned char getpid_code[] = { 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0xc3 };

static sigjmp_buf srop_jb;
static volatile long srop_rdi, srop_r15;

static void srop_landing(long rdi)
{
	long r15;
	__asm__ volatile("mov %%r15, %0" : "=r"(r15));
	srop_rdi = rdi;
	srop_r15 = r15;
	siglongjmp(srop_jb, 1);
}

int main(void)
{
	long pid = getpid();

	/* Registers across a system call. */
	uint64_t o[17];
	regs_probe(o);
	static const uint64_t want[] = { 0x1111111111111111, 0x2222222222222222, 0x3333333333333333,
		0x4444444444444444, 0x5555555555555555, 0x6666666666666666, 0x7777777777777777,
		0x8888888888888888, 0x9999999999999999, 0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb,
		0xcccccccccccccccc };
	static const char *names[] = { "rbx", "rbp", "r12", "r13", "r14", "r15", "rdi", "rsi", "rdx", "r10", "r8", "r9" };
	for (int i = 0; i < 12; i++) {
		char l[64];
		snprintf(l, sizeof l, "%s preserved", names[i]);
		YES(l, o[i] == want[i]);
	}
	YES("rax is the pid", (long)o[14] == pid);
	YES("rcx is the address after syscall", o[12] == o[16]);
	YES("r11 is the flags from before", (o[13] & 0x3f7fd7) == (o[15] & 0x3f7fd7));

	/* Forged syscall numbers. */
	YES("upper 32 bits of rax are ignored (0x100000027 is getpid)", raw6(0x100000027UL, 0, 0, 0, 0, 0, 0) == pid);
	EQ("rax -1", raw6(-1UL, 0, 0, 0, 0, 0, 0), -ENOSYS);
	EQ("rax 0x7fffffff", raw6(0x7fffffffUL, 0, 0, 0, 0, 0, 0), -ENOSYS);
	EQ("rax 0x80000000", raw6(0x80000000UL, 0, 0, 0, 0, 0, 0), -ENOSYS);
	EQ("rax 1000", raw6(1000, 0, 0, 0, 0, 0, 0), -ENOSYS);
	YES("getpid ignores garbage arguments", raw6(SYS_getpid, -1, -2, -3, -4, -5, -6) == pid);
	EQ("write with garbage upper bits in fd", raw6(SYS_write, 0xffffffff00000001L, (long)"fd wraps to 1\n", 14, 0, 0, 0), 14);

	/* From a signal handler. */
	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	YES("getpid in handler", handler_pid == pid);
	EQ("write in handler", handler_write, 28);

	/* From an mmap'd page: RWX, and written then made RX. */
	unsigned char *page = mmap(NULL, PG, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(page, getpid_code, sizeof getpid_code);
	YES("syscall from RWX page", ((long (*)(void))page)() == pid);
	OKQ(mprotect(page, PG, PROT_READ | PROT_EXEC));
	YES("syscall from RX page", ((long (*)(void))page)() == pid);

	/* From the stack: not executable, then made executable. */
	unsigned char stackbuf[3 * PG];
	unsigned char *sp = (unsigned char *)(((uintptr_t)stackbuf + PG - 1) & ~(PG - 1));
	memcpy(sp, getpid_code, sizeof getpid_code);
	SEQ("call into the stack", probe(sp, PROBE_EXEC), "SIGSEGV/SEGV_ACCERR");
	OKQ(mprotect(sp, PG, PROT_READ | PROT_WRITE | PROT_EXEC));
	YES("syscall from an executable stack page", ((long (*)(void))sp)() == pid);
	OKQ(mprotect(sp, PG, PROT_READ | PROT_WRITE));

	/* `syscall` as the last instruction of a page whose successor is
	 * unmapped: the call completes, then fetching the next instruction
	 * faults at the start of the next page. */
	unsigned char *two = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	OKQ(munmap(two + PG, PG));
	unsigned char *at = two + PG - 7;
	memcpy(at, getpid_code, 7); /* without the ret */
	SEQ("run off the end of a page after syscall", probe_at(at, two + PG), "SIGSEGV/SEGV_MAPERR");

	/* A page that revokes its own execute permission with mprotect: the
	 * fetch after `syscall` faults. mov $10,%eax; mov $page,%rdi;
	 * mov $4096,%esi; mov $1,%edx (PROT_READ); syscall; ret */
	unsigned char *self = mmap(NULL, PG, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char code[32] = { 0xb8, 10, 0, 0, 0, 0x48, 0xbf };
	uint64_t addr = (uint64_t)self;
	memcpy(code + 7, &addr, 8);
	unsigned char tail[] = { 0xbe, 0, 0x10, 0, 0, 0xba, 1, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	memcpy(code + 15, tail, sizeof tail);
	memcpy(self, code, sizeof code);
	SEQ("code that revokes its own PROT_EXEC", probe_at(self, self + 27), "SIGSEGV/SEGV_ACCERR");

	/* A jump into a page right after munmap must fault. */
	unsigned char *gone = mmap(NULL, PG, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(gone, getpid_code, sizeof getpid_code);
	YES("code runs before munmap", ((long (*)(void))gone)() == pid);
	OKQ(munmap(gone, PG));
	SEQ("jump into unmapped page", probe(gone, PROBE_EXEC), "SIGSEGV/SEGV_MAPERR");

	/* SROP: rt_sigreturn with a forged frame resumes wherever the frame
	 * says, with the registers it holds. */
	static unsigned char altstack[64 * 1024] __attribute__((aligned(16)));
	static ucontext_t uc __attribute__((aligned(64)));
	memset(&uc, 0, sizeof uc);
	uc.uc_stack.ss_flags = SS_DISABLE;
	uc.uc_mcontext.gregs[REG_RIP] = (greg_t)srop_landing;
	uc.uc_mcontext.gregs[REG_RSP] = (greg_t)(altstack + sizeof altstack - 8);
	uc.uc_mcontext.gregs[REG_RDI] = 42;
	uc.uc_mcontext.gregs[REG_R15] = 0x1515;
	uc.uc_mcontext.gregs[REG_EFL] = 0x202;
	uc.uc_mcontext.gregs[REG_CSGSFS] = 0x33 | (0x2bL << 48);
	uc.uc_mcontext.fpregs = NULL;
	sigemptyset(&uc.uc_sigmask);
	if (sigsetjmp(srop_jb, 1) == 0) {
		__asm__ volatile("mov %0, %%rsp\n mov $15, %%eax\n syscall\n ud2" : : "r"(&uc) : "memory");
	}
	EQ("forged frame: rdi", srop_rdi, 42);
	EQ("forged frame: r15", srop_r15, 0x1515);
	printf("still running\n");
	return 0;
}
