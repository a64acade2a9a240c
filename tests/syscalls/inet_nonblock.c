//go:build ignore

/* inet_nonblock: non-blocking TCP over loopback and readiness: connect
 * says EINPROGRESS and its outcome shows in poll and SO_ERROR (as Go's
 * and curl's connects read it), accept without a connection is EAGAIN,
 * poll's view of fresh, listening, connected, half-closed and reset
 * sockets, and epoll (level and edge triggered, EPOLLRDHUP) woken from
 * another process. */
#include "common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>

static int revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };
	OKQ(poll(&p, 1, 0));
	return p.revents;
}

/* names spells out poll events. */
static const char *names(int ev)
{
	static char buf[80];
	buf[0] = 0;
	if (ev & POLLIN) strcat(buf, "IN ");
	if (ev & POLLOUT) strcat(buf, "OUT ");
	if (ev & POLLRDHUP) strcat(buf, "RDHUP ");
	if (ev & POLLHUP) strcat(buf, "HUP ");
	if (ev & POLLERR) strcat(buf, "ERR ");
	if (!buf[0]) strcpy(buf, "none");
	return buf;
}

static int getint(int fd, int level, int name)
{
	int v = -1;
	socklen_t n = sizeof v;
	OKQ(getsockopt(fd, level, name, &v, &n));
	return v;
}

static int listener(struct sockaddr_in *a)
{
	int l = OKQ(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
	*a = (struct sockaddr_in){ .sin_family = AF_INET };
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	OKQ(bind(l, (void *)a, sizeof *a));
	OKQ(listen(l, 4));
	socklen_t n = sizeof *a;
	OKQ(getsockname(l, (void *)a, &n));
	return l;
}

int main(void)
{
	struct sockaddr_in a;
	char buf[16];
	int l = listener(&a);
	SEQ("poll idle listener", names(revents(l)), "none");
	ERR("accept nothing", accept(l, NULL, NULL), EAGAIN);

	int c = OKQ(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
	SEQ("poll fresh socket", names(revents(c)), "OUT HUP ");
	ERR("non-blocking connect", connect(c, (void *)&a, sizeof a), EINPROGRESS);
	struct pollfd p = { .fd = c, .events = POLLOUT };
	EQ("poll for the connection", poll(&p, 1, 5000), 1);
	SEQ("connected socket", names(p.revents), "OUT ");
	EQ("SO_ERROR", getint(c, SOL_SOCKET, SO_ERROR), 0);
	OK("connect reports the success once", connect(c, (void *)&a, sizeof a));
	ERR("then it is connected", connect(c, (void *)&a, sizeof a), EISCONN);
	p = (struct pollfd){ .fd = l, .events = POLLIN };
	EQ("poll listener", poll(&p, 1, 5000), 1);
	SEQ("listener with a connection", names(p.revents), "IN ");
	int s = OKQ(accept4(l, NULL, NULL, SOCK_NONBLOCK));
	ERR("recv nothing", recv(s, buf, sizeof buf, 0), EAGAIN);
	SEQ("poll accepted socket", names(revents(s)), "OUT ");
	EQ("send", send(c, "x", 1, 0), 1);
	SEQ("poll with data", names(revents(s)), "IN OUT ");

	/* A write fills the peer's buffer: EAGAIN, then room again once
	 * read. */
	static char big[1 << 16];
	long total = 0, n;
	while ((n = send(c, big, sizeof big, 0)) > 0)
		total += n;
	ERR("send into a full connection", send(c, big, sizeof big, 0), EAGAIN);
	YES("some was queued", total > 0);
	YES("not writable when full", !(revents(c) & POLLOUT));
	while (recv(s, big, sizeof big, 0) > 0)
		;
	p = (struct pollfd){ .fd = c, .events = POLLOUT };
	EQ("writable again after reading", poll(&p, 1, 5000), 1);

	OK("peer shuts down writing", shutdown(c, SHUT_WR));
	SEQ("poll after the peer's SHUT_WR", names(revents(s)), "IN OUT RDHUP ");
	OK("shut down writing too", shutdown(s, SHUT_WR));
	SEQ("poll both directions shut", names(revents(s)), "IN OUT RDHUP HUP ");
	close(c); close(s);

	/* Refused: EINPROGRESS, then an error and hang-up. */
	int b = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	struct sockaddr_in ba = { .sin_family = AF_INET };
	ba.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	OKQ(bind(b, (void *)&ba, sizeof ba));
	socklen_t len = sizeof ba;
	OKQ(getsockname(b, (void *)&ba, &len));
	c = OKQ(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
	ERR("non-blocking connect without listener", connect(c, (void *)&ba, sizeof ba), EINPROGRESS);
	p = (struct pollfd){ .fd = c, .events = POLLOUT };
	EQ("poll", poll(&p, 1, 5000), 1);
	SEQ("refused socket", names(revents(c)), "IN OUT RDHUP HUP ERR ");
	EQ("SO_ERROR is ECONNREFUSED", getint(c, SOL_SOCKET, SO_ERROR) == ECONNREFUSED, 1);
	EQ("SO_ERROR once", getint(c, SOL_SOCKET, SO_ERROR), 0);
	ERR("connect after the error was taken", connect(c, (void *)&ba, sizeof ba), ECONNABORTED);
	close(c);
	c = OKQ(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
	ERR("non-blocking connect without listener", connect(c, (void *)&ba, sizeof ba), EINPROGRESS);
	EQ("poll", poll(&p, 1, 5000), 1);
	ERR("the next connect reports the refusal", connect(c, (void *)&ba, sizeof ba), ECONNREFUSED);
	SEQ("poll after the report", names(revents(c)), "OUT HUP ");
	close(c); close(b);

	/* A full queue: the connect waits (Linux resends the SYN the
	 * listener dropped) until accept makes room. */
	int fl = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	struct sockaddr_in fa = { .sin_family = AF_INET };
	fa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	OKQ(bind(fl, (void *)&fa, sizeof fa));
	OKQ(listen(fl, 0));
	len = sizeof fa;
	OKQ(getsockname(fl, (void *)&fa, &len));
	int c1 = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OK("connect into a backlog of 0", connect(c1, (void *)&fa, sizeof fa));
	int c2 = OKQ(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
	ERR("non-blocking connect to a full queue", connect(c2, (void *)&fa, sizeof fa), EINPROGRESS);
	p = (struct pollfd){ .fd = c2, .events = POLLIN | POLLOUT };
	EQ("not connected while the queue is full", poll(&p, 1, 200), 0);
	ERR("connect again while it waits", connect(c2, (void *)&fa, sizeof fa), EALREADY);
	ERR("send while it waits", send(c2, "x", 1, 0), EAGAIN);
	int a1 = OKQ(accept(fl, NULL, NULL));
	p = (struct pollfd){ .fd = c2, .events = POLLOUT };
	EQ("connected once accept made room", poll(&p, 1, 10000), 1);
	EQ("SO_ERROR", getint(c2, SOL_SOCKET, SO_ERROR), 0);
	OK("connect reports it", connect(c2, (void *)&fa, sizeof fa));
	int a2 = OKQ(accept(fl, NULL, NULL));
	EQ("data flows", send(c2, "y", 1, 0), 1);
	EQ("received", recv(a2, buf, sizeof buf, 0), 1);
	close(a1); close(a2); close(c1); close(c2); close(fl);

	/* epoll, woken from another process. */
	c = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OKQ(connect(c, (void *)&a, sizeof a));
	s = OKQ(accept(l, NULL, NULL));
	int ep = OKQ(epoll_create1(EPOLL_CLOEXEC));
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u32 = 7 };
	OK("epoll_ctl add", epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	struct epoll_event out[4];
	EQ("nothing ready", epoll_wait(ep, out, 4, 0), 0);
	pid_t pid = OKQ(fork());
	if (pid == 0) {
		usleep(50000);
		if (write(c, "wake", 4) != 4) _exit(1);
		usleep(50000);
		shutdown(c, SHUT_WR);
		_exit(0);
	}
	EQ("epoll_wait wakes on data", epoll_wait(ep, out, 4, 5000), 1);
	YES("EPOLLIN", out[0].events == EPOLLIN && out[0].data.u32 == 7);
	EQ("edge triggered: not again", epoll_wait(ep, out, 4, 0), 0);
	EQ("read", read(s, buf, sizeof buf), 4);
	EQ("epoll_wait wakes on the peer's shutdown", epoll_wait(ep, out, 4, 5000), 1);
	YES("EPOLLIN|EPOLLRDHUP", out[0].events == (EPOLLIN | EPOLLRDHUP));
	int st;
	OKQ(waitpid(pid, &st, 0));
	ev = (struct epoll_event){ .events = EPOLLOUT, .data.u32 = 8 };
	OK("epoll_ctl add the client for EPOLLOUT", epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev));
	EQ("level triggered EPOLLOUT", epoll_wait(ep, out, 4, 0), 1);
	YES("client writable", out[0].data.u32 == 8 && out[0].events == EPOLLOUT);
	close(s);
	EQ("after the peer closed", epoll_wait(ep, out, 4, 0), 1);
	YES("writable and hung up (both directions shut)", out[0].events == (EPOLLOUT | EPOLLHUP));
	close(c); close(ep); close(l);
	return 0;
}
