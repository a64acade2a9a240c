//go:build ignore

/* truncate: truncate(2) and ftruncate(2): growing with zeros, shrinking,
 * offsets left alone, and EINVAL/EISDIR/EBADF/ENOENT/EFAULT. */
#include "common.h"

int main(void)
{
	tmp_enter();
	struct stat st;
	char buf[32];
	write_file("f", "0123456789");

	OK("truncate shrink", syscall(SYS_truncate, "f", 4L));
	OKQ(stat("f", &st));
	EQ("size 4", st.st_size, 4);
	OK("truncate grow", syscall(SYS_truncate, "f", 8L));
	memset(buf, 'x', sizeof buf);
	EQ("read grown", read_file("f", buf, sizeof buf), 8);
	YES("grown part is zeros", memcmp(buf, "0123\0\0\0\0", 8) == 0);
	ERR("truncate negative", syscall(SYS_truncate, "f", -1L), EINVAL);
	ERR("truncate dir", syscall(SYS_truncate, ".", 0L), EISDIR);
	ERR("truncate missing", syscall(SYS_truncate, "missing", 0L), ENOENT);
	ERR("truncate through file", syscall(SYS_truncate, "f/x", 0L), ENOTDIR);
	ERR("truncate bad path", syscall(SYS_truncate, BADPTR, 0L), EFAULT);
	OKQ(chmod("f", 0444));
	OK("truncate read-only mode as root", syscall(SYS_truncate, "f", 2L));
	OKQ(chmod("f", 0644));

	int fd = OKQ(open("f", O_RDWR));
	OKQ(lseek(fd, 2, SEEK_SET));
	OK("ftruncate 0", syscall(SYS_ftruncate, fd, 0L));
	EQ("offset unchanged", lseek(fd, 0, SEEK_CUR), 2);
	OKQ(fstat(fd, &st));
	EQ("size 0", st.st_size, 0);
	EQ("write at offset 2", write(fd, "Z", 1), 1);
	OKQ(fstat(fd, &st));
	EQ("size after write", st.st_size, 3);
	OK("ftruncate big", syscall(SYS_ftruncate, fd, 1L << 30));
	OKQ(fstat(fd, &st));
	EQ("size 1GiB", st.st_size, 1L << 30);
	OK("ftruncate back", syscall(SYS_ftruncate, fd, 3L));
	ERR("ftruncate negative", syscall(SYS_ftruncate, fd, -5L), EINVAL);
	close(fd);

	int ro = OKQ(open("f", O_RDONLY));
	ERR("ftruncate read-only fd", syscall(SYS_ftruncate, ro, 0L), EINVAL);
	close(ro);
	int d = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	ERR("ftruncate dir", syscall(SYS_ftruncate, d, 0L), EINVAL);
	close(d);
	ERR("ftruncate bad fd", syscall(SYS_ftruncate, 9999, 0L), EBADF);
	int p[2];
	OKQ(pipe(p));
	ERR("ftruncate pipe", syscall(SYS_ftruncate, p[1], 0L), EINVAL);
	return 0;
}
