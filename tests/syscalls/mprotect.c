//go:build ignore

/* mprotect: mprotect(2): read-only, none and executable pages, splitting a
 * mapping, and EINVAL / ENOMEM / EACCES. */
#include "common.h"
#include <sys/mman.h>

#define PG 4096L

int main(void)
{
	char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) FAIL("mmap: %s", errname(errno));
	memset(p, 1, 3 * PG);

	OK("mprotect read-only", syscall(SYS_mprotect, p, PG, PROT_READ));
	SEQ("write read-only", probe(p, PROBE_WRITE), "SIGSEGV/SEGV_ACCERR");
	SEQ("read read-only", probe(p, PROBE_READ), "ok");
	SEQ("next page still writable", probe(p + PG, PROBE_WRITE), "ok");
	OK("mprotect none", syscall(SYS_mprotect, p + PG, PG, PROT_NONE));
	SEQ("read PROT_NONE", probe(p + PG, PROBE_READ), "SIGSEGV/SEGV_ACCERR");
	OK("mprotect back to rw", syscall(SYS_mprotect, p, 2 * PG, PROT_READ | PROT_WRITE));
	SEQ("write after restore", probe(p + PG, PROBE_WRITE), "ok");
	YES("data kept across PROT_NONE", p[PG + 1] == 1);

	/* Code in a page: not executable, then executable. */
	p[2 * PG] = (char)0xc3; /* ret */
	SEQ("call non-exec page", probe(p + 2 * PG, PROBE_EXEC), "SIGSEGV/SEGV_ACCERR");
	OK("mprotect read+exec", syscall(SYS_mprotect, p + 2 * PG, PG, PROT_READ | PROT_EXEC));
	SEQ("call exec page", probe(p + 2 * PG, PROBE_EXEC), "ok");
	SEQ("write exec page", probe(p + 2 * PG, PROBE_WRITE), "SIGSEGV/SEGV_ACCERR");
	OK("mprotect rwx", syscall(SYS_mprotect, p + 2 * PG, PG, PROT_READ | PROT_WRITE | PROT_EXEC));
	SEQ("write rwx page", probe(p + 2 * PG + 8, PROBE_WRITE), "ok");

	ERR("unaligned", syscall(SYS_mprotect, p + 1, PG, PROT_READ), EINVAL);
	ERR("bad prot bits", syscall(SYS_mprotect, p, PG, 0x100), EINVAL);
	OK("length 0", syscall(SYS_mprotect, p, 0, PROT_READ));
	OK("unaligned length rounds up", syscall(SYS_mprotect, p, 1, PROT_READ | PROT_WRITE));
	OKQ(munmap(p + PG, PG));
	ERR("range with a hole", syscall(SYS_mprotect, p, 3 * PG, PROT_READ), ENOMEM);
	ERR("unmapped range", syscall(SYS_mprotect, p + PG, PG, PROT_READ), ENOMEM);
	ERR("beyond user space", syscall(SYS_mprotect, 1UL << 47, PG, PROT_READ), ENOMEM);
	/* PROT_GROWSDOWN needs a MAP_GROWSDOWN mapping. */
	ERR("PROT_GROWSDOWN on plain mapping", syscall(SYS_mprotect, p, PG, PROT_READ | PROT_GROWSDOWN), EINVAL);

	/* A shared file mapping opened read-only cannot become writable. */
	tmp_enter();
	write_file("f", "abc");
	int fd = OKQ(open("f", O_RDONLY));
	char *m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	YES("map read-only file shared", m != MAP_FAILED);
	ERR("make it writable", syscall(SYS_mprotect, m, PG, PROT_READ | PROT_WRITE), EACCES);
	char *pm = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
	OK("private copy can become writable", syscall(SYS_mprotect, pm, PG, PROT_READ | PROT_WRITE));
	pm[0] = 'X';
	YES("private write not in file", m[0] == 'a');
	close(fd);
	return 0;
}
