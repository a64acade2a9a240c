//go:build ignore

/* mmap_anon: anonymous mmap(2) and munmap(2): zero fill, fixed and
 * no-replace placement, partial unmaps, faults after unmap, and EINVAL /
 * EEXIST / ENOMEM. */
#include "common.h"
#include <sys/mman.h>

#define PG 4096L

int main(void)
{
	char *p = (char *)syscall(SYS_mmap, NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	YES("mmap 4 pages", p != MAP_FAILED);
	YES("page aligned", ((uintptr_t)p & (PG - 1)) == 0);
	int zero = 1;
	for (long i = 0; i < 4 * PG; i++) zero &= p[i] == 0;
	YES("zero filled", zero);
	memset(p, 0xab, 4 * PG);
	YES("writable", (unsigned char)p[4 * PG - 1] == 0xab);

	OK("munmap middle page", syscall(SYS_munmap, p + PG, PG));
	SEQ("read unmapped middle", probe(p + PG, PROBE_READ), "SIGSEGV/SEGV_MAPERR");
	SEQ("neighbours intact", probe(p, PROBE_READ), "ok");
	YES("last pages keep data", (unsigned char)p[2 * PG] == 0xab);

	char *q = (char *)syscall(SYS_mmap, p + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	YES("MAP_FIXED into the hole", q == p + PG);
	YES("fresh page is zero", q[0] == 0);
	SEQ("write read-only page", probe(q, PROBE_WRITE), "SIGSEGV/SEGV_ACCERR");
	char *r = (char *)syscall(SYS_mmap, p, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	YES("MAP_FIXED replaces", r == p && r[0] == 0);
	ERR("MAP_FIXED_NOREPLACE over mapping", syscall(SYS_mmap, p, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	OK("munmap whole range", syscall(SYS_munmap, p, 4 * PG));
	OK("munmap again (nothing mapped)", syscall(SYS_munmap, p, 4 * PG));
	SEQ("read after munmap", probe(p + 3 * PG, PROBE_READ), "SIGSEGV/SEGV_MAPERR");

	/* A hint that is free is honoured; MAP_FIXED_NOREPLACE then succeeds. */
	char *h = (char *)syscall(SYS_mmap, p, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	YES("MAP_FIXED_NOREPLACE on free range", h == p);
	OKQ(syscall(SYS_munmap, h, PG));

	ERR("length 0", syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	ERR("neither private nor shared", syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	ERR("MAP_SHARED_VALIDATE anonymous", syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0), EINVAL);
	ERR("unaligned MAP_FIXED", syscall(SYS_mmap, p + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
	ERR("too large", syscall(SYS_mmap, NULL, 1UL << 48, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	ERR("length overflows", syscall(SYS_mmap, NULL, -PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	ERR("MAP_FIXED beyond user space", syscall(SYS_mmap, 1UL << 47, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
	ERR("file mapping of bad fd", syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_PRIVATE, 9999, 0), EBADF);
	ERR("munmap unaligned", syscall(SYS_munmap, p + 1, PG), EINVAL);
	ERR("munmap length 0", syscall(SYS_munmap, p, 0), EINVAL);
	ERR("munmap beyond user space", syscall(SYS_munmap, 1UL << 47, PG), EINVAL);

	/* Shared anonymous memory and a large mapping touched page by page. */
	char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	YES("shared anonymous", s != MAP_FAILED && s[0] == 0);
	s[10] = 1;
	OKQ(munmap(s, PG));
	long big = 64L << 20;
	char *b = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	YES("64MiB mapping", b != MAP_FAILED);
	long sum = 0;
	for (long i = 0; i < big; i += PG) { b[i] = (char)(i / PG); sum += b[i]; }
	YES("64MiB touched", b[big - PG] == (char)((big - PG) / PG));
	OKQ(munmap(b, big));
	char *nr2 = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	SEQ("PROT_NONE read", probe(nr2, PROBE_READ), "SIGSEGV/SEGV_ACCERR");
	(void)sum;
	return 0;
}
