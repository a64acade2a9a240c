//go:build ignore

/* fifo: named pipes (fifo(7)). A blocking open waits for the other side
 * and returns once it has been opened, even if it is closed again at
 * once; a non-blocking reader opens alone, a non-blocking writer without
 * a reader gets ENXIO; POLLHUP on the read end: a reader that opened
 * O_NONBLOCK before any writer sees none until a writer has come and
 * gone, any other reader sees it as soon as no writer is left. Reader and
 * writer meet at fresh FIFOs 300 times in a row. */
#include "common.h"
#include <poll.h>
#include <sys/wait.h>

static short revents(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 0) < 0) FAIL("poll: %s", errname(errno));
	return p.revents;
}

int main(void)
{
	tmp_enter();
	OK("mkfifo", mkfifo("f", 0600));
	ERR("non-blocking writer, no reader", open("f", O_WRONLY | O_NONBLOCK), ENXIO);
	int r = OK("non-blocking reader alone", open("f", O_RDONLY | O_NONBLOCK));
	EQ("no writer yet: no POLLHUP", revents(r), 0);
	int w = OK("non-blocking writer with a reader", open("f", O_WRONLY | O_NONBLOCK));
	EQ("write", write(w, "ab", 2), 2);
	EQ("readable", revents(r), POLLIN);
	close(w);
	EQ("writer gone: POLLIN|POLLHUP", revents(r), POLLIN | POLLHUP);
	char buf[8];
	EQ("read the data", read(r, buf, sizeof buf), 2);
	EQ("then EOF", read(r, buf, sizeof buf), 0);
	close(r);

	/* A blocking reader opened while a writer is there sees POLLHUP as
	 * soon as that writer closes. */
	int rw = OKQ(open("f", O_RDWR));
	r = OK("blocking reader, writer present", open("f", O_RDONLY));
	close(rw);
	EQ("blocking reader after the writer left", revents(r), POLLHUP);
	close(r);

	/* The writer opens, writes and closes before the reader may have
	 * woken: the reader's open still returns, and reads the byte. */
	int bad = 0;
	for (int i = 0; i < 300; i++) {
		char name[16];
		snprintf(name, sizeof name, "r%d", i);
		if (mkfifo(name, 0600) != 0) FAIL("mkfifo: %s", errname(errno));
		pid_t c = fork();
		if (c == 0) {
			int fd = open(name, O_WRONLY);
			if (fd < 0 || write(fd, "x", 1) != 1) _exit(1);
			_exit(0);
		}
		int fd = open(name, O_RDONLY);
		char ch = 0;
		if (fd < 0 || read(fd, &ch, 1) != 1 || ch != 'x') bad++;
		close(fd);
		int st;
		waitpid(c, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad++;
		unlink(name);
	}
	EQ("rendezvous failures in 300 rounds", bad, 0);
	return 0;
}
