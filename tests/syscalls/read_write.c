//go:build ignore

/* read_write: read(2) and write(2) on regular files, including the error
 * paths EBADF, EFAULT and EISDIR and the O_APPEND position rule. */
#include "common.h"

int main(void)
{
	tmp_enter();
	char buf[64];

	int fd = OK("open create", syscall(SYS_open, "f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	EQ("write 5", syscall(SYS_write, fd, "hello", 5), 5);
	EQ("write 0", syscall(SYS_write, fd, "", 0), 0);
	EQ("lseek 0", lseek(fd, 0, SEEK_SET), 0);
	memset(buf, 0, sizeof buf);
	EQ("read 64", syscall(SYS_read, fd, buf, 64), 5);
	SEQ("content", buf, "hello");
	EQ("read at eof", syscall(SYS_read, fd, buf, 64), 0);
	EQ("read 0 bytes", syscall(SYS_read, fd, buf, 0), 0);
	EQ("lseek 0 before bad read", lseek(fd, 0, SEEK_SET), 0);
	ERR("read bad buffer", syscall(SYS_read, fd, BADPTR, 4), EFAULT);
	EQ("lseek 0 again", lseek(fd, 0, SEEK_SET), 0);
	ERR("write bad buffer", syscall(SYS_write, fd, BADPTR, 4), EFAULT);
	OK("close", syscall(SYS_close, fd));

	ERR("read closed fd", syscall(SYS_read, fd, buf, 1), EBADF);
	ERR("write closed fd", syscall(SYS_write, fd, "x", 1), EBADF);
	ERR("read fd -1", syscall(SYS_read, -1, buf, 1), EBADF);
	ERR("write fd 100000", syscall(SYS_write, 100000, "x", 1), EBADF);

	int ro = OKQ(open("f", O_RDONLY));
	ERR("write read-only fd", syscall(SYS_write, ro, "x", 1), EBADF);
	close(ro);
	int wo = OKQ(open("f", O_WRONLY));
	ERR("read write-only fd", syscall(SYS_read, wo, buf, 1), EBADF);
	close(wo);

	int d = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	ERR("read directory", syscall(SYS_read, d, buf, 1), EISDIR);
	close(d);

	/* O_APPEND: every write goes to the end, whatever the offset. */
	int ap = OKQ(open("f", O_WRONLY | O_APPEND));
	EQ("lseek append fd to 0", lseek(ap, 0, SEEK_SET), 0);
	EQ("append write", write(ap, "XY", 2), 2);
	EQ("offset after append", lseek(ap, 0, SEEK_CUR), 7);
	close(ap);
	memset(buf, 0, sizeof buf);
	EQ("read back size", read_file("f", buf, sizeof buf), 7);
	SEQ("appended content", buf, "helloXY");

	/* A large write and read in one call. */
	static char big[1 << 20], big2[1 << 20];
	for (size_t i = 0; i < sizeof big; i++) big[i] = (char)(i * 7 + 3);
	int b = OKQ(open("big", O_RDWR | O_CREAT | O_TRUNC, 0600));
	EQ("write 1MiB", write(b, big, sizeof big), (long)sizeof big);
	lseek(b, 0, SEEK_SET);
	size_t got = 0;
	while (got < sizeof big2) {
		ssize_t n = read(b, big2 + got, sizeof big2 - got);
		if (n <= 0) break;
		got += (size_t)n;
	}
	EQ("read 1MiB", got, sizeof big);
	YES("1MiB round trip", memcmp(big, big2, sizeof big) == 0);
	close(b);

	/* Writing to stdout and stderr through raw write. */
	syscall(SYS_write, 1, "stdout line\n", 12);
	syscall(SYS_write, 2, "stderr line\n", 12);
	return 0;
}
