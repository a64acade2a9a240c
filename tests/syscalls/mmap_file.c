//go:build ignore

/* mmap_file: file mappings: shared writes reach the file, private ones do
 * not, the partial last page, SIGBUS past EOF, and EACCES / EINVAL /
 * ENODEV / EBADF. */
#include "common.h"
#include <sys/mman.h>

#define PG 4096L

int main(void)
{
	tmp_enter();
	char buf[64];
	int fd = OKQ(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	OKQ(write(fd, "hello file", 10));

	char *s = (char *)syscall(SYS_mmap, NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	YES("map shared", s != MAP_FAILED);
	YES("mapping shows file", memcmp(s, "hello file", 10) == 0);
	YES("rest of last page is zero", s[10] == 0 && s[PG - 1] == 0);
	s[0] = 'H';
	memset(buf, 0, sizeof buf);
	EQ("pread sees shared write", pread(fd, buf, 10, 0), 10);
	SEQ("file content", buf, "Hello file");
	EQ("pwrite", pwrite(fd, "F", 1, 6), 1);
	YES("mapping sees pwrite", s[6] == 'F');
	OK("msync", msync(s, PG, MS_SYNC));

	char *pv = (char *)syscall(SYS_mmap, NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	YES("map private", pv != MAP_FAILED && pv[0] == 'H');
	pv[1] = 'E';
	EQ("pread after private write", pread(fd, buf, 2, 0), 2);
	YES("file unchanged by private write", buf[1] == 'e');
	YES("shared mapping unchanged", s[1] == 'e');

	/* Two pages mapped over a 10-byte file: the second faults. */
	char *two = (char *)syscall(SYS_mmap, NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	YES("map past EOF", two != MAP_FAILED);
	SEQ("read within last page", probe(two + 100, PROBE_READ), "ok");
	SEQ("read page past EOF", probe(two + PG, PROBE_READ), "SIGBUS/BUS_ADRERR");
	OKQ(ftruncate(fd, 2 * PG));
	SEQ("after growing the file", probe(two + PG, PROBE_READ), "ok");
	OKQ(ftruncate(fd, 10));
	SEQ("after shrinking again", probe(two + PG, PROBE_READ), "SIGBUS/BUS_ADRERR");

	/* Offsets. */
	OKQ(ftruncate(fd, 3 * PG));
	OKQ(pwrite(fd, "page2", 5, 2 * PG));
	char *o = (char *)syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_SHARED, fd, 2 * PG);
	YES("offset mapping", o != MAP_FAILED && memcmp(o, "page2", 5) == 0);
	ERR("unaligned offset", syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_SHARED, fd, 100), EINVAL);

	int ro = OKQ(open("f", O_RDONLY));
	ERR("shared writable on read-only fd", syscall(SYS_mmap, NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
	char *rp = (char *)syscall(SYS_mmap, NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	YES("private writable on read-only fd", rp != MAP_FAILED);
	int wo = OKQ(open("f", O_WRONLY));
	ERR("map write-only fd", syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
	int ap = OKQ(open("f", O_RDWR | O_APPEND));
	char *apm = (char *)syscall(SYS_mmap, NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0);
	YES("shared writable on O_APPEND fd is allowed", apm != MAP_FAILED);
	close(ap);
	int d = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	ERR("map directory", syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_PRIVATE, d, 0), ENODEV);
	int p[2];
	OKQ(pipe(p));
	ERR("map pipe", syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_PRIVATE, p[0], 0), ENODEV);
	ERR("map closed fd", syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_PRIVATE, 9999, 0), EBADF);

	/* The mapping outlives the descriptor and the name. */
	close(fd);
	OKQ(unlink("f"));
	YES("mapping survives close+unlink", s[0] == 'H' && o[0] == 'p');
	OK("munmap", syscall(SYS_munmap, s, PG));
	return 0;
}
