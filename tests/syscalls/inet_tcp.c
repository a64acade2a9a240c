//go:build ignore

/* inet_tcp: TCP over loopback, IPv4 and IPv6: socket(2) arguments,
 * bind/listen/connect/accept4, names, an echo, ECONNREFUSED,
 * EADDRINUSE and SO_REUSEADDR, EADDRNOTAVAIL, MSG_PEEK, MSG_WAITALL,
 * FIONREAD, shutdown(2) in each direction, resets, SIGPIPE and the
 * options Go, glibc and curl set. Ports are ephemeral and never
 * printed. */
#include "common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

static socklen_t addr_len(int fam)
{
	return fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

/* loopback fills ss with the loopback address of fam and port. */
static void loopback(int fam, struct sockaddr_storage *ss, in_port_t port)
{
	memset(ss, 0, sizeof *ss);
	if (fam == AF_INET) {
		struct sockaddr_in *s = (void *)ss;
		s->sin_family = AF_INET;
		s->sin_port = port;
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		struct sockaddr_in6 *s = (void *)ss;
		s->sin6_family = AF_INET6;
		s->sin6_port = port;
		s->sin6_addr = in6addr_loopback;
	}
}

static in_port_t port_of(struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? ((struct sockaddr_in *)ss)->sin_port
					: ((struct sockaddr_in6 *)ss)->sin6_port;
}

/* listener returns a socket listening on loopback; *ss gets its name. */
static int listener(int fam, struct sockaddr_storage *ss)
{
	int l = OKQ(socket(fam, SOCK_STREAM, 0));
	loopback(fam, ss, 0);
	OKQ(bind(l, (void *)ss, addr_len(fam)));
	OKQ(listen(l, 8));
	socklen_t n = sizeof *ss;
	OKQ(getsockname(l, (void *)ss, &n));
	return l;
}

static int getint(int fd, int level, int name)
{
	int v = -1;
	socklen_t n = sizeof v;
	OKQ(getsockopt(fd, level, name, &v, &n));
	CHECK(n == sizeof v);
	return v;
}

static void echo(int fam)
{
	const char *f = fam == AF_INET ? "v4" : "v6";
	char label[80], buf[64];
	struct sockaddr_storage la, ca, pa, sa;
	int l = listener(fam, &la);
	YES("listener port is ephemeral", ntohs(port_of(&la)) >= 1024);
	snprintf(label, sizeof label, "%s SO_ACCEPTCONN", f);
	EQ(label, getint(l, SOL_SOCKET, SO_ACCEPTCONN), 1);
	int c = OKQ(socket(fam, SOCK_STREAM, 0));
	snprintf(label, sizeof label, "%s connect", f);
	OK(label, connect(c, (void *)&la, addr_len(fam)));
	socklen_t n = sizeof pa;
	int s = OKQ(accept4(l, (void *)&pa, &n, SOCK_CLOEXEC));
	snprintf(label, sizeof label, "%s accept4 address length", f);
	EQ(label, n, addr_len(fam));
	YES("accepted socket is close-on-exec", fcntl(s, F_GETFD) == FD_CLOEXEC);
	n = sizeof ca;
	OKQ(getsockname(c, (void *)&ca, &n));
	YES("client name is the accepted peer", memcmp(&ca, &pa, addr_len(fam)) == 0);
	n = sizeof sa;
	OKQ(getpeername(c, (void *)&sa, &n));
	YES("client's peer is the listener", memcmp(&sa, &la, addr_len(fam)) == 0);
	n = sizeof sa;
	OKQ(getsockname(s, (void *)&sa, &n));
	YES("accepted socket has the listener's name", memcmp(&sa, &la, addr_len(fam)) == 0);
	YES("client port differs", port_of(&ca) != port_of(&la));
	EQ("send", send(c, "ping", 4, 0), 4);
	memset(buf, 0, sizeof buf);
	EQ("recv", recv(s, buf, sizeof buf, 0), 4);
	SEQ("data", buf, "ping");
	EQ("echo back", write(s, buf, 4), 4);
	memset(buf, 0, sizeof buf);
	EQ("read echo", read(c, buf, sizeof buf), 4);
	SEQ("echo", buf, "ping");
	snprintf(label, sizeof label, "%s SO_DOMAIN", f);
	EQ(label, getint(s, SOL_SOCKET, SO_DOMAIN) == fam, 1);
	EQ("SO_TYPE", getint(s, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
	EQ("SO_PROTOCOL", getint(s, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
	EQ("accepted SO_ACCEPTCONN", getint(s, SOL_SOCKET, SO_ACCEPTCONN), 0);
	ERR("connect again", connect(c, (void *)&la, addr_len(fam)), EISCONN);
	ERR("listen on connected", listen(c, 1), EINVAL);
	ERR("bind connected", bind(c, (void *)&la, addr_len(fam)), EINVAL);
	ERR("accept on connected", accept(c, NULL, NULL), EINVAL);
	ERR("recv on listener", recv(l, buf, 1, MSG_DONTWAIT), ENOTCONN);
	ERR("getpeername of listener", getpeername(l, (void *)&sa, &n), ENOTCONN);
	close(c); close(s); close(l);
}

static void errors(void)
{
	ERR("AF_INET SOCK_STREAM IPPROTO_UDP", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	ERR("AF_INET SOCK_DGRAM IPPROTO_TCP", socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
	ERR("AF_INET bad type", socket(AF_INET, 11, 0), EINVAL);
	int fds[2];
	ERR("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, fds), EOPNOTSUPP);

	int s = OKQ(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
	YES("SOCK_NONBLOCK", fcntl(s, F_GETFL) & O_NONBLOCK);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t n = sizeof a;
	OKQ(getsockname(s, (void *)&a, &n));
	YES("unbound name is 0.0.0.0:0", n == sizeof a && a.sin_addr.s_addr == 0 && a.sin_port == 0);
	ERR("getpeername unconnected", getpeername(s, (void *)&a, &n), ENOTCONN);
	char b;
	ERR("recv unconnected", recv(s, &b, 1, 0), ENOTCONN);
	signal(SIGPIPE, SIG_IGN);
	ERR("send unconnected", send(s, "x", 1, 0), EPIPE);
	ERR("shutdown unconnected", shutdown(s, SHUT_RDWR), ENOTCONN);
	ERR("accept unlistened", accept(s, NULL, NULL), EINVAL);
	ERR("bind short address", bind(s, (void *)&a, 8), EINVAL);
	a.sin_family = AF_INET6;
	ERR("bind wrong family", bind(s, (void *)&a, sizeof a), EAFNOSUPPORT);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = inet_addr("203.0.113.7");
	ERR("bind non-local address", bind(s, (void *)&a, sizeof a), EADDRNOTAVAIL);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	OK("bind loopback port 0", bind(s, (void *)&a, sizeof a));
	ERR("bind twice", bind(s, (void *)&a, sizeof a), EINVAL);
	close(s);

	int s6 = OKQ(socket(AF_INET6, SOCK_STREAM, 0));
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	ERR("bind v6 short address", bind(s6, (void *)&a6, 20), EINVAL);
	inet_pton(AF_INET6, "2001:db8::1", &a6.sin6_addr);
	ERR("bind non-local v6 address", bind(s6, (void *)&a6, sizeof a6), EADDRNOTAVAIL);
	close(s6);
}

/* refused connects to a port that is bound but not listening. */
static void refused(int fam)
{
	struct sockaddr_storage ss;
	int b = OKQ(socket(fam, SOCK_STREAM, 0));
	loopback(fam, &ss, 0);
	OKQ(bind(b, (void *)&ss, addr_len(fam)));
	socklen_t n = sizeof ss;
	OKQ(getsockname(b, (void *)&ss, &n));
	int c = OKQ(socket(fam, SOCK_STREAM, 0));
	ERR(fam == AF_INET ? "v4 connect without listener" : "v6 connect without listener",
	    connect(c, (void *)&ss, addr_len(fam)), ECONNREFUSED);
	EQ("SO_ERROR after refused connect", getint(c, SOL_SOCKET, SO_ERROR), 0);
	ERR("connect again is refused again", connect(c, (void *)&ss, addr_len(fam)), ECONNREFUSED);
	OK("listen", listen(b, 1));
	OK("connect after listen", connect(c, (void *)&ss, addr_len(fam)));
	close(c);
	OK("close the listener with a connection queued", close(b));
	ERR("connect after close", connect(OKQ(socket(fam, SOCK_STREAM, 0)), (void *)&ss, addr_len(fam)), ECONNREFUSED);
}

static void addrinuse(void)
{
	struct sockaddr_storage ss;
	int l = listener(AF_INET, &ss);
	int s = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	ERR("bind a listening port", bind(s, (void *)&ss, sizeof(struct sockaddr_in)), EADDRINUSE);
	int one = 1;
	OKQ(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	ERR("SO_REUSEADDR does not share a listening port", bind(s, (void *)&ss, sizeof(struct sockaddr_in)), EADDRINUSE);
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = port_of(&ss) };
	ERR("wildcard over a listening port", bind(s, (void *)&any, sizeof any), EADDRINUSE);
	close(s);
	close(l);
	s = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OK("the port is free after close", bind(s, (void *)&ss, sizeof(struct sockaddr_in)));
	close(s);

	/* Two SO_REUSEADDR sockets share a port until one listens. */
	int a = OKQ(socket(AF_INET, SOCK_STREAM, 0)), b = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OKQ(setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	OKQ(setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	OKQ(bind(a, (void *)&ss, sizeof(struct sockaddr_in)));
	OK("SO_REUSEADDR shares an unlistened port", bind(b, (void *)&ss, sizeof(struct sockaddr_in)));
	OK("one listens", listen(a, 1));
	ERR("the other cannot", listen(b, 1), EADDRINUSE);
	close(a); close(b);

	/* SO_REUSEPORT shares even listening ports. */
	a = OKQ(socket(AF_INET, SOCK_STREAM, 0)), b = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OKQ(setsockopt(a, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one));
	OKQ(setsockopt(b, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one));
	OKQ(bind(a, (void *)&ss, sizeof(struct sockaddr_in)));
	OKQ(listen(a, 1));
	OK("SO_REUSEPORT shares a listening port", bind(b, (void *)&ss, sizeof(struct sockaddr_in)));
	OK("both listen", listen(b, 1));
	close(a); close(b);
}

static void stream_semantics(void)
{
	struct sockaddr_storage la;
	char buf[64];
	int l = listener(AF_INET, &la);
	int c = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OKQ(connect(c, (void *)&la, sizeof(struct sockaddr_in)));
	int s = OKQ(accept(l, NULL, NULL));

	ERR("recv nothing, MSG_DONTWAIT", recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	EQ("send hello", send(c, "hello", 5, 0), 5);
	EQ("send world", send(c, "world", 5, 0), 5);
	int avail = -1;
	OKQ(ioctl(s, FIONREAD, &avail));
	EQ("FIONREAD", avail, 10);
	memset(buf, 0, sizeof buf);
	EQ("MSG_PEEK", recv(s, buf, 3, MSG_PEEK), 3);
	SEQ("peeked", buf, "hel");
	memset(buf, 0, sizeof buf);
	EQ("stream merges sends", recv(s, buf, sizeof buf, 0), 10);
	SEQ("merged", buf, "helloworld");

	pid_t p = OKQ(fork());
	if (p == 0) {
		for (int i = 0; i < 4; i++) {
			usleep(20000);
			if (write(c, "abc", 3) != 3) _exit(1);
		}
		_exit(0);
	}
	memset(buf, 0, sizeof buf);
	EQ("MSG_WAITALL gathers pieces", recv(s, buf, 12, MSG_WAITALL), 12);
	SEQ("gathered", buf, "abcabcabcabc");
	int st;
	OKQ(waitpid(p, &st, 0));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* SHUT_WR: the peer reads what was sent, then end of file. */
	EQ("send before SHUT_WR", send(c, "bye", 3, 0), 3);
	OK("shutdown SHUT_WR", shutdown(c, SHUT_WR));
	EQ("peer reads the data", recv(s, buf, sizeof buf, 0), 3);
	EQ("then end of file", recv(s, buf, sizeof buf, 0), 0);
	EQ("end of file again", recv(s, buf, sizeof buf, MSG_DONTWAIT), 0);
	ERR("send after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	EQ("the other direction still works", send(s, "back", 4, 0), 4);
	EQ("half-closed socket reads", recv(c, buf, sizeof buf, 0), 4);

	/* SHUT_RD: reads end at once; the peer may still send. */
	OK("shutdown SHUT_RD", shutdown(s, SHUT_RD));
	EQ("read after SHUT_RD", recv(s, buf, sizeof buf, 0), 0);
	ERR("bad how", shutdown(s, 3), EINVAL);
	close(c); close(s);

	/* Close with unread data resets the peer: data first, then
	 * ECONNRESET, then end of file. */
	c = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OKQ(connect(c, (void *)&la, sizeof(struct sockaddr_in)));
	s = OKQ(accept(l, NULL, NULL));
	EQ("send to be left unread", send(c, "unread", 6, 0), 6);
	EQ("peer sends", send(s, "queued", 6, 0), 6);
	close(s);
	EQ("data sent before the reset is read", recv(c, buf, sizeof buf, 0), 6);
	ERR("then the reset", recv(c, buf, sizeof buf, 0), ECONNRESET);
	EQ("then end of file", recv(c, buf, sizeof buf, 0), 0);
	ERR("send after reset", send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(c);

	/* A plain close is a FIN: the first write after it still succeeds,
	 * the peer's reset makes the next EPIPE with SIGPIPE. */
	c = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OKQ(connect(c, (void *)&la, sizeof(struct sockaddr_in)));
	s = OKQ(accept(l, NULL, NULL));
	close(s);
	EQ("end of file after the peer's close", recv(c, buf, sizeof buf, 0), 0);
	EQ("first write after the peer's close", send(c, "x", 1, 0), 1);
	signal(SIGPIPE, SIG_DFL);
	p = OKQ(fork());
	if (p == 0) {
		send(c, "y", 1, 0);
		_exit(0);
	}
	OKQ(waitpid(p, &st, 0));
	YES("second write raises SIGPIPE", WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	close(c);

	/* SO_LINGER with a zero timeout resets. */
	c = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OKQ(connect(c, (void *)&la, sizeof(struct sockaddr_in)));
	s = OKQ(accept(l, NULL, NULL));
	struct linger lg = { 1, 0 };
	OK("SO_LINGER 0", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
	struct linger got;
	socklen_t n = sizeof got;
	OKQ(getsockopt(s, SOL_SOCKET, SO_LINGER, &got, &n));
	YES("SO_LINGER reads back", got.l_onoff == 1 && got.l_linger == 0);
	close(s);
	ERR("linger 0 close resets", recv(c, buf, sizeof buf, 0), ECONNRESET);
	close(c);

	/* Connections never accepted are reset when the listener closes. */
	c = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OKQ(connect(c, (void *)&la, sizeof(struct sockaddr_in)));
	close(l);
	ERR("unaccepted connection reset", recv(c, buf, sizeof buf, 0), ECONNRESET);
	close(c);
}

static void options(void)
{
	int s = OKQ(socket(AF_INET, SOCK_STREAM, 0)), one = 1, v;
	EQ("TCP_NODELAY default", getint(s, IPPROTO_TCP, TCP_NODELAY), 0);
	OKQ(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
	EQ("TCP_NODELAY set", getint(s, IPPROTO_TCP, TCP_NODELAY), 1);
	EQ("SO_KEEPALIVE default", getint(s, SOL_SOCKET, SO_KEEPALIVE), 0);
	OKQ(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one));
	EQ("SO_KEEPALIVE set", getint(s, SOL_SOCKET, SO_KEEPALIVE), 1);
	v = 15;
	OKQ(setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v));
	EQ("TCP_KEEPIDLE", getint(s, IPPROTO_TCP, TCP_KEEPIDLE), 15);
	OKQ(setsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof v));
	EQ("TCP_KEEPINTVL", getint(s, IPPROTO_TCP, TCP_KEEPINTVL), 15);
	v = 3;
	OKQ(setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v));
	EQ("TCP_KEEPCNT", getint(s, IPPROTO_TCP, TCP_KEEPCNT), 3);
	v = 0;
	ERR("TCP_KEEPIDLE 0", setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v), EINVAL);
	v = 200;
	ERR("TCP_KEEPCNT 200", setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v), EINVAL);
	v = 0x2b;
	OKQ(setsockopt(s, IPPROTO_IP, IP_TOS, &v, sizeof v));
	EQ("IP_TOS keeps out the ECN bits on TCP", getint(s, IPPROTO_IP, IP_TOS), 0x28);
	EQ("IP_TTL default", getint(s, IPPROTO_IP, IP_TTL), 64);
	v = 0;
	ERR("IP_TTL 0", setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof v), EINVAL);
	v = 8192;
	OKQ(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
	EQ("SO_RCVBUF doubles", getint(s, SOL_SOCKET, SO_RCVBUF), 16384);
	OKQ(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
	EQ("SO_SNDBUF doubles", getint(s, SOL_SOCKET, SO_SNDBUF), 16384);
	ERR("IPV6_V6ONLY on AF_INET", setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one), ENOPROTOOPT);
	ERR("unknown TCP option", setsockopt(s, IPPROTO_TCP, 9999, &one, sizeof one), ENOPROTOOPT);
	struct timeval tv = { 0, 10000 };
	OKQ(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	struct sockaddr_storage la;
	int l = listener(AF_INET, &la);
	OKQ(setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	ERR("accept times out (SO_RCVTIMEO)", accept(l, NULL, NULL), EAGAIN);
	OKQ(connect(s, (void *)&la, sizeof(struct sockaddr_in)));
	char b;
	ERR("recv times out (SO_RCVTIMEO)", recv(s, &b, 1, 0), EAGAIN);
	int a = OKQ(accept(l, NULL, NULL));
	EQ("accepted socket keeps the listener's options", getint(a, SOL_SOCKET, SO_KEEPALIVE), 0);
	close(a); close(l); close(s);
}

int main(void)
{
	echo(AF_INET);
	echo(AF_INET6);
	errors();
	refused(AF_INET);
	refused(AF_INET6);
	addrinuse();
	stream_semantics();
	options();
	return 0;
}
