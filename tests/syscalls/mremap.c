//go:build ignore

/* mremap: mremap(2): growing in place and by moving, shrinking, fixed
 * targets, MREMAP_DONTUNMAP's flag rules, and EINVAL / ENOMEM / EFAULT. */
#include "common.h"
#include <sys/mman.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define PG 4096L

int main(void)
{
	/* Reserve a window so placement is predictable. */
	char *win = mmap(NULL, 64 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (win == MAP_FAILED) FAIL("mmap window: %s", errname(errno));
	OKQ(munmap(win, 64 * PG));
	char *p = mmap(win, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	memset(p, 'a', 2 * PG);

	char *g = (char *)syscall(SYS_mremap, p, 2 * PG, 4 * PG, 0);
	YES("grow in place", g == p);
	YES("old data kept", g[2 * PG - 1] == 'a');
	YES("new part is zero", g[3 * PG] == 0);
	char *s = (char *)syscall(SYS_mremap, p, 4 * PG, PG, 0);
	YES("shrink in place", s == p);
	SEQ("released tail faults", probe(p + 2 * PG, PROBE_READ), "SIGSEGV/SEGV_MAPERR");

	/* A mapping right after blocks growth unless the kernel may move. */
	char *block = mmap(p + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	YES("blocker mapped", block == p + PG);
	ERR("grow blocked without MAYMOVE", syscall(SYS_mremap, p, PG, 3 * PG, 0), ENOMEM);
	char *m = (char *)syscall(SYS_mremap, p, PG, 3 * PG, MREMAP_MAYMOVE);
	YES("grow by moving", m != MAP_FAILED && m != p);
	YES("moved data kept", m[0] == 'a' && m[PG - 1] == 'a');
	SEQ("old address unmapped", probe(p, PROBE_READ), "SIGSEGV/SEGV_MAPERR");

	char *target = win + 32 * PG;
	char *f = (char *)syscall(SYS_mremap, m, 3 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	YES("MREMAP_FIXED", f == target && f[0] == 'a');
	ERR("FIXED without MAYMOVE", syscall(SYS_mremap, f, PG, PG, MREMAP_FIXED, win + 48 * PG), EINVAL);
	ERR("FIXED overlapping itself", syscall(SYS_mremap, f, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, f + PG), EINVAL);
	ERR("unaligned old address", syscall(SYS_mremap, f + 1, PG, 2 * PG, MREMAP_MAYMOVE), EINVAL);
	ERR("new size 0", syscall(SYS_mremap, f, PG, 0, MREMAP_MAYMOVE), EINVAL);
	ERR("bad flags", syscall(SYS_mremap, f, PG, PG, 0x80), EINVAL);
	ERR("unmapped old range", syscall(SYS_mremap, p, PG, 2 * PG, MREMAP_MAYMOVE), EFAULT);
	ERR("old range bigger than mapping", syscall(SYS_mremap, f, 8 * PG, 9 * PG, MREMAP_MAYMOVE), EFAULT);

	/* MREMAP_DONTUNMAP's own rules. (Its success case is left out: this
	 * host's kernel refuses it with EINVAL even for plain anonymous
	 * memory.) */
	ERR("DONTUNMAP with size change", syscall(SYS_mremap, f, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP), EINVAL);
	ERR("DONTUNMAP without MAYMOVE", syscall(SYS_mremap, f, PG, PG, MREMAP_DONTUNMAP), EINVAL);
	return 0;
}
