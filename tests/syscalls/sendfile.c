//go:build ignore

/* sendfile: sendfile(2) between files and into a pipe, with and without
 * an offset pointer, and its errors. */
#include "common.h"

int main(void)
{
	tmp_enter();
	char buf[64];
	write_file("src", "0123456789abcdef");
	int in = OKQ(open("src", O_RDONLY));
	int out = OKQ(open("dst", O_RDWR | O_CREAT | O_TRUNC, 0644));

	EQ("sendfile 10 from file offset", syscall(SYS_sendfile, out, in, NULL, 10), 10);
	EQ("in offset advanced", lseek(in, 0, SEEK_CUR), 10);
	off_t off = 4;
	EQ("sendfile with offset", syscall(SYS_sendfile, out, in, &off, 3), 3);
	EQ("offset pointer advanced", off, 7);
	EQ("in offset untouched", lseek(in, 0, SEEK_CUR), 10);
	EQ("sendfile past EOF is short", syscall(SYS_sendfile, out, in, NULL, 100), 6);
	EQ("sendfile at EOF", syscall(SYS_sendfile, out, in, NULL, 100), 0);
	EQ("sendfile count 0", syscall(SYS_sendfile, out, in, NULL, 0), 0);
	memset(buf, 0, sizeof buf);
	EQ("dst size", read_file("dst", buf, sizeof buf), 19);
	SEQ("dst content", buf, "0123456789456abcdef");

	int p[2];
	OKQ(pipe(p));
	off = 0;
	EQ("sendfile into pipe", syscall(SYS_sendfile, p[1], in, &off, 5), 5);
	memset(buf, 0, sizeof buf);
	EQ("read pipe", read(p[0], buf, sizeof buf), 5);
	SEQ("pipe content", buf, "01234");
	EQ("refill pipe", write(p[1], "xy", 2), 2);
	ERR("sendfile from a pipe", syscall(SYS_sendfile, out, p[0], NULL, 2), EINVAL);

	off = -1;
	ERR("negative offset", syscall(SYS_sendfile, out, in, &off, 1), EINVAL);
	ERR("bad offset pointer", syscall(SYS_sendfile, out, in, BADPTR, 1), EFAULT);
	ERR("bad in fd", syscall(SYS_sendfile, out, 9999, NULL, 1), EBADF);
	ERR("bad out fd", syscall(SYS_sendfile, 9999, in, NULL, 1), EBADF);
	int wo = OKQ(open("src", O_WRONLY));
	off = 0;
	ERR("in fd write-only", syscall(SYS_sendfile, out, wo, &off, 1), EBADF);
	off = 0;
	ERR("out fd read-only", syscall(SYS_sendfile, in, in, &off, 1), EBADF);
	close(wo);
	int ap = OKQ(open("dst", O_WRONLY | O_APPEND));
	off = 0;
	ERR("out fd O_APPEND", syscall(SYS_sendfile, ap, in, &off, 1), EINVAL);
	close(ap);
	int d = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	off = 0;
	ERR("in fd directory", syscall(SYS_sendfile, out, d, &off, 1), EINVAL);
	close(d);
	return 0;
}
