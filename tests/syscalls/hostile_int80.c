//go:build ignore

/* hostile_int80: legacy and invalid system call gates from a 64-bit
 * process. `int $0x80` takes the i386 system call table (eax=20 is
 * getpid there, but writev in the 64-bit table): a sandbox must either
 * run the i386 call as Linux does, refuse it (-ENOSYS) or raise SIGSEGV;
 * it must never run the 64-bit call of the same number. `int $0x81` is no
 * gate at all and raises SIGSEGV. */
#include "common.h"
#include <sys/uio.h>

static long int80(long eax, long rdi, long rsi, long rdx)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(eax), "D"(rdi), "S"(rsi), "d"(rdx), "b"(0), "c"(0) : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

static sigjmp_buf jb;
static volatile int caught;

static void on_fault(int sig)
{
	caught = sig;
	siglongjmp(jb, 1);
}

int main(void)
{
	long pid = getpid();
	struct iovec iov = { "LEAK: 64-bit writev ran\n", 24 };
	signal(SIGSEGV, on_fault);
	long r = 0;
	caught = 0;
	if (sigsetjmp(jb, 1) == 0) r = int80(20, 1, (long)&iov, 1);
	YES("int $0x80 eax=20: i386 getpid, -ENOSYS or SIGSEGV", caught == SIGSEGV || r == pid || r == -ENOSYS);
	YES("it did not run 64-bit writev", r != 24);

	/* eax=4 is write in the i386 table (arguments in ebx, ecx, edx) and
	 * stat in the 64-bit one; a sandbox confusing the two tables or the
	 * argument registers would print LEAK or succeed. */
	caught = 0;
	r = 0;
	if (sigsetjmp(jb, 1) == 0) r = int80(4, 1, (long)"LEAK\n", 5);
	/* i386 write(ebx=0, ecx=NULL, edx=5) fails (stdin is not writable,
	 * the buffer is NULL). */
	YES("int $0x80 eax=4: no 64-bit write", caught == SIGSEGV || r < 0);

	caught = 0;
	if (sigsetjmp(jb, 1) == 0) __asm__ volatile("int $0x81" ::: "memory");
	EQ("int $0x81 raises", caught, SIGSEGV);
	printf("still running\n");
	return 0;
}
