//go:build ignore

/* fsync: fsync(2) and fdatasync(2) on files, directories, read-only
 * descriptors, and EBADF/EINVAL on things that cannot be synced. */
#include "common.h"

int main(void)
{
	tmp_enter();
	write_file("f", "x");
	int fd = OKQ(open("f", O_RDWR));
	OKQ(write(fd, "more", 4));
	OK("fsync", syscall(SYS_fsync, fd));
	OK("fdatasync", syscall(SYS_fdatasync, fd));
	close(fd);
	int ro = OKQ(open("f", O_RDONLY));
	OK("fsync read-only fd", syscall(SYS_fsync, ro));
	OK("fdatasync read-only fd", syscall(SYS_fdatasync, ro));
	close(ro);
	int d = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	OK("fsync dir", syscall(SYS_fsync, d));
	OK("fdatasync dir", syscall(SYS_fdatasync, d));
	close(d);
	ERR("fsync bad fd", syscall(SYS_fsync, 9999), EBADF);
	ERR("fdatasync bad fd", syscall(SYS_fdatasync, -1), EBADF);
	int p[2];
	OKQ(pipe(p));
	ERR("fsync pipe", syscall(SYS_fsync, p[1]), EINVAL);
	ERR("fdatasync pipe", syscall(SYS_fdatasync, p[0]), EINVAL);
	int op = OKQ(open("f", O_PATH));
	ERR("fsync O_PATH fd", syscall(SYS_fsync, op), EBADF);
	return 0;
}
