//go:build ignore

/* unix_sockets: AF_UNIX sockets with names: bind/listen/accept/connect on
 * a path and on an abstract name, getsockname/getpeername, SO_PEERCRED
 * across fork, SCM_RIGHTS from a child to its parent, datagram boundaries
 * and addresses, shutdown, non-blocking EAGAIN, and the errors. */
#include "common.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/time.h>

static socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

static int stream_socket(void)
{
	return OKQ(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
}

/* revents polls fd without waiting and returns its events. */
static int revents(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP | POLLPRI, 0 };
	OKQ(poll(&p, 1, 0));
	return p.revents;
}

static volatile int sigpipes;
static int on_ = 1;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

int main(void)
{
	tmp_enter();
	signal(SIGPIPE, SIG_IGN);
	char buf[128];
	struct sockaddr_un a, got;
	socklen_t len;

	/* A listener on a path. */
	int l = stream_socket();
	socklen_t alen = path_addr(&a, "sock");
	OK("bind path", syscall(SYS_bind, l, &a, alen));
	struct stat st;
	OK("stat socket node", stat("sock", &st));
	YES("node is S_IFSOCK", S_ISSOCK(st.st_mode));
	EQ("node mode (umask 022)", st.st_mode & 0777, 0755);
	ERR("bind again, same path", syscall(SYS_bind, l, &a, alen), EADDRINUSE);
	path_addr(&a, "sock2");
	ERR("bind again, new path", syscall(SYS_bind, l, &a, alen + 1), EINVAL);
	ERR("no node left behind", access("sock2", F_OK), ENOENT);
	path_addr(&a, "sock");
	int l2 = stream_socket();
	ERR("bind existing path", syscall(SYS_bind, l2, &a, alen), EADDRINUSE);
	write_file("file", "x");
	socklen_t flen = path_addr(&a, "file");
	ERR("bind over a file", syscall(SYS_bind, l2, &a, flen), EADDRINUSE);
	ERR("connect to a non-socket", syscall(SYS_connect, l2, &a, flen), ECONNREFUSED);
	path_addr(&a, "nodir/sock");
	ERR("bind in missing dir", syscall(SYS_bind, l2, &a, alen + 6), ENOENT);
	path_addr(&a, "sock");
	ERR("connect before listen", syscall(SYS_connect, l2, &a, alen), ECONNREFUSED);
	int v = 1;
	len = sizeof v;
	OKQ(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len));
	EQ("SO_ACCEPTCONN before listen", v, 0);
	OK("listen", syscall(SYS_listen, l, 1));
	len = sizeof v;
	OKQ(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len));
	EQ("SO_ACCEPTCONN after listen", v, 1);
	len = sizeof got;
	OK("getsockname", syscall(SYS_getsockname, l, &got, &len));
	EQ("getsockname length", len, alen);
	SEQ("getsockname path", got.sun_path, "sock");

	int fl = fcntl(l, F_GETFL);
	OKQ(fcntl(l, F_SETFL, fl | O_NONBLOCK));
	ERR("accept nothing, non-blocking", syscall(SYS_accept4, l, NULL, NULL, 0), EAGAIN);
	OKQ(fcntl(l, F_SETFL, fl));

	/* A client in a child process: SO_PEERCRED on both sides. */
	int ready[2];
	OKQ(pipe(ready));
	pid_t child = OKQ(fork());
	if (child == 0) {
		int c = stream_socket();
		if (syscall(SYS_connect, c, &a, alen) != 0) _exit(10);
		struct ucred pc;
		socklen_t pl = sizeof pc;
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &pc, &pl) != 0) _exit(11);
		if (pc.pid != getppid() || pl != sizeof pc) _exit(12);
		if (write(c, "ping", 4) != 4) _exit(13);
		char r[8] = {0};
		if (read(c, r, sizeof r) != 4 || strcmp(r, "pong") != 0) _exit(14);
		if (read(c, r, sizeof r) != 0) _exit(15); /* EOF after the server closes */
		_exit(0);
	}
	len = sizeof got;
	memset(&got, 0xff, sizeof got);
	int s = OK("accept4", syscall(SYS_accept4, l, &got, &len, SOCK_CLOEXEC));
	EQ("unnamed peer address length", len, sizeof(sa_family_t));
	YES("accept4 SOCK_CLOEXEC", fcntl(s, F_GETFD) == FD_CLOEXEC);
	struct ucred pc;
	len = sizeof pc;
	OK("SO_PEERCRED of accepted socket", getsockopt(s, SOL_SOCKET, SO_PEERCRED, &pc, &len));
	YES("peer is the child", pc.pid == child && pc.uid == getuid() && pc.gid == getgid());
	len = sizeof got;
	OK("getsockname of accepted socket", syscall(SYS_getsockname, s, &got, &len));
	SEQ("accepted socket has the listener's name", got.sun_path, "sock");
	memset(buf, 0, sizeof buf);
	EQ("read ping", read(s, buf, sizeof buf), 4);
	SEQ("ping", buf, "ping");
	EQ("write pong", write(s, "pong", 4), 4);
	close(s);
	int status;
	OKQ(waitpid(child, &status, 0));
	EQ("child exit", WEXITSTATUS(status), 0);

	/* The client side on its own: getpeername, backlog, non-blocking. */
	int c = stream_socket();
	ERR("getpeername unconnected", syscall(SYS_getpeername, c, &got, &len), ENOTCONN);
	ERR("recv unconnected stream", recv(c, buf, 1, 0), EINVAL);
	ERR("send unconnected stream", send(c, "x", 1, 0), ENOTCONN);
	OK("connect", syscall(SYS_connect, c, &a, alen));
	len = sizeof got;
	OK("getpeername", syscall(SYS_getpeername, c, &got, &len));
	SEQ("getpeername path", got.sun_path, "sock");
	ERR("connect again", syscall(SYS_connect, c, &a, alen), EISCONN);
	ERR("listen on connected", syscall(SYS_listen, c, 1), EINVAL);
	int c2 = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
	OK("second connect fits the backlog", syscall(SYS_connect, c2, &a, alen));
	int c3 = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
	ERR("full backlog, non-blocking", syscall(SYS_connect, c3, &a, alen), EAGAIN);
	ERR("recv nothing, non-blocking", recv(c2, buf, sizeof buf, 0), EAGAIN);
	EQ("client writes before accept", write(c, "early", 5), 5);
	s = OK("accept", syscall(SYS_accept, l, NULL, NULL));
	memset(buf, 0, sizeof buf);
	EQ("read early data", read(s, buf, sizeof buf), 5);

	/* shutdown. */
	OK("shutdown SHUT_WR", syscall(SYS_shutdown, c, SHUT_WR));
	EQ("server reads EOF", read(s, buf, sizeof buf), 0);
	ERR("client write after SHUT_WR", write(c, "x", 1), EPIPE);
	EQ("server still writes", write(s, "back", 4), 4);
	EQ("client still reads", read(c, buf, sizeof buf), 4);
	OK("shutdown SHUT_RD", syscall(SYS_shutdown, c, SHUT_RD));
	ERR("server write after peer SHUT_RD", send(s, "x", 1, MSG_NOSIGNAL), EPIPE);
	EQ("client reads EOF", read(c, buf, sizeof buf), 0);
	close(s);
	close(c);

	/* Closing with unread data resets the peer. */
	int s2 = OKQ(syscall(SYS_accept, l, NULL, NULL));
	EQ("write to unread socket", write(c2, "lost", 4), 4);
	close(s2);
	ERR("peer closed with data unread", read(c2, buf, sizeof buf), ECONNRESET);
	EQ("then EOF", read(c2, buf, sizeof buf), 0);
	ERR("write to closed peer", send(c2, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(c2); close(c3);

	/* Closing the listener leaves the node but refuses connections. */
	close(l);
	c = stream_socket();
	ERR("connect after the listener closed", syscall(SYS_connect, c, &a, alen), ECONNREFUSED);
	OK("unlink the node", unlink("sock"));
	ERR("connect to a removed path", syscall(SYS_connect, c, &a, alen), ENOENT);
	close(c);

	/* Abstract names; SCM_RIGHTS from a child to its parent. */
	char name[64];
	snprintf(name, sizeof name, "moat-sc-unix-%d", (int)getpid());
	socklen_t nlen = abstract_addr(&a, name);
	l = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_SEQPACKET, 0));
	OK("bind abstract", syscall(SYS_bind, l, &a, nlen));
	len = sizeof got;
	OK("getsockname abstract", syscall(SYS_getsockname, l, &got, &len));
	YES("abstract name round trip", len == nlen && got.sun_path[0] == 0 && memcmp(got.sun_path + 1, name, strlen(name)) == 0);
	ERR("abstract no file", stat(name, &st), ENOENT);
	int other = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_SEQPACKET, 0));
	ERR("abstract name in use", syscall(SYS_bind, other, &a, nlen), EADDRINUSE);
	close(other);
	OK("listen seqpacket", syscall(SYS_listen, l, 4));
	child = OKQ(fork());
	if (child == 0) {
		int c = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_SEQPACKET, 0));
		if (syscall(SYS_connect, c, &a, nlen) != 0) _exit(20);
		write_file("from-child", "made by the child");
		int f = open("from-child", O_RDONLY);
		char cb[CMSG_SPACE(sizeof(int))];
		memset(cb, 0, sizeof cb);
		struct iovec iov = { "fd", 2 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &f, sizeof f);
		if (syscall(SYS_sendmsg, c, &m, 0) != 2) _exit(21);
		close(f);
		if (unlink("from-child") != 0) _exit(22);
		/* Wait for the parent to hang up. */
		char r;
		if (read(c, &r, 1) != 0) _exit(23);
		_exit(0);
	}
	s = OKQ(syscall(SYS_accept, l, NULL, NULL));
	char rb[CMSG_SPACE(sizeof(int))];
	struct iovec riov = { buf, sizeof buf };
	struct msghdr rm = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = rb, .msg_controllen = sizeof rb };
	EQ("recvmsg from child", syscall(SYS_recvmsg, s, &rm, 0), 2);
	struct cmsghdr *rc = CMSG_FIRSTHDR(&rm);
	YES("SCM_RIGHTS from child", rc && rc->cmsg_type == SCM_RIGHTS && rc->cmsg_len == CMSG_LEN(sizeof(int)));
	int passed;
	memcpy(&passed, CMSG_DATA(rc), sizeof passed);
	EQ("no MSG_CTRUNC", rm.msg_flags & MSG_CTRUNC, 0);
	YES("passed fd not close-on-exec", fcntl(passed, F_GETFD) == 0);
	memset(buf, 0, sizeof buf);
	EQ("read the child's unlinked file", read(passed, buf, sizeof buf), 17);
	SEQ("child's file", buf, "made by the child");
	close(passed);
	close(s);
	OKQ(waitpid(child, &status, 0));
	EQ("child exit", WEXITSTATUS(status), 0);

	/* MSG_CTRUNC: no room for the descriptor. */
	int sv[2];
	OKQ(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
	int f = OKQ(open("file", O_RDONLY));
	{
		char cb[CMSG_SPACE(sizeof(int))];
		memset(cb, 0, sizeof cb);
		struct iovec iov = { "z", 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &f, sizeof f);
		EQ("sendmsg fd", syscall(SYS_sendmsg, sv[0], &m, 0), 1);
		int bad = 9999;
		memcpy(CMSG_DATA(cm), &bad, sizeof bad);
		ERR("sendmsg bad fd", syscall(SYS_sendmsg, sv[0], &m, 0), EBADF);
	}
	struct msghdr tm = { .msg_iov = &riov, .msg_iovlen = 1 };
	EQ("recvmsg without control buffer", syscall(SYS_recvmsg, sv[1], &tm, 0), 1);
	YES("MSG_CTRUNC", tm.msg_flags & MSG_CTRUNC);
	EQ("msg_controllen", tm.msg_controllen, 0);
	close(f); close(sv[0]); close(sv[1]);

	/* Datagrams between named sockets. */
	int d1 = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0));
	int d2 = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0));
	struct sockaddr_un a1, a2;
	socklen_t l1 = path_addr(&a1, "d1"), l2n = path_addr(&a2, "d2");
	OK("bind d1", syscall(SYS_bind, d1, &a1, l1));
	OK("bind d2", syscall(SYS_bind, d2, &a2, l2n));
	ERR("recv empty, non-blocking", syscall(SYS_recvfrom, d2, buf, sizeof buf, 0, NULL, NULL), EAGAIN);
	ERR("send without destination", send(d1, "x", 1, 0), ENOTCONN);
	EQ("sendto 1", syscall(SYS_sendto, d1, "first", 5, 0, &a2, l2n), 5);
	EQ("sendto 2", syscall(SYS_sendto, d1, "second!", 7, 0, &a2, l2n), 7);
	EQ("sendto empty", syscall(SYS_sendto, d1, "", 0, 0, &a2, l2n), 0);
	len = sizeof got;
	memset(buf, 0, sizeof buf);
	EQ("recvfrom keeps the boundary", syscall(SYS_recvfrom, d2, buf, sizeof buf, 0, &got, &len), 5);
	SEQ("sender address", got.sun_path, "d1");
	EQ("sender address length", len, l1);
	EQ("MSG_PEEK", recv(d2, buf, sizeof buf, MSG_PEEK), 7);
	EQ("MSG_TRUNC gives the real length", recv(d2, buf, 2, MSG_TRUNC), 7);
	EQ("empty datagram", recv(d2, buf, sizeof buf, 0), 0);
	OK("connect dgram", syscall(SYS_connect, d2, &a1, l1));
	EQ("send connected", send(d2, "reply", 5, 0), 5);
	EQ("recv reply", recv(d1, buf, sizeof buf, 0), 5);
	int d3 = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0));
	ERR("sendto a socket connected elsewhere", syscall(SYS_sendto, d3, "x", 1, 0, &a2, l2n), EPERM);
	ERR("connect stream to dgram", syscall(SYS_connect, stream_socket(), &a1, l1), EPROTOTYPE);
	ERR("listen on dgram", syscall(SYS_listen, d1, 1), EOPNOTSUPP);
	ERR("accept on dgram", syscall(SYS_accept, d1, NULL, NULL), EOPNOTSUPP);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	OK("disconnect with AF_UNSPEC", syscall(SYS_connect, d2, &unspec, sizeof unspec));
	ERR("send after disconnect", send(d2, "x", 1, 0), ENOTCONN);
	close(d1); close(d2); close(d3);

	/* Autobind and address errors. */
	int ab = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0));
	sa_family_t fam = AF_UNIX;
	OK("autobind", syscall(SYS_bind, ab, &fam, sizeof fam));
	len = sizeof got;
	OK("getsockname autobound", syscall(SYS_getsockname, ab, &got, &len));
	YES("autobind gives an abstract name of 5 hex digits", len == 8 && got.sun_path[0] == 0);
	close(ab);
	ab = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
	len = sizeof got;
	OK("getsockname unbound", syscall(SYS_getsockname, ab, &got, &len));
	EQ("unbound name length", len, sizeof(sa_family_t));
	ERR("bind short address", syscall(SYS_bind, ab, &a, 1), EINVAL);
	ERR("bind long address", syscall(SYS_bind, ab, &a, sizeof a + 1), EINVAL);
	a.sun_family = AF_INET;
	ERR("bind wrong family", syscall(SYS_bind, ab, &a, alen), EINVAL);
	ERR("connect to unnamed", syscall(SYS_connect, ab, &fam, sizeof fam), EINVAL);
	ERR("bind bad pointer", syscall(SYS_bind, ab, BADPTR, alen), EFAULT);
	ERR("listen unbound", syscall(SYS_listen, ab, 1), EINVAL);
	ERR("accept not listening", syscall(SYS_accept, ab, NULL, NULL), EINVAL);
	ERR("bad shutdown how", syscall(SYS_shutdown, ab, -1), EINVAL);
	
	ERR("bind on a file", syscall(SYS_bind, 0, &a, alen), ENOTSOCK);
	ERR("getsockopt bad level", getsockopt(ab, 0, SO_TYPE, &v, &len), EOPNOTSUPP);
	ERR("getsockopt unknown", getsockopt(ab, SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
	struct stat fs;
	OK("fstat socket", fstat(ab, &fs));
	YES("fstat S_IFSOCK", S_ISSOCK(fs.st_mode));
	close(ab);

	/* Readiness, as poll(2) sees it. */
	ab = stream_socket();
	EQ("poll unconnected stream", revents(ab), POLLOUT | POLLHUP);
	close(ab);
	OKQ(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
	EQ("poll idle pair", revents(sv[1]), POLLOUT);
	EQ("send for poll", send(sv[0], "abc", 3, 0), 3);
	EQ("poll with data", revents(sv[1]), POLLIN | POLLOUT);
	int avail = -1;
	OK("FIONREAD", ioctl(sv[1], FIONREAD, &avail));
	EQ("FIONREAD count", avail, 3);
	OKQ(shutdown(sv[0], SHUT_WR));
	EQ("poll after peer SHUT_WR", revents(sv[1]), POLLIN | POLLOUT | POLLRDHUP);
	EQ("poll own SHUT_WR", revents(sv[0]), POLLOUT);
	close(sv[0]);
	EQ("poll after peer close", revents(sv[1]), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
	close(sv[1]);

	/* SIGPIPE: stream sockets only. */
	signal(SIGPIPE, on_sigpipe);
	OKQ(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
	close(sv[1]);
	ERR("stream send to closed peer", send(sv[0], "x", 1, 0), EPIPE);
	EQ("SIGPIPE raised", sigpipes, 1);
	ERR("MSG_NOSIGNAL", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	EQ("no SIGPIPE with MSG_NOSIGNAL", sigpipes, 1);
	close(sv[0]);
	OKQ(syscall(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, sv));
	EQ("record from the closing side", send(sv[1], "r", 1, 0), 1);
	EQ("record to the closing side", send(sv[0], "u", 1, 0), 1);
	close(sv[1]);
	ERR("seqpacket reset comes first", recv(sv[0], buf, sizeof buf, 0), ECONNRESET);
	EQ("then the record", recv(sv[0], buf, sizeof buf, 0), 1);
	EQ("then EOF", recv(sv[0], buf, sizeof buf, 0), 0);
	ERR("seqpacket send to closed peer", send(sv[0], "x", 1, 0), EPIPE);
	EQ("seqpacket raises no SIGPIPE", sigpipes, 1);
	close(sv[0]);
	OKQ(syscall(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, sv));
	EQ("record left unread", send(sv[0], "u", 1, 0), 1);
	close(sv[1]);
	ERR("seqpacket send reports the reset", send(sv[0], "x", 1, 0), ECONNRESET);
	ERR("once", send(sv[0], "x", 1, 0), EPIPE);
	close(sv[0]);
	signal(SIGPIPE, SIG_IGN);

	/* Options: buffer sizes, timeouts, linger. */
	ab = stream_socket();
	int sz = 0;
	len = sizeof sz;
	OKQ(getsockopt(ab, SOL_SOCKET, SO_SNDBUF, &sz, &len));
	YES("default SO_SNDBUF > 0", sz > 0);
	sz = 100000;
	OK("set SO_SNDBUF", setsockopt(ab, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz));
	len = sizeof sz;
	OKQ(getsockopt(ab, SOL_SOCKET, SO_SNDBUF, &sz, &len));
	EQ("SO_SNDBUF is doubled", sz, 200000);
	ERR("short option", setsockopt(ab, SOL_SOCKET, SO_SNDBUF, &sz, 2), EINVAL);
	struct linger lg = { 1, 5 }, lg2;
	OK("set SO_LINGER", setsockopt(ab, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
	len = sizeof lg2;
	OKQ(getsockopt(ab, SOL_SOCKET, SO_LINGER, &lg2, &len));
	YES("SO_LINGER round trip", lg2.l_onoff == 1 && lg2.l_linger == 5);
	len = sizeof v;
	OKQ(getsockopt(ab, SOL_SOCKET, SO_DOMAIN, &v, &len));
	EQ("SO_DOMAIN", v, AF_UNIX);
	close(ab);
	OKQ(syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, sv));
	struct timeval tv = { 0, 20000 };
	OK("set SO_RCVTIMEO", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	ERR("recv times out", recv(sv[0], buf, sizeof buf, 0), EAGAIN);
	tv.tv_usec = 2000000;
	ERR("bad timeval", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), EDOM);
	OKQ(shutdown(sv[0], SHUT_RD));
	ERR("dgram SHUT_RD, non-blocking", recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	EQ("dgram SHUT_RD, blocking", recv(sv[0], buf, sizeof buf, 0), 0);
	ERR("send to a reader that shut down", send(sv[1], "x", 1, 0), EPIPE);
	close(sv[0]);
	ERR("send to a closed dgram peer", send(sv[1], "x", 1, 0), ECONNREFUSED);
	ERR("then not connected", send(sv[1], "x", 1, 0), ENOTCONN);
	close(sv[1]);

	/* SO_TIMESTAMP and SO_PASSCRED: the timestamp comes first. */
	OKQ(syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, sv));
	OK("SO_TIMESTAMP", setsockopt(sv[1], SOL_SOCKET, SO_TIMESTAMP, &on_, sizeof on_));
	OK("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on_, sizeof on_));
	struct timeval t0, t1, stamp;
	gettimeofday(&t0, NULL);
	EQ("send stamped", send(sv[0], "t", 1, 0), 1);
	gettimeofday(&t1, NULL);
	{
		char cb[256];
		struct iovec iov = { buf, sizeof buf };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb };
		EQ("recvmsg stamped", recvmsg(sv[1], &m, 0), 1);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		YES("SCM_TIMESTAMP first", cm && cm->cmsg_type == SCM_TIMESTAMP && cm->cmsg_len == CMSG_LEN(sizeof stamp));
		memcpy(&stamp, CMSG_DATA(cm), sizeof stamp);
		YES("timestamp between send's bounds", timercmp(&t0, &stamp, <=) && timercmp(&stamp, &t1, <=));
		cm = CMSG_NXTHDR(&m, cm);
		YES("then SCM_CREDENTIALS", cm && cm->cmsg_type == SCM_CREDENTIALS);
		YES("nothing else", CMSG_NXTHDR(&m, cm) == NULL);
	}
	OK("SO_TIMESTAMPNS", setsockopt(sv[1], SOL_SOCKET, SO_TIMESTAMPNS, &on_, sizeof on_));
	len = sizeof v;
	OKQ(getsockopt(sv[1], SOL_SOCKET, SO_TIMESTAMP, &v, &len));
	EQ("SO_TIMESTAMP reads 0 under SO_TIMESTAMPNS", v, 0);
	len = sizeof v;
	OKQ(getsockopt(sv[1], SOL_SOCKET, SO_TIMESTAMPNS, &v, &len));
	EQ("SO_TIMESTAMPNS", v, 1);
	EQ("send stamped ns", send(sv[0], "n", 1, 0), 1);
	{
		char cb[256];
		struct iovec iov = { buf, sizeof buf };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb };
		EQ("recvmsg stamped ns", recvmsg(sv[1], &m, 0), 1);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		YES("SCM_TIMESTAMPNS", cm && cm->cmsg_type == SCM_TIMESTAMPNS && cm->cmsg_len == CMSG_LEN(sizeof(struct timespec)));
	}
	OK("SO_PASSSEC", setsockopt(sv[1], SOL_SOCKET, SO_PASSSEC, &on_, sizeof on_));
	close(sv[0]); close(sv[1]);

	/* SO_PEERGROUPS: the peer's supplementary groups when it connected. */
	gid_t groups[3] = { 5, 7, 9 }, pg[8];
	OK("setgroups", syscall(SYS_setgroups, 3, groups));
	OKQ(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
	len = 4;
	ERR("SO_PEERGROUPS short", getsockopt(sv[0], SOL_SOCKET, SO_PEERGROUPS, pg, &len), ERANGE);
	EQ("length needed", len, 3 * sizeof(gid_t));
	len = sizeof pg;
	OK("SO_PEERGROUPS", getsockopt(sv[0], SOL_SOCKET, SO_PEERGROUPS, pg, &len));
	YES("peer groups", len == 3 * sizeof(gid_t) && pg[0] == 5 && pg[1] == 7 && pg[2] == 9);
	ab = stream_socket();
	len = sizeof pg;
	ERR("SO_PEERGROUPS unconnected", getsockopt(ab, SOL_SOCKET, SO_PEERGROUPS, pg, &len), ENODATA);
	close(ab);

	/* SO_RCVLOWAT: a blocking stream receive waits for that much. */
	v = 4;
	OK("SO_RCVLOWAT", setsockopt(sv[1], SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v));
	EQ("send 2", send(sv[0], "ab", 2, 0), 2);
	EQ("non-blocking receive takes what is there", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), 2);
	EQ("send 2 more", send(sv[0], "cd", 2, 0), 2);
	child = OKQ(fork());
	if (child == 0) {
		usleep(50000);
		_exit(send(sv[0], "ef", 2, 0) == 2 ? 0 : 1);
	}
	EQ("blocking receive waits for the low mark", recv(sv[1], buf, sizeof buf, 0), 4);
	OKQ(waitpid(child, &status, 0));
	v = 0;
	len = sizeof v;
	OKQ(getsockopt(sv[1], SOL_SOCKET, SO_SNDLOWAT, &v, &len));
	EQ("SO_SNDLOWAT", v, 1);
	ERR("SO_SNDLOWAT is read-only", setsockopt(sv[1], SOL_SOCKET, SO_SNDLOWAT, &v, sizeof v), ENOPROTOOPT);
	close(sv[0]); close(sv[1]);
	return 0;
}
