//go:build ignore

/* inet_dualstack: IPv4 through AF_INET6 sockets: a listener on [::]
 * takes IPv4 connections (peers show as ::ffff:127.0.0.1) unless
 * IPV6_V6ONLY; IPv4-mapped addresses in bind and connect; which
 * bindings of one port coexist. */
#include "common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static int getint(int fd, int level, int name)
{
	int v = -1;
	socklen_t n = sizeof v;
	OKQ(getsockopt(fd, level, name, &v, &n));
	return v;
}

static struct sockaddr_in v4(in_port_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = port };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static struct sockaddr_in6 v6(const char *addr, in_port_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = port };
	CHECK(inet_pton(AF_INET6, addr, &a.sin6_addr) == 1);
	return a;
}

static const char *show(struct sockaddr_in6 *a)
{
	static char buf[INET6_ADDRSTRLEN];
	return inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
}

/* listen6 makes an AF_INET6 listener on addr (port 0) and returns it,
 * its port in *port. */
static int listen6(const char *addr, int v6only, in_port_t *port)
{
	int l = OKQ(socket(AF_INET6, SOCK_STREAM, 0));
	OKQ(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only));
	struct sockaddr_in6 a = v6(addr, 0);
	OKQ(bind(l, (void *)&a, sizeof a));
	OKQ(listen(l, 4));
	socklen_t n = sizeof a;
	OKQ(getsockname(l, (void *)&a, &n));
	*port = a.sin6_port;
	return l;
}

int main(void)
{
	in_port_t port;
	char buf[16];
	int l = listen6("::", 0, &port);
	EQ("IPV6_V6ONLY default", getint(l, IPPROTO_IPV6, IPV6_V6ONLY), 0);

	/* An IPv4 client reaches the [::] listener. */
	int c = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	struct sockaddr_in to4 = v4(port);
	OK("IPv4 connect to [::] listener", connect(c, (void *)&to4, sizeof to4));
	struct sockaddr_in6 peer;
	socklen_t n = sizeof peer;
	int s = OKQ(accept(l, (void *)&peer, &n));
	EQ("peer address length", n, sizeof peer);
	SEQ("IPv4 peer is mapped", show(&peer), "::ffff:127.0.0.1");
	struct sockaddr_in6 self;
	n = sizeof self;
	OKQ(getsockname(s, (void *)&self, &n));
	SEQ("accepted socket's name is mapped", show(&self), "::ffff:127.0.0.1");
	EQ("v4 to v6 data", send(c, "four", 4, 0), 4);
	EQ("received", recv(s, buf, sizeof buf, 0), 4);
	close(s); close(c);

	/* An AF_INET6 client connects to a mapped address. */
	c = OKQ(socket(AF_INET6, SOCK_STREAM, 0));
	struct sockaddr_in6 mapped = v6("::ffff:127.0.0.1", port);
	OK("AF_INET6 connect to ::ffff:127.0.0.1", connect(c, (void *)&mapped, sizeof mapped));
	n = sizeof self;
	OKQ(getsockname(c, (void *)&self, &n));
	SEQ("its own name is mapped", show(&self), "::ffff:127.0.0.1");
	s = OKQ(accept(l, NULL, NULL));
	close(s); close(c);

	/* And an IPv6 client reaches it as ::1. */
	c = OKQ(socket(AF_INET6, SOCK_STREAM, 0));
	struct sockaddr_in6 to6 = v6("::1", port);
	OK("IPv6 connect to [::] listener", connect(c, (void *)&to6, sizeof to6));
	n = sizeof peer;
	s = OKQ(accept(l, (void *)&peer, &n));
	SEQ("IPv6 peer", show(&peer), "::1");
	close(s); close(c);

	/* [::] without V6ONLY holds the IPv4 port too. */
	int b = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	ERR("IPv4 bind on a dual-stack port", bind(b, (void *)&to4, sizeof to4), EADDRINUSE);
	close(b);
	close(l);

	/* A V6ONLY listener refuses IPv4 and leaves the IPv4 port free. */
	l = listen6("::", 1, &port);
	EQ("IPV6_V6ONLY set", getint(l, IPPROTO_IPV6, IPV6_V6ONLY), 1);
	to4 = v4(port);
	c = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	ERR("IPv4 connect to a V6ONLY listener", connect(c, (void *)&to4, sizeof to4), ECONNREFUSED);
	close(c);
	b = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OK("IPv4 bind beside a V6ONLY listener", bind(b, (void *)&to4, sizeof to4));
	OK("and listen", listen(b, 1));
	c = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OK("IPv4 connect reaches the IPv4 listener", connect(c, (void *)&to4, sizeof to4));
	s = OKQ(accept(b, NULL, NULL));
	OKQ(fcntl(l, F_SETFL, O_NONBLOCK));
	ERR("nothing waits on the V6ONLY one", accept(l, NULL, NULL), EAGAIN);
	close(s); close(c); close(b);

	/* V6ONLY sockets cannot use mapped addresses. */
	c = OKQ(socket(AF_INET6, SOCK_STREAM, 0));
	int one = 1;
	OKQ(setsockopt(c, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
	mapped = v6("::ffff:127.0.0.1", port);
	ERR("V6ONLY connect to a mapped address", connect(c, (void *)&mapped, sizeof mapped), ENETUNREACH);
	mapped.sin6_port = 0;
	ERR("V6ONLY bind to a mapped address", bind(c, (void *)&mapped, sizeof mapped), EINVAL);
	struct sockaddr_in6 lo6 = v6("::1", 0);
	OKQ(bind(c, (void *)&lo6, sizeof lo6));
	ERR("IPV6_V6ONLY after bind", setsockopt(c, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one), EINVAL);
	close(c);
	close(l);

	/* A dual-stack socket bound to a mapped address is an IPv4 one. */
	l = OKQ(socket(AF_INET6, SOCK_STREAM, 0));
	mapped = v6("::ffff:127.0.0.1", 0);
	OK("bind ::ffff:127.0.0.1", bind(l, (void *)&mapped, sizeof mapped));
	OKQ(listen(l, 1));
	n = sizeof self;
	OKQ(getsockname(l, (void *)&self, &n));
	SEQ("listener name", show(&self), "::ffff:127.0.0.1");
	to4 = v4(self.sin6_port);
	c = OKQ(socket(AF_INET, SOCK_STREAM, 0));
	OK("IPv4 connect to it", connect(c, (void *)&to4, sizeof to4));
	close(c);
	c = OKQ(socket(AF_INET6, SOCK_STREAM, 0));
	to6 = v6("::1", self.sin6_port);
	ERR("IPv6 connect to it", connect(c, (void *)&to6, sizeof to6), ECONNREFUSED);
	close(c); close(l);
	return 0;
}
