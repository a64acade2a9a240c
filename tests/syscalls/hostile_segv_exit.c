//go:build ignore

/* hostile_segv_exit: code copied to a page that is then unmapped, and
 * jumped into with no SIGSEGV handler: the process must die of SIGSEGV
 * (exit code 139 through `runsc do`), with its earlier output intact. */
#include "common.h"
#include <sys/mman.h>

int main(void)
{
	unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) FAIL("mmap: %s", errname(errno));
	p[0] = 0xc3; /* ret */
	((void (*)(void))p)();
	printf("code ran while mapped\n");
	OKQ(munmap(p, 4096));
	printf("jumping into the unmapped page\n");
	((void (*)(void))p)();
	printf("FAIL: survived a jump into an unmapped page\n");
	return 1;
}
