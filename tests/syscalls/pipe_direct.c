//go:build ignore

/* pipe_direct: pipe2(O_DIRECT) packet mode. Each write is a packet (split
 * into PIPE_BUF-sized packets when longer), a read returns at most one
 * packet and drops what of it did not fit; a packet takes a whole buffer
 * slot of the 16 a pipe has; F_SETFL turns packet mode on and off for
 * later writes; plain data read before a packet is returned with it. */
#include "common.h"
#include <sys/ioctl.h>

static char buf[70000];

static long rd(int fd, size_t n) { return read(fd, buf, n); }

int main(void)
{
	int p[2];
	OK("pipe2(O_DIRECT)", syscall(SYS_pipe2, p, O_DIRECT));
	YES("the read end has no O_DIRECT", !(fcntl(p[0], F_GETFL) & O_DIRECT));
	YES("write end has O_DIRECT", fcntl(p[1], F_GETFL) & O_DIRECT);

	EQ("write abc", write(p[1], "abc", 3), 3);
	EQ("write defgh", write(p[1], "defgh", 5), 5);
	int n = 0;
	OKQ(ioctl(p[0], FIONREAD, &n));
	EQ("FIONREAD counts bytes", n, 8);
	EQ("read 100 gets the first packet", rd(p[0], 100), 3);
	CHECK(memcmp(buf, "abc", 3) == 0);
	EQ("then the second", rd(p[0], 100), 5);
	CHECK(memcmp(buf, "defgh", 5) == 0);

	EQ("write hello world", write(p[1], "hello world", 11), 11);
	EQ("write !", write(p[1], "!", 1), 1);
	EQ("a short read", rd(p[0], 5), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	EQ("drops the packet's rest", rd(p[0], 100), 1);
	CHECK(buf[0] == '!');

	memset(buf, 'x', sizeof buf);
	EQ("write 10000", write(p[1], buf, 10000), 10000);
	OKQ(ioctl(p[0], FIONREAD, &n));
	EQ("FIONREAD", n, 10000);
	EQ("packet 1", rd(p[0], sizeof buf), 4096);
	EQ("packet 2", rd(p[0], sizeof buf), 4096);
	EQ("packet 3", rd(p[0], sizeof buf), 1808);

	OKQ(fcntl(p[1], F_SETFL, O_DIRECT | O_NONBLOCK));
	OKQ(fcntl(p[0], F_SETFL, O_DIRECT | O_NONBLOCK));
	int count = 0;
	while (write(p[1], "z", 1) == 1)
		count++;
	EQ("one-byte packets until full", count, 16);
	ERR("then", write(p[1], "z", 1), EAGAIN);
	OKQ(ioctl(p[0], FIONREAD, &n));
	EQ("FIONREAD of a full packet pipe", n, 16);
	EQ("read one packet", rd(p[0], 100), 1);
	EQ("a long write takes the free slot", write(p[1], buf, 8192), 4096);
	ERR("a full pipe", write(p[1], buf, 100), EAGAIN);
	for (int i = 0; i < 15; i++)
		CHECK(rd(p[0], 100) == 1);
	EQ("the long write's packet", rd(p[0], sizeof buf), 4096);
	ERR("empty", rd(p[0], 100), EAGAIN);

	OKQ(fcntl(p[1], F_SETFL, O_NONBLOCK));
	YES("F_SETFL clears O_DIRECT", !(fcntl(p[1], F_GETFL) & O_DIRECT));
	EQ("plain write ab", write(p[1], "ab", 2), 2);
	EQ("plain write cd", write(p[1], "cd", 2), 2);
	OKQ(fcntl(p[1], F_SETFL, O_DIRECT | O_NONBLOCK));
	EQ("packet of 4096", write(p[1], buf, 4096), 4096);
	EQ("packet of 3", write(p[1], "PKT", 3), 3);
	EQ("plain bytes and a packet in one read", rd(p[0], sizeof buf), 4100);
	CHECK(memcmp(buf, "abcd", 4) == 0);
	EQ("the next packet", rd(p[0], sizeof buf), 3);
	OKQ(fcntl(p[1], F_SETFL, O_NONBLOCK));
	EQ("plain write", write(p[1], "plain", 5), 5);
	OKQ(fcntl(p[1], F_SETFL, O_DIRECT | O_NONBLOCK));
	EQ("packet", write(p[1], buf, 4096), 4096);
	EQ("read 7: plain and 2 bytes of the packet", rd(p[0], 7), 7);
	ERR("the packet's rest is gone", rd(p[0], 100), EAGAIN);

	/* F_SETPIPE_SZ counts the slots packets take. */
	EQ("packet a", write(p[1], "a", 1), 1);
	EQ("packet b", write(p[1], "b", 1), 1);
	ERR("F_SETPIPE_SZ below the slots in use", fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
	EQ("F_SETPIPE_SZ to two slots", fcntl(p[1], F_SETPIPE_SZ, 8192), 8192);
	ERR("and the pipe is full", write(p[1], "c", 1), EAGAIN);
	EQ("read a", rd(p[0], 100), 1);
	EQ("read b", rd(p[0], 100), 1);

	/* O_DIRECT on a plain pipe. */
	int q[2];
	OKQ(pipe(q));
	OK("F_SETFL O_DIRECT on a plain pipe", fcntl(q[1], F_SETFL, O_DIRECT));
	EQ("write", write(q[1], "one", 3), 3);
	EQ("write", write(q[1], "two", 3), 3);
	EQ("read", read(q[0], buf, 100), 3);
	OKQ(close(q[1]));
	EQ("read", read(q[0], buf, 100), 3);
	EQ("EOF", read(q[0], buf, 100), 0);

	OKQ(close(p[1]));
	EQ("EOF after packets", rd(p[0], 100), 0);
	return 0;
}
