//go:build ignore

/* splice: splice(2) between a pipe and a file, a pipe and a pipe, and a
 * pipe and a socket: bytes move without passing through the caller, an
 * offset pointer is used and advanced instead of the file offset, EINVAL
 * when neither end is a pipe, ESPIPE for an offset on a pipe, EAGAIN with
 * SPLICE_F_NONBLOCK on an empty pipe, 0 at end of file. */
#include "common.h"
#include <sys/socket.h>

int main(void)
{
	tmp_enter();
	write_file("f", "hello world");
	int f = OKQ(open("f", O_RDWR));
	int p[2], q[2];
	OKQ(pipe(p));
	OKQ(pipe(q));
	loff_t off = 6;
	EQ("file to pipe at an offset", splice(f, &off, p[1], NULL, 5, 0), 5);
	EQ("offset advanced", off, 11);
	EQ("file offset untouched", lseek(f, 0, SEEK_CUR), 0);
	char buf[32] = {0};
	EQ("read", read(p[0], buf, sizeof buf), 5);
	SEQ("the pipe holds", buf, "world");

	OKQ(write(p[1], "abc", 3));
	EQ("pipe to pipe", splice(p[0], NULL, q[1], NULL, 100, 0), 3);
	memset(buf, 0, sizeof buf);
	EQ("read the other pipe", read(q[0], buf, sizeof buf), 3);
	SEQ("moved", buf, "abc");

	OKQ(write(p[1], "xyz", 3));
	OKQ(lseek(f, 0, SEEK_END));
	EQ("pipe to file", splice(p[0], NULL, f, NULL, 2, 0), 2);
	EQ("one byte left in the pipe", splice(p[0], NULL, f, NULL, 10, 0), 1);
	memset(buf, 0, sizeof buf);
	OKQ(pread(f, buf, sizeof buf - 1, 0));
	SEQ("file now", buf, "hello worldxyz");

	int s[2];
	OKQ(socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	OKQ(write(s[0], "sock", 4));
	EQ("socket to pipe", splice(s[1], NULL, p[1], NULL, 64, 0), 4);
	EQ("pipe to socket", splice(p[0], NULL, s[1], NULL, 64, 0), 4);
	memset(buf, 0, sizeof buf);
	EQ("back through the socket", read(s[0], buf, sizeof buf), 4);
	SEQ("data", buf, "sock");

	ERR("neither end a pipe", splice(f, NULL, s[0], NULL, 4, 0), EINVAL);
	loff_t zero = 0;
	ERR("offset on the pipe", splice(p[0], &zero, f, NULL, 4, 0), ESPIPE);
	ERR("SPLICE_F_NONBLOCK, empty pipe", splice(p[0], NULL, f, NULL, 4, SPLICE_F_NONBLOCK), EAGAIN);
	ERR("bad flags", splice(p[0], NULL, f, NULL, 4, 0x100), EINVAL);
	ERR("bad fd", splice(99, NULL, p[1], NULL, 4, 0), EBADF);
	close(p[1]);
	EQ("end of file", splice(p[0], NULL, f, NULL, 4, 0), 0);
	return 0;
}
