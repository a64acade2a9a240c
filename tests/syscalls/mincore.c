//go:build ignore

/* mincore: mincore(2) reports which pages of a mapping are resident: a
 * touched anonymous page is, an untouched one is not, and MADV_DONTNEED
 * drops it again; EINVAL for an unaligned address, ENOMEM for a range
 * with unmapped pages, EFAULT for a bad vector. */
#include "common.h"
#include <sys/mman.h>

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) FAIL("mmap: %s", errname(errno));
	unsigned char vec[4] = {9, 9, 9, 9};
	m[0] = 1;
	m[2 * pg] = 1;
	OK("mincore", mincore(m, 4 * pg, vec));
	EQ("touched page 0", vec[0] & 1, 1);
	EQ("untouched page 1", vec[1] & 1, 0);
	EQ("touched page 2", vec[2] & 1, 1);
	EQ("untouched page 3", vec[3] & 1, 0);
	OKQ(madvise(m, pg, MADV_DONTNEED));
	OKQ(mincore(m, pg, vec));
	EQ("after MADV_DONTNEED", vec[0] & 1, 0);
	OK("length 0", mincore(m, 0, vec));
	ERR("unaligned address", mincore(m + 1, pg, vec), EINVAL);
	OKQ(munmap(m + 3 * pg, pg));
	ERR("range with a hole", mincore(m, 4 * pg, vec), ENOMEM);
	ERR("bad vector", mincore(m, pg, BADPTR), EFAULT);
	return 0;
}
