//go:build ignore

/* brk: the raw brk(2) system call: query, grow, shrink (not below the
 * start), zero fill of new memory and faults past the break. */
#include "common.h"
#include <sys/mman.h>

#define PG 4096L

int main(void)
{
	uintptr_t start = (uintptr_t)syscall(SYS_brk, 0);
	YES("brk(0) > 0", start > 0);
	uintptr_t same = (uintptr_t)syscall(SYS_brk, 0);
	YES("brk(0) stable", same == start);
	uintptr_t base = (start + PG - 1) & ~(PG - 1);

	uintptr_t grown = (uintptr_t)syscall(SYS_brk, base + 16 * PG);
	YES("grow 16 pages", grown == base + 16 * PG);
	char *mem = (char *)base;
	int zero = 1;
	for (long i = 0; i < 16 * PG; i++) zero &= mem[i] == 0;
	YES("new memory is zero", zero);
	memset(mem, 7, 16 * PG);
	SEQ("write below break", probe(mem + 16 * PG - 1, PROBE_WRITE), "ok");
	SEQ("page past break", probe(mem + 17 * PG, PROBE_READ), "SIGSEGV/SEGV_MAPERR");

	uintptr_t shrunk = (uintptr_t)syscall(SYS_brk, base + 4 * PG);
	YES("shrink to 4 pages", shrunk == base + 4 * PG);
	SEQ("released page faults", probe(mem + 8 * PG, PROBE_READ), "SIGSEGV/SEGV_MAPERR");
	YES("kept pages keep data", mem[4 * PG - 1] == 7);
	uintptr_t regrown = (uintptr_t)syscall(SYS_brk, base + 8 * PG);
	YES("grow again", regrown == base + 8 * PG);
	YES("regrown memory is zero", mem[6 * PG] == 0);

	/* Unaligned break values are kept as given. */
	uintptr_t odd = (uintptr_t)syscall(SYS_brk, base + 8 * PG + 123);
	YES("unaligned break returned as is", odd == base + 8 * PG + 123);
	SEQ("rest of the page usable", probe(mem + 9 * PG - 1, PROBE_WRITE), "ok");

	/* Invalid requests leave the break unchanged and return it. */
	uintptr_t low = (uintptr_t)syscall(SYS_brk, 4096);
	YES("below start: unchanged", low == odd);
	uintptr_t huge = (uintptr_t)syscall(SYS_brk, (1UL << 47) - PG);
	YES("beyond user space: unchanged", huge == odd);

	/* A mapping in the way stops growth. */
	void *block = mmap((void *)(base + 64 * PG), PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	YES("map a page above the break", block == (void *)(base + 64 * PG));
	uintptr_t blocked = (uintptr_t)syscall(SYS_brk, base + 128 * PG);
	YES("growth into a mapping refused", blocked == odd);
	munmap(block, PG);
	YES("back to start", (uintptr_t)syscall(SYS_brk, start) == start);
	return 0;
}
