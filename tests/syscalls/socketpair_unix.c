//go:build ignore

/* socketpair_unix: socketpair(2) in the Unix domain: stream and datagram
 * semantics, message boundaries, passing descriptors with SCM_RIGHTS,
 * credentials with SCM_CREDENTIALS, shutdown(2), and the errors. */
#include "common.h"
#include <sys/socket.h>
#include <sys/un.h>

int main(void)
{
	tmp_enter();
	int sv[2];
	char buf[64];
	OK("socketpair stream", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
	EQ("send", send(sv[0], "hello", 5, 0), 5);
	EQ("send more", send(sv[0], "world", 5, 0), 5);
	memset(buf, 0, sizeof buf);
	EQ("stream read merges", recv(sv[1], buf, sizeof buf, 0), 10);
	SEQ("data", buf, "helloworld");
	ERR("recv nothing, non-blocking", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	OK("shutdown write", shutdown(sv[0], SHUT_WR));
	EQ("peer reads EOF", recv(sv[1], buf, sizeof buf, 0), 0);
	signal(SIGPIPE, SIG_IGN);
	ERR("send after shutdown", send(sv[0], "x", 1, 0), EPIPE);
	ERR("bad shutdown how", shutdown(sv[0], 7), EINVAL);
	close(sv[0]); close(sv[1]);

	OK("socketpair dgram", syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, sv));
	EQ("send 3", send(sv[0], "one", 3, 0), 3);
	EQ("send 5", send(sv[0], "three", 5, 0), 5);
	memset(buf, 0, sizeof buf);
	EQ("first datagram", recv(sv[1], buf, sizeof buf, 0), 3);
	EQ("truncated second datagram", recv(sv[1], buf, 2, 0), 2);
	ERR("rest was discarded", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	close(sv[0]); close(sv[1]);

	OK("socketpair seqpacket", syscall(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	YES("SOCK_CLOEXEC", fcntl(sv[0], F_GETFD) == FD_CLOEXEC);

	/* Pass a descriptor. */
	write_file("passed", "through the socket");
	int f = OKQ(open("passed", O_RDONLY));
	char cbuf[CMSG_SPACE(sizeof(int))];
	memset(cbuf, 0, sizeof cbuf);
	struct iovec iov = { "m", 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &f, sizeof f);
	EQ("sendmsg SCM_RIGHTS", sendmsg(sv[0], &msg, 0), 1);
	close(f);
	char rbuf[CMSG_SPACE(sizeof(int))];
	char m;
	struct iovec riov = { &m, 1 };
	struct msghdr rmsg = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = rbuf, .msg_controllen = sizeof rbuf };
	EQ("recvmsg", recvmsg(sv[1], &rmsg, MSG_CMSG_CLOEXEC), 1);
	struct cmsghdr *rc = CMSG_FIRSTHDR(&rmsg);
	YES("got SCM_RIGHTS", rc && rc->cmsg_level == SOL_SOCKET && rc->cmsg_type == SCM_RIGHTS);
	int got;
	memcpy(&got, CMSG_DATA(rc), sizeof got);
	YES("MSG_CMSG_CLOEXEC applied", fcntl(got, F_GETFD) == FD_CLOEXEC);
	EQ("msg_flags reports MSG_CMSG_CLOEXEC", rmsg.msg_flags, MSG_CMSG_CLOEXEC);
	memset(buf, 0, sizeof buf);
	EQ("read through passed fd", read(got, buf, sizeof buf), 18);
	SEQ("passed content", buf, "through the socket");

	/* Credentials. */
	int on = 1;
	OK("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
	EQ("send for creds", send(sv[0], "c", 1, 0), 1);
	char ccbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct msghdr cmsg = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = ccbuf, .msg_controllen = sizeof ccbuf };
	EQ("recvmsg creds", recvmsg(sv[1], &cmsg, 0), 1);
	struct cmsghdr *cc = CMSG_FIRSTHDR(&cmsg);
	struct ucred uc;
	YES("got SCM_CREDENTIALS", cc && cc->cmsg_type == SCM_CREDENTIALS);
	memcpy(&uc, CMSG_DATA(cc), sizeof uc);
	YES("creds are ours", uc.pid == getpid() && uc.uid == getuid() && uc.gid == getgid());
	struct ucred peer;
	socklen_t plen = sizeof peer;
	OK("SO_PEERCRED", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &peer, &plen));
	YES("peer is us", peer.pid == getpid() && peer.uid == 0);
	int type = 0;
	socklen_t tlen = sizeof type;
	OKQ(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &tlen));
	EQ("SO_TYPE", type, SOCK_SEQPACKET);

	ERR("socketpair AF_INET", syscall(SYS_socketpair, AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	ERR("socketpair bad type", syscall(SYS_socketpair, AF_UNIX, 99, 0, sv), EINVAL);
	ERR("socketpair bad protocol", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 7, sv), EPROTONOSUPPORT);
	ERR("socketpair bad pointer", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BADPTR), EFAULT);
	ERR("recv on a file", recv(got, buf, 1, 0), ENOTSOCK);
	return 0;
}
