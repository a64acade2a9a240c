//go:build ignore

/* statfs: statfs(2) and fstatfs(2): file system types that are part of
 * the ABI (proc), consistent fields, and the errors. Block counts and
 * the type of /tmp legitimately differ between host and sandbox. */
#include "common.h"
#include <sys/statfs.h>

#define PROC_SUPER_MAGIC 0x9fa0

int main(void)
{
	tmp_enter();
	struct statfs a, b;

	OK("statfs .", syscall(SYS_statfs, ".", &a));
	YES("bsize > 0", a.f_bsize > 0);
	YES("bfree <= blocks", a.f_bfree <= a.f_blocks);
	YES("bavail <= bfree", a.f_bavail <= a.f_bfree);
	YES("ffree <= files", a.f_ffree <= a.f_files);
	EQ("namelen", a.f_namelen, 255);
	write_file("f", "x");
	int fd = OKQ(open("f", O_RDONLY));
	OK("fstatfs", syscall(SYS_fstatfs, fd, &b));
	YES("same type as statfs", a.f_type == b.f_type && a.f_bsize == b.f_bsize);
	close(fd);

	OK("statfs /proc", syscall(SYS_statfs, "/proc", &a));
	YES("/proc is procfs", a.f_type == PROC_SUPER_MAGIC);
	int p = OKQ(open("/proc/self/status", O_RDONLY));
	OK("fstatfs /proc file", syscall(SYS_fstatfs, p, &b));
	YES("proc file on procfs", b.f_type == PROC_SUPER_MAGIC);
	close(p);

	ERR("statfs missing", syscall(SYS_statfs, "missing", &a), ENOENT);
	ERR("statfs through file", syscall(SYS_statfs, "f/x", &a), ENOTDIR);
	ERR("statfs bad path", syscall(SYS_statfs, BADPTR, &a), EFAULT);
	ERR("statfs bad buffer", syscall(SYS_statfs, ".", BADPTR), EFAULT);
	ERR("fstatfs bad fd", syscall(SYS_fstatfs, 9999, &a), EBADF);
	ERR("fstatfs bad buffer", syscall(SYS_fstatfs, 0, BADPTR), EFAULT);
	return 0;
}
