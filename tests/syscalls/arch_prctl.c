//go:build ignore

/* arch_prctl: arch_prctl(2): ARCH_GET_FS matches the thread pointer libc
 * uses, ARCH_SET_FS / ARCH_SET_GS change what %fs / %gs address (checked
 * with segment-relative loads, with libc untouched meanwhile),
 * ARCH_GET_CPUID, and EINVAL / EFAULT / EPERM. */
#include "common.h"
#include <asm/prctl.h>

static long raw2(long nr, long a, long b)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

int main(void)
{
	unsigned long fs = 0, gs = 1;
	OK("ARCH_GET_FS", syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	unsigned long self;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	YES("fs base is libc's thread pointer", fs != 0 && self == fs);
	OK("ARCH_GET_GS", syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
	EQ("gs base starts at 0", gs, 0);

	/* Point %fs at our own block, read through it, and put it back,
	 * using only raw system calls in between (libc needs its %fs). */
	static unsigned long block[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };
	block[0] = (unsigned long)block;
	unsigned long v1, v2, back = 0;
	long r1 = raw2(SYS_arch_prctl, ARCH_SET_FS, (long)block);
	__asm__ volatile("mov %%fs:8, %0" : "=r"(v1));
	long r2 = raw2(SYS_arch_prctl, ARCH_GET_FS, (long)&back);
	long r3 = raw2(SYS_arch_prctl, ARCH_SET_FS, (long)fs);
	EQ("ARCH_SET_FS result", r1, 0);
	EQ("load via new %fs", v1, 0x2222);
	EQ("ARCH_GET_FS result", r2, 0);
	YES("ARCH_GET_FS reports new base", back == (unsigned long)block);
	EQ("restore result", r3, 0);

	OK("ARCH_SET_GS", syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)block));
	__asm__ volatile("mov %%gs:16, %0" : "=r"(v2));
	EQ("load via new %gs", v2, 0x3333);
	OK("ARCH_GET_GS", syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
	YES("ARCH_GET_GS reports it", gs == (unsigned long)block);
	OK("ARCH_SET_GS 0", syscall(SYS_arch_prctl, ARCH_SET_GS, 0));

	EQ("ARCH_GET_CPUID", syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0), 1);
	ERR("unknown code", syscall(SYS_arch_prctl, 0x1999, 0), EINVAL);
	ERR("ARCH_GET_FS bad pointer", syscall(SYS_arch_prctl, ARCH_GET_FS, BADPTR), EFAULT);
	ERR("ARCH_SET_FS non-canonical", syscall(SYS_arch_prctl, ARCH_SET_FS, 0x8000000000000000UL), EPERM);
	ERR("ARCH_SET_GS kernel address", syscall(SYS_arch_prctl, ARCH_SET_GS, 0xffff800000000000UL), EPERM);
	YES("fs base unchanged after failures", (syscall(SYS_arch_prctl, ARCH_GET_FS, &back), back == fs));
	return 0;
}
