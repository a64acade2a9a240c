//go:build ignore

/* pipe_reopen: open(2) of /proc/self/fd/N and /dev/fd/N when N is a pipe
 * opens a new description of the same pipe (bash's <(...), cat
 * /dev/stdin): data written through one is read through the other, the
 * new descriptor shows the same pipe:[INO] link and inode, the open never
 * waits for the other side (unlike a FIFO's), and the reader sees end of
 * file only once every write end is closed. */
#include "common.h"

int main(void)
{
	int p[2];
	OKQ(pipe(p));
	char path[64], link[64] = {0}, link2[64] = {0}, buf[16] = {0};
	OKQ(write(p[1], "abc", 3));
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
	int r = OK("open /proc/self/fd/N of the read end", open(path, O_RDONLY));
	EQ("read through it", read(r, buf, sizeof buf), 3);
	SEQ("data", buf, "abc");

	snprintf(path, sizeof path, "/dev/fd/%d", p[1]);
	int w = OK("open /dev/fd/N of the write end", open(path, O_WRONLY));
	OKQ(write(w, "x", 1));
	memset(buf, 0, sizeof buf);
	EQ("read the original end", read(p[0], buf, sizeof buf), 1);
	SEQ("data", buf, "x");

	snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
	OKQ(readlink(path, link, sizeof link - 1));
	snprintf(path, sizeof path, "/proc/self/fd/%d", r);
	OKQ(readlink(path, link2, sizeof link2 - 1));
	YES("same pipe:[INO] link", strncmp(link, "pipe:[", 6) == 0 && strcmp(link, link2) == 0);
	struct stat a, b;
	OKQ(fstat(p[0], &a));
	OKQ(fstat(r, &b));
	YES("same inode, a FIFO", a.st_ino == b.st_ino && S_ISFIFO(b.st_mode));

	/* With every writer gone, a reopened read end still opens at once
	 * (no FIFO rendezvous for a pipe). */
	int q[2];
	OKQ(pipe(q));
	OKQ(write(q[1], "z", 1));
	close(q[1]);
	snprintf(path, sizeof path, "/dev/fd/%d", q[0]);
	int rq = OK("reopen a pipe with no writer left", open(path, O_RDONLY));
	EQ("reads the data", read(rq, buf, sizeof buf), 1);
	EQ("then EOF", read(rq, buf, sizeof buf), 0);

	close(p[1]);
	OKQ(fcntl(r, F_SETFL, O_NONBLOCK));
	ERR("a write end is still open: no EOF", read(r, buf, sizeof buf), EAGAIN);
	close(w);
	EQ("every write end closed: EOF", read(r, buf, sizeof buf), 0);
	return 0;
}
