//go:build ignore

/* copy_file_range: copy_file_range(2) with and without offsets, EOF,
 * overlapping ranges in one file, and its errors. */
#include "common.h"

int main(void)
{
	tmp_enter();
	char buf[64];
	write_file("src", "ABCDEFGHIJKLMNOP");
	int in = OKQ(open("src", O_RDONLY));
	int out = OKQ(open("dst", O_RDWR | O_CREAT | O_TRUNC, 0644));

	EQ("copy 4 using file offsets", syscall(SYS_copy_file_range, in, NULL, out, NULL, 4, 0), 4);
	EQ("in offset advanced", lseek(in, 0, SEEK_CUR), 4);
	EQ("out offset advanced", lseek(out, 0, SEEK_CUR), 4);
	loff_t ioff = 10, ooff = 8;
	EQ("copy 3 with offsets", syscall(SYS_copy_file_range, in, &ioff, out, &ooff, 3, 0), 3);
	EQ("in offset pointer", ioff, 13);
	EQ("out offset pointer", ooff, 11);
	EQ("in file offset untouched", lseek(in, 0, SEEK_CUR), 4);
	EQ("copy past EOF is short", syscall(SYS_copy_file_range, in, NULL, out, NULL, 100, 0), 12);
	EQ("copy at EOF", syscall(SYS_copy_file_range, in, NULL, out, NULL, 100, 0), 0);
	EQ("copy 0 bytes", syscall(SYS_copy_file_range, in, NULL, out, NULL, 0, 0), 0);
	memset(buf, 0, sizeof buf);
	EQ("dst size", read_file("dst", buf, sizeof buf), 16);
	YES("dst content", memcmp(buf, "ABCDEFGHIJKLMNOP", 16) == 0);

	/* Same file, non-overlapping ranges are fine; overlapping are not. */
	int rw = OKQ(open("src", O_RDWR));
	ioff = 0; ooff = 8;
	EQ("same file disjoint", syscall(SYS_copy_file_range, rw, &ioff, rw, &ooff, 4, 0), 4);
	memset(buf, 0, sizeof buf);
	OKQ(read_file("src", buf, sizeof buf));
	SEQ("same file result", buf, "ABCDEFGHABCDMNOP");
	ioff = 0; ooff = 2;
	ERR("same file overlapping", syscall(SYS_copy_file_range, rw, &ioff, rw, &ooff, 4, 0), EINVAL);
	close(rw);

	ERR("flags non-zero", syscall(SYS_copy_file_range, in, NULL, out, NULL, 1, 1), EINVAL);
	ERR("bad in fd", syscall(SYS_copy_file_range, 9999, NULL, out, NULL, 1, 0), EBADF);
	ERR("bad out fd", syscall(SYS_copy_file_range, in, NULL, 9999, NULL, 1, 0), EBADF);
	ioff = 0;
	ERR("out fd read-only", syscall(SYS_copy_file_range, in, &ioff, in, NULL, 1, 0), EBADF);
	int wo = OKQ(open("src", O_WRONLY));
	ERR("in fd write-only", syscall(SYS_copy_file_range, wo, NULL, out, NULL, 1, 0), EBADF);
	close(wo);
	int ap = OKQ(open("dst", O_WRONLY | O_APPEND));
	ioff = 0;
	ERR("out fd O_APPEND", syscall(SYS_copy_file_range, in, &ioff, ap, NULL, 1, 0), EBADF);
	close(ap);
	int d = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	ERR("in fd directory", syscall(SYS_copy_file_range, d, NULL, out, NULL, 1, 0), EISDIR);
	close(d);
	ERR("bad offset pointer", syscall(SYS_copy_file_range, in, BADPTR, out, NULL, 1, 0), EFAULT);
	ioff = -1;
	ERR("negative offset", syscall(SYS_copy_file_range, in, &ioff, out, NULL, 1, 0), EOVERFLOW);
	return 0;
}
