//go:build ignore

/* inet_udp: UDP over loopback, IPv4 and IPv6: an echo with sendto and
 * recvfrom, connected sockets, datagram boundaries, MSG_TRUNC,
 * MSG_PEEK, FIONREAD, empty datagrams, the size limit, ECONNREFUSED
 * on a connected socket after a datagram found no receiver, dual stack,
 * SO_REUSEADDR and shutdown. */
#include "common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static int getint(int fd, int level, int name)
{
	int v = -1;
	socklen_t n = sizeof v;
	OKQ(getsockopt(fd, level, name, &v, &n));
	return v;
}

static socklen_t alen(int fam)
{
	return fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

/* bound returns a UDP socket of fam on loopback, its name in *ss. */
static int bound(int fam, struct sockaddr_storage *ss)
{
	int s = OKQ(socket(fam, SOCK_DGRAM, 0));
	memset(ss, 0, sizeof *ss);
	ss->ss_family = fam;
	if (fam == AF_INET)
		((struct sockaddr_in *)ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)ss)->sin6_addr = in6addr_loopback;
	OKQ(bind(s, (void *)ss, alen(fam)));
	socklen_t n = sizeof *ss;
	OKQ(getsockname(s, (void *)ss, &n));
	return s;
}

static void echo(int fam)
{
	struct sockaddr_storage sa, ca, from;
	char buf[64];
	int s = bound(fam, &sa), c = bound(fam, &ca);
	EQ("SO_TYPE", getint(s, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
	EQ("SO_PROTOCOL", getint(s, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDP);
	EQ("sendto", sendto(c, "ping", 4, 0, (void *)&sa, alen(fam)), 4);
	socklen_t n = sizeof from;
	memset(buf, 0, sizeof buf);
	EQ("recvfrom", recvfrom(s, buf, sizeof buf, 0, (void *)&from, &n), 4);
	SEQ("data", buf, "ping");
	EQ("sender address length", n, alen(fam));
	YES("sender is the client", memcmp(&from, &ca, alen(fam)) == 0);
	EQ("reply", sendto(s, "pong", 4, 0, (void *)&from, n), 4);
	EQ("client reads the reply", recv(c, buf, sizeof buf, 0), 4);

	EQ("first datagram", sendto(c, "abc", 3, 0, (void *)&sa, alen(fam)), 3);
	EQ("second datagram", sendto(c, "defgh", 5, 0, (void *)&sa, alen(fam)), 5);
	EQ("empty datagram", sendto(c, "", 0, 0, (void *)&sa, alen(fam)), 0);
	int avail = -1;
	OKQ(ioctl(s, FIONREAD, &avail));
	EQ("FIONREAD is the next datagram", avail, 3);
	EQ("MSG_PEEK", recv(s, buf, sizeof buf, MSG_PEEK), 3);
	EQ("boundaries kept", recv(s, buf, sizeof buf, 0), 3);
	EQ("MSG_TRUNC gives the real length", recv(s, buf, 2, MSG_TRUNC), 5);
	EQ("empty datagram received", recv(s, buf, sizeof buf, 0), 0);
	ERR("queue empty", recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

	struct iovec iov = { buf, 2 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	EQ("datagram for recvmsg", sendto(c, "truncate", 8, 0, (void *)&sa, alen(fam)), 8);
	EQ("recvmsg truncated", recvmsg(s, &m, 0), 2);
	YES("MSG_TRUNC in msg_flags", m.msg_flags & MSG_TRUNC);
	close(s); close(c);
}

static void connected(void)
{
	struct sockaddr_storage sa, ca;
	char buf[8];
	int s = bound(AF_INET, &sa);
	int c = OKQ(socket(AF_INET, SOCK_DGRAM, 0));
	ERR("send without destination", send(c, "x", 1, 0), EDESTADDRREQ);
	OK("connect", connect(c, (void *)&sa, sizeof(struct sockaddr_in)));
	socklen_t n = sizeof ca;
	OKQ(getsockname(c, (void *)&ca, &n));
	YES("connect binds to 127.0.0.1", ((struct sockaddr_in *)&ca)->sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
					  ((struct sockaddr_in *)&ca)->sin_port != 0);
	EQ("send", send(c, "hi", 2, 0), 2);
	EQ("write", write(c, "yo", 2), 2);
	EQ("recv", recv(s, buf, sizeof buf, 0), 2);
	EQ("read", read(s, buf, sizeof buf), 2);

	/* A connected socket hears only its peer. */
	struct sockaddr_storage oa;
	int o = bound(AF_INET, &oa);
	EQ("stranger sends to the connected socket", sendto(o, "no", 2, 0, (void *)&ca, sizeof(struct sockaddr_in)), 2);
	ERR("not received", recv(c, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	EQ("peer sends", sendto(s, "ok", 2, 0, (void *)&ca, sizeof(struct sockaddr_in)), 2);
	EQ("received", recv(c, buf, sizeof buf, 0), 2);
	close(o);

	/* A datagram nobody receives: the connected sender learns of it. */
	close(s);
	EQ("send to a closed port", send(c, "lost", 4, 0), 4);
	struct pollfd p = { .fd = c, .events = POLLIN };
	EQ("poll", poll(&p, 1, 5000), 1);
	YES("POLLERR", p.revents & POLLERR);
	ERR("recv reports the refusal", recv(c, buf, sizeof buf, 0), ECONNREFUSED);
	ERR("then nothing", recv(c, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	EQ("send again", send(c, "lost", 4, 0), 4);
	ERR("send reports the refusal too", send(c, "lost", 4, 0), ECONNREFUSED);
	EQ("SO_ERROR is clear", getint(c, SOL_SOCKET, SO_ERROR), 0);

	struct sockaddr_in un = { .sin_family = AF_UNSPEC };
	OK("connect AF_UNSPEC dissolves", connect(c, (void *)&un, sizeof un));
	n = sizeof ca;
	OKQ(getsockname(c, (void *)&ca, &n));
	YES("and gives back the ephemeral port", ((struct sockaddr_in *)&ca)->sin_port == 0 &&
						    ((struct sockaddr_in *)&ca)->sin_addr.s_addr == 0);
	ERR("send without destination again", send(c, "x", 1, 0), EDESTADDRREQ);
	close(c);
}

static void limits(void)
{
	struct sockaddr_storage sa;
	int s = bound(AF_INET, &sa);
	static char big[70000];
	ERR("datagram over 65507 bytes", sendto(s, big, 65508, 0, (void *)&sa, sizeof(struct sockaddr_in)), EMSGSIZE);
	EQ("65507 bytes", sendto(s, big, 65507, 0, (void *)&sa, sizeof(struct sockaddr_in)), 65507);
	EQ("received whole", recv(s, big, sizeof big, 0), 65507);
	struct sockaddr_in zero = { .sin_family = AF_INET };
	zero.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ERR("sendto port 0", sendto(s, "x", 1, 0, (void *)&zero, sizeof zero), EINVAL);
	ERR("sendto short address", sendto(s, "x", 1, 0, (void *)&zero, 4), EINVAL);
	EQ("SO_BROADCAST default", getint(s, SOL_SOCKET, SO_BROADCAST), 0);
	int one = 1;
	OKQ(setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof one));
	EQ("SO_BROADCAST set", getint(s, SOL_SOCKET, SO_BROADCAST), 1);
	ERR("shutdown unconnected", shutdown(s, SHUT_RD), ENOTCONN);
	char b;
	EQ("shut down for reading: recv returns 0", recv(s, &b, 1, 0), 0);
	ERR("unless non-blocking", recv(s, &b, 1, MSG_DONTWAIT), EAGAIN);
	close(s);

	/* SO_REUSEADDR lets UDP sockets share a port; without it, no. */
	int a = OKQ(socket(AF_INET, SOCK_DGRAM, 0)), c = OKQ(socket(AF_INET, SOCK_DGRAM, 0));
	s = bound(AF_INET, &sa);
	ERR("bind a taken port", bind(a, (void *)&sa, sizeof(struct sockaddr_in)), EADDRINUSE);
	close(s);
	OKQ(setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	OKQ(setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	OKQ(bind(a, (void *)&sa, sizeof(struct sockaddr_in)));
	OK("SO_REUSEADDR shares the port", bind(c, (void *)&sa, sizeof(struct sockaddr_in)));
	close(a); close(c);
}

static void dualstack(void)
{
	int s6 = OKQ(socket(AF_INET6, SOCK_DGRAM, 0));
	struct sockaddr_in6 any = { .sin6_family = AF_INET6 };
	OKQ(bind(s6, (void *)&any, sizeof any));
	socklen_t n = sizeof any;
	OKQ(getsockname(s6, (void *)&any, &n));
	int c = OKQ(socket(AF_INET, SOCK_DGRAM, 0));
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = any.sin6_port };
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	EQ("IPv4 datagram to [::]", sendto(c, "v4", 2, 0, (void *)&to, sizeof to), 2);
	struct sockaddr_in6 from;
	char buf[8], txt[INET6_ADDRSTRLEN];
	n = sizeof from;
	EQ("received on the IPv6 socket", recvfrom(s6, buf, sizeof buf, 0, (void *)&from, &n), 2);
	SEQ("sender is mapped", inet_ntop(AF_INET6, &from.sin6_addr, txt, sizeof txt), "::ffff:127.0.0.1");
	EQ("reply to the mapped address", sendto(s6, "v6", 2, 0, (void *)&from, n), 2);
	EQ("IPv4 socket reads it", recv(c, buf, sizeof buf, 0), 2);
	EQ("an IPv6 socket may name an IPv4 peer with sockaddr_in", sendto(s6, "in", 2, 0, (void *)&to, sizeof to), 2);
	EQ("received", recv(s6, buf, sizeof buf, 0), 2);
	close(c); close(s6);
}

int main(void)
{
	echo(AF_INET);
	echo(AF_INET6);
	connected();
	limits();
	dualstack();
	return 0;
}
