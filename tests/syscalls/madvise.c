//go:build ignore

/* madvise: madvise(2): MADV_DONTNEED zeroing private anonymous memory and
 * restoring file contents, the accepted hints, and EINVAL / ENOMEM. */
#include "common.h"
#include <sys/mman.h>

#define PG 4096L

int main(void)
{
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) FAIL("mmap: %s", errname(errno));
	memset(p, 'x', 4 * PG);
	OK("MADV_DONTNEED", syscall(SYS_madvise, p + PG, PG, MADV_DONTNEED));
	YES("dropped page reads zero", p[PG] == 0 && p[2 * PG - 1] == 0);
	YES("other pages kept", p[0] == 'x' && p[2 * PG] == 'x');

	static const struct { const char *name; int advice; } hints[] = {
		{ "MADV_NORMAL", MADV_NORMAL }, { "MADV_RANDOM", MADV_RANDOM },
		{ "MADV_SEQUENTIAL", MADV_SEQUENTIAL }, { "MADV_WILLNEED", MADV_WILLNEED },
		{ "MADV_DONTFORK", MADV_DONTFORK }, { "MADV_DOFORK", MADV_DOFORK },
		{ "MADV_HUGEPAGE", MADV_HUGEPAGE }, { "MADV_NOHUGEPAGE", MADV_NOHUGEPAGE },
		{ "MADV_DONTDUMP", MADV_DONTDUMP }, { "MADV_DODUMP", MADV_DODUMP },
	};
	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
		OK(hints[i].name, syscall(SYS_madvise, p, 4 * PG, hints[i].advice));
	YES("memory usable after hints", (p[3 * PG] = 'y') == 'y');
	YES("hints kept the data", p[0] == 'x' && p[3 * PG - 1] == 'x');

	/* MADV_FREE: the contents may go at any time (Linux keeps them until
	 * memory is short, a sandbox may drop them at once), so only the call
	 * and later use are checked. */
	char *fr = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(fr, 'f', 2 * PG);
	OK("MADV_FREE", syscall(SYS_madvise, fr, 2 * PG, MADV_FREE));
	YES("freed page reads 'f' or 0", fr[0] == 'f' || fr[0] == 0);
	fr[0] = 'g';
	YES("freed page writable again", fr[0] == 'g');

	ERR("unknown advice", syscall(SYS_madvise, p, PG, 12345), EINVAL);
	ERR("unaligned start", syscall(SYS_madvise, p + 1, PG, MADV_NORMAL), EINVAL);
	OK("length 0", syscall(SYS_madvise, p, 0, MADV_NORMAL));
	OKQ(munmap(p + 2 * PG, PG));
	ERR("range with a hole", syscall(SYS_madvise, p, 4 * PG, MADV_NORMAL), ENOMEM);
	ERR("unmapped range", syscall(SYS_madvise, p + 2 * PG, PG, MADV_DONTNEED), ENOMEM);
	YES("DONTNEED on a hole leaves data", p[0] == 'x');

	/* On a private file mapping MADV_DONTNEED brings back file data. */
	tmp_enter();
	write_file("f", "file data");
	int fd = OKQ(open("f", O_RDONLY));
	char *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	YES("map file", m != MAP_FAILED);
	m[0] = 'F';
	YES("private change visible", m[0] == 'F');
	OK("MADV_DONTNEED on file mapping", syscall(SYS_madvise, m, PG, MADV_DONTNEED));
	YES("file content back", m[0] == 'f');
	close(fd);
	return 0;
}
