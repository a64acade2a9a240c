//go:build ignore

/* unix_sockets_blocking: AF_UNIX sockets that wait: poll and epoll woken
 * by a peer in another process, connect blocked on a full backlog until
 * accept, a listening socket passed to a child with SCM_RIGHTS, MSG_PEEK
 * of passed descriptors, MSG_WAITALL, sendmmsg/recvmmsg, and a blocked
 * recv interrupted by a signal (EINTR with and without SA_RESTART). */
#include "common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <stddef.h>

static void reap(const char *label, pid_t pid)
{
	int status;
	OKQ(waitpid(pid, &status, 0));
	YES(label, WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void send_fd(int sock, int fd)
{
	char cb[CMSG_SPACE(sizeof(int))];
	memset(cb, 0, sizeof cb);
	struct iovec iov = { "F", 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	if (sendmsg(sock, &m, 0) != 1) FAIL("send_fd: %s", errname(errno));
}

static int recv_fd(int sock, int flags)
{
	char cb[CMSG_SPACE(sizeof(int))];
	char c;
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb };
	if (recvmsg(sock, &m, flags) != 1) FAIL("recv_fd: %s", errname(errno));
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	if (!cm || cm->cmsg_type != SCM_RIGHTS) return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof fd);
	return fd;
}

static void on_alarm(int sig) { (void)sig; }

int main(void)
{
	tmp_enter();
	signal(SIGPIPE, SIG_IGN);
	int sv[2];
	char buf[64];

	/* poll woken by a write from a child. */
	OKQ(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
	pid_t child = OKQ(fork());
	if (child == 0) {
		usleep(50000);
		_exit(write(sv[0], "wake", 4) == 4 ? 0 : 1);
	}
	struct pollfd p = { sv[1], POLLIN, 0 };
	EQ("poll waits for data", syscall(SYS_poll, &p, 1, 10000), 1);
	EQ("poll revents", p.revents, POLLIN);
	reap("writer child", child);
	EQ("read the wake-up", read(sv[1], buf, sizeof buf), 4);

	/* epoll woken by a peer's close. */
	int ep = OKQ(epoll_create1(EPOLL_CLOEXEC));
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u32 = 7 };
	OK("epoll_ctl add socket", epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
	child = OKQ(fork());
	if (child == 0) {
		usleep(50000);
		close(sv[0]);
		_exit(0);
	}
	close(sv[0]);
	struct epoll_event out;
	EQ("epoll_wait sees the hang-up", epoll_wait(ep, &out, 1, 10000), 1);
	YES("epoll events", out.data.u32 == 7 && (out.events & (EPOLLIN | EPOLLRDHUP)) == (EPOLLIN | EPOLLRDHUP));
	reap("closing child", child);
	EQ("EOF", read(sv[1], buf, sizeof buf), 0);
	close(sv[1]);
	close(ep);

	/* connect blocks on a full backlog until the listener accepts. */
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	strcpy(a.sun_path, "listener");
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + strlen(a.sun_path) + 1;
	int l = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
	OKQ(syscall(SYS_bind, l, &a, alen));
	OKQ(syscall(SYS_listen, l, 0));
	int c1 = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
	OK("first connect fills the backlog", syscall(SYS_connect, c1, &a, alen));
	int go[2];
	OKQ(pipe(go));
	child = OKQ(fork());
	if (child == 0) {
		close(go[0]);
		int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
		if (syscall(SYS_connect, c2, &a, alen) != 0) _exit(1);
		_exit(write(c2, "second", 6) == 6 ? 0 : 2);
	}
	close(go[1]);
	usleep(50000);
	int s1 = OK("accept the first", syscall(SYS_accept, l, NULL, NULL));
	int s2 = OK("accept the blocked one", syscall(SYS_accept, l, NULL, NULL));
	memset(buf, 0, sizeof buf);
	EQ("MSG_WAITALL", recv(s2, buf, 6, MSG_WAITALL), 6);
	SEQ("second's data", buf, "second");
	reap("blocked connector", child);
	close(s1); close(s2); close(c1); close(go[0]);

	/* shutdown of a listener wakes a blocked accept (EINVAL). */
	int l2 = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
	struct sockaddr_un a2 = { .sun_family = AF_UNIX };
	strcpy(a2.sun_path, "listener2");
	OKQ(syscall(SYS_bind, l2, &a2, alen + 1));
	OKQ(syscall(SYS_listen, l2, 4));
	child = OKQ(fork());
	if (child == 0) {
		usleep(50000);
		_exit(syscall(SYS_shutdown, l2, SHUT_RDWR) == 0 ? 0 : 1);
	}
	ERR("accept woken by shutdown", syscall(SYS_accept, l2, NULL, NULL), EINVAL);
	reap("shutting child", child);
	c1 = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
	ERR("connect to a shut-down listener", syscall(SYS_connect, c1, &a2, alen + 1), ECONNREFUSED);
	close(c1); close(l2);

	/* A listening socket passed to a child, which accepts on it. */
	OKQ(syscall(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, sv));
	child = OKQ(fork());
	if (child == 0) {
		close(sv[0]);
		close(l);
		int got = recv_fd(sv[1], 0);
		if (got < 0) _exit(1);
		int s = syscall(SYS_accept, got, NULL, NULL);
		if (s < 0) _exit(2);
		_exit(write(s, "accepted by child", 17) == 17 ? 0 : 3);
	}
	close(sv[1]);
	send_fd(sv[0], l);
	close(l);
	int c = OKQ(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
	OK("connect to the passed listener", syscall(SYS_connect, c, &a, alen));
	memset(buf, 0, sizeof buf);
	EQ("read from the child's connection", read(c, buf, sizeof buf), 17);
	SEQ("child's greeting", buf, "accepted by child");
	reap("accepting child", child);
	close(c); close(sv[0]);

	/* MSG_PEEK of a passed descriptor gives a new descriptor each time. */
	OKQ(syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, sv));
	write_file("peeked", "peek");
	int f = OKQ(open("peeked", O_RDONLY));
	send_fd(sv[0], f);
	int p1 = recv_fd(sv[1], MSG_PEEK);
	int p2 = recv_fd(sv[1], 0);
	YES("peek and receive give two descriptors", p1 >= 0 && p2 >= 0 && p1 != p2);
	struct stat st1, st2;
	OKQ(fstat(p1, &st1));
	OKQ(fstat(p2, &st2));
	YES("of the same file", st1.st_ino == st2.st_ino && st1.st_dev == st2.st_dev);
	ERR("queue empty after the receive", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	close(f); close(p1); close(p2);

	/* sendmmsg/recvmmsg keep datagrams apart. */
	struct iovec iv[3] = { { "a", 1 }, { "bb", 2 }, { "ccc", 3 } };
	struct mmsghdr mm[3];
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 3; i++) {
		mm[i].msg_hdr.msg_iov = &iv[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	EQ("sendmmsg", syscall(SYS_sendmmsg, sv[0], mm, 3, 0), 3);
	YES("msg_len set", mm[0].msg_len == 1 && mm[1].msg_len == 2 && mm[2].msg_len == 3);
	char rb[3][8];
	struct iovec riv[3];
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 3; i++) {
		riv[i].iov_base = rb[i];
		riv[i].iov_len = sizeof rb[i];
		mm[i].msg_hdr.msg_iov = &riv[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	EQ("recvmmsg MSG_WAITFORONE", syscall(SYS_recvmmsg, sv[1], mm, 3, MSG_WAITFORONE, NULL), 3);
	YES("recvmmsg lengths", mm[0].msg_len == 1 && mm[1].msg_len == 2 && mm[2].msg_len == 3);
	YES("recvmmsg data", rb[2][0] == 'c' && rb[1][1] == 'b');

	/* A blocked recv and a signal: EINTR without SA_RESTART. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	OKQ(sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	ERR("recv interrupted", recv(sv[1], buf, sizeof buf, 0), EINTR);
	/* With SA_RESTART the call restarts, unless a timeout is set. */
	sa.sa_flags = SA_RESTART;
	OKQ(sigaction(SIGALRM, &sa, NULL));
	struct timeval tv = { 3, 0 };
	OKQ(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	alarm(1);
	ERR("recv with SO_RCVTIMEO interrupted despite SA_RESTART", recv(sv[1], buf, sizeof buf, 0), EINTR);
	close(sv[0]); close(sv[1]);
	return 0;
}
