//go:build ignore

/* pty: pseudo-terminals from /dev/ptmx as openpty(3) uses them: the lock,
 * /dev/pts/N (char 136:N, owner, listing), TIOCGPTPEER; canonical input
 * with ERASE/KILL/EOF and its echo; ECHO off; raw mode with VMIN/VTIME;
 * line speeds through termios2; poll and epoll readiness of both ends;
 * packet mode (TIOCPKT);
 * O_NONBLOCK; FIONREAD, TCFLSH; a child in a new session that takes the
 * replica as its controlling terminal (TIOCSCTTY, TIOCGSID, TIOCGPGRP,
 * TIOCSPGRP rules, /dev/tty), whose background process group gets
 * SIGTTIN/SIGTTOU or EIO, and that gets SIGWINCH on a window change and
 * SIGINT from ^C, which also discards the line being typed; hangups
 * (replica reads end of file, writes EIO; master reads EIO). Data crosses
 * a Linux pty asynchronously, so reads of a known amount wait with poll. */
#include "common.h"
#include <dirent.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>

/* show renders control characters visibly: "^C", "\r", "\n". */
static const char *show(const char *s, size_t n)
{
	static char out[256];
	size_t o = 0;
	for (size_t i = 0; i < n && o + 5 < sizeof out; i++) {
		unsigned char c = s[i];
		if (c == '\r') o += sprintf(out + o, "\\r");
		else if (c == '\n') o += sprintf(out + o, "\\n");
		else if (c == '\b') o += sprintf(out + o, "\\b");
		else if (c < 0x20 || c == 0x7f) o += sprintf(out + o, "\\x%02x", c);
		else out[o++] = c;
	}
	out[o] = 0;
	return out;
}

/* readn reads exactly n bytes from fd, waiting up to 5 s for each. */
static const char *readn(int fd, size_t n)
{
	static char buf[256];
	size_t got = 0;
	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 5000) != 1) FAIL("timeout after %zu of %zu bytes", got, n);
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0) FAIL("read: %zd (%s)", r, errname(errno));
		got += r;
	}
	return show(buf, n);
}

/* quiet reports whether fd stays unreadable for 200 ms. */
static int quiet(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 200) == 0;
}

static int open_pair(int *s, unsigned *ptn)
{
	int m = OKQ(posix_openpt(O_RDWR | O_NOCTTY));
	OKQ(unlockpt(m));
	OKQ(ioctl(m, TIOCGPTN, ptn));
	*s = OKQ(open(ptsname(m), O_RDWR | O_NOCTTY));
	return m;
}

static void set_lflag(int s, tcflag_t on, tcflag_t off, int vmin, int vtime)
{
	struct termios t;
	OKQ(tcgetattr(s, &t));
	t.c_lflag = (t.c_lflag | on) & ~off;
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime;
	OKQ(tcsetattr(s, TCSANOW, &t));
}

static void test_nodes(void)
{
	int m = OK("posix_openpt", posix_openpt(O_RDWR | O_NOCTTY));
	OK("grantpt", grantpt(m));
	unsigned ptn;
	OKQ(ioctl(m, TIOCGPTN, &ptn));
	char name[64];
	snprintf(name, sizeof name, "/dev/pts/%u", ptn);
	YES("ptsname is /dev/pts/N", strcmp(ptsname(m), name) == 0);
	ERR("open locked replica", open(name, O_RDWR | O_NOCTTY), EIO);
	int lock = 1;
	OKQ(ioctl(m, TIOCGPTLCK, &lock));
	EQ("TIOCGPTLCK", lock, 1);
	OK("unlockpt", unlockpt(m));
	struct stat st;
	OK("stat replica", stat(name, &st));
	YES("replica is char 136:N", S_ISCHR(st.st_mode) && major(st.st_rdev) == 136 && minor(st.st_rdev) == ptn);
	YES("replica owned by the opener", st.st_uid == getuid());
	int found = 0;
	DIR *d = opendir("/dev/pts");
	CHECK(d);
	struct dirent *e;
	while ((e = readdir(d))) found |= strcmp(e->d_name, name + 9) == 0;
	closedir(d);
	YES("/dev/pts lists N", found);
	int s = OK("TIOCGPTPEER", ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY));
	OKQ(fstat(s, &st));
	YES("peer is the replica", major(st.st_rdev) == 136 && minor(st.st_rdev) == ptn);
	YES("isatty(replica)", isatty(s));
	YES("ttyname(peer) is /dev/pts/N", ttyname(s) && strcmp(ttyname(s), name) == 0);
	ERR("TIOCGPTN on the replica", ioctl(s, TIOCGPTN, &ptn), ENOTTY);
	close(s);
	close(m);
	/* Linux releases the pty asynchronously: give it a moment. */
	for (int i = 0; i < 200 && stat(name, &st) == 0; i++) usleep(10000);
	ERR("replica gone with the master", stat(name, &st), ENOENT);
}

static void test_canonical(void)
{
	int s;
	unsigned ptn;
	int m = open_pair(&s, &ptn);
	char buf[64];
	EQ("write line with erase", write(m, "ab\x7f" "c\r", 5), 5);
	SEQ("replica reads", readn(s, 3), "ac\\n");
	SEQ("echo", readn(m, 8), "ab\\b \\bc\\r\\n");
	EQ("write kill", write(m, "xy\x15z\n", 5), 5);
	SEQ("after kill", readn(s, 2), "z\\n");
	SEQ("kill echo", readn(m, 2 + 6 + 3), "xy\\b \\b\\b \\bz\\r\\n");
	EQ("write with LNEXT", write(m, "a\x16\x03" "b\n", 5), 5);
	SEQ("LNEXT makes ^C data", readn(s, 4), "a\\x03b\\n");
	SEQ("LNEXT echo", readn(m, 1 + 2 + 2 + 1 + 2), "a^\\b^Cb\\r\\n");
	EQ("write with REPRINT", write(m, "xy\x12z\n", 5), 5);
	SEQ("REPRINT keeps the line", readn(s, 4), "xyz\\n");
	SEQ("REPRINT echo", readn(m, 2 + 2 + 2 + 3 + 2), "xy^R\\r\\nxyz\\r\\n");
	OK("TIOCSTI", ioctl(s, TIOCSTI, "q"));
	OKQ(write(m, "\n", 1));
	SEQ("TIOCSTI types into the replica", readn(s, 2), "q\\n");
	SEQ("TIOCSTI echo", readn(m, 3), "q\\r\\n");
	OKQ(write(s, "$ ", 2));
	SEQ("prompt", readn(m, 2), "$ ");
	EQ("write with a tab erased", write(m, "\tx\x7f\x7f" "y\n", 6), 6);
	SEQ("tab erased", readn(s, 2), "y\\n");
	SEQ("tab erase echo", readn(m, 1 + 1 + 3 + 6 + 1 + 2), "\\x09x\\b \\b\\b\\b\\b\\b\\b\\by\\r\\n");
	int n = 0;
	EQ("write partial line", write(m, "pq", 2), 2);
	SEQ("partial echo", readn(m, 2), "pq");
	OK("FIONREAD partial line", ioctl(s, FIONREAD, &n));
	EQ("partial line is not readable", n, 0);
	EQ("write EOF", write(m, "\x04", 1), 1);
	SEQ("EOF ends the line", readn(s, 2), "pq");
	EQ("write EOF on empty line", write(m, "\x04", 1), 1);
	struct pollfd p = { .fd = s, .events = POLLIN };
	OKQ(poll(&p, 1, 5000));
	EQ("read at EOF", read(s, buf, sizeof buf), 0);
	EQ("write two lines", write(m, "one\ntwo\n", 8), 8);
	SEQ("echo of two lines", readn(m, 10), "one\\r\\ntwo\\r\\n");
	OKQ(poll(&p, 1, 5000));
	OK("FIONREAD", ioctl(s, FIONREAD, &n));
	YES("FIONREAD counts complete lines", n == 4 || n == 8);
	EQ("one line per read", read(s, buf, sizeof buf), 4);
	SEQ("second line", readn(s, 4), "two\\n");

	set_lflag(s, 0, ECHO, 1, 0);
	EQ("write without echo", write(m, "secret\n", 7), 7);
	SEQ("replica reads secret", readn(s, 7), "secret\\n");
	YES("no echo", quiet(m));
	set_lflag(s, ECHONL, ECHO, 1, 0);
	EQ("write with ECHONL", write(m, "x\n", 2), 2);
	SEQ("ECHONL echoes only the newline", readn(m, 2), "\\r\\n");
	SEQ("replica reads x", readn(s, 2), "x\\n");

	EQ("replica writes", write(s, "out\n", 4), 4);
	SEQ("ONLCR on output", readn(m, 5), "out\\r\\n");
	EQ("write flushed line", write(m, "zz\n", 3), 3);
	SEQ("its ECHONL echo", readn(m, 2), "\\r\\n");
	OKQ(poll(&p, 1, 5000));
	OK("TCFLSH TCIFLUSH", ioctl(s, TCFLSH, TCIFLUSH));
	OKQ(fcntl(s, F_SETFL, O_NONBLOCK));
	ERR("read after flush", read(s, buf, sizeof buf), EAGAIN);
	ERR("master read when empty", (fcntl(m, F_SETFL, O_NONBLOCK), read(m, buf, sizeof buf)), EAGAIN);
	close(s);
	ERR("master read after replica close", read(m, buf, sizeof buf), EIO);
	close(m);
}

static void test_raw(void)
{
	int s;
	unsigned ptn;
	int m = open_pair(&s, &ptn);
	char buf[64];
	struct termios t;
	OKQ(tcgetattr(s, &t));
	cfmakeraw(&t);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	OK("cfmakeraw + TCSETS", tcsetattr(s, TCSANOW, &t));
	EQ("VMIN=0 VTIME=0 read with nothing", read(s, buf, sizeof buf), 0);
	t.c_cc[VTIME] = 1;
	OKQ(tcsetattr(s, TCSANOW, &t));
	EQ("VMIN=0 VTIME=1 read times out", read(s, buf, sizeof buf), 0);
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	OKQ(tcsetattr(s, TCSANOW, &t));
	EQ("write raw bytes", write(m, "\x03\r\x7f", 3), 3);
	EQ("VMIN=3 read", read(s, buf, sizeof buf), 3);
	SEQ("raw bytes unchanged", show(buf, 3), "\\x03\\r\\x7f");
	YES("raw: no echo", quiet(m));
	EQ("raw output", write(s, "a\nb", 3), 3);
	SEQ("no ONLCR without OPOST", readn(m, 3), "a\\nb");
	close(s);
	close(m);
}

static short revents(int fd, short events, int timeout)
{
	struct pollfd p = { .fd = fd, .events = events };
	OKQ(poll(&p, 1, timeout));
	return p.revents;
}

static void test_poll(void)
{
	int s;
	unsigned ptn;
	int m = open_pair(&s, &ptn);
	EQ("idle replica", revents(s, POLLIN | POLLOUT, 0), POLLOUT);
	EQ("idle master", revents(m, POLLIN | POLLOUT, 0), POLLOUT);
	int ep = OKQ(epoll_create1(0));
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
	OK("epoll_ctl master", epoll_ctl(ep, EPOLL_CTL_ADD, m, &ev));
	EQ("epoll_wait idle", epoll_wait(ep, &ev, 1, 0), 0);
	OKQ(write(s, "hi", 2));
	EQ("epoll_wait after replica output", epoll_wait(ep, &ev, 1, 5000), 1);
	YES("master readable", ev.events == EPOLLIN && ev.data.u32 == 7);
	SEQ("output", readn(m, 2), "hi");
	OKQ(write(m, "half", 4));
	SEQ("its echo", readn(m, 4), "half");
	EQ("partial line: replica not readable", revents(s, POLLIN, 100), 0);
	OKQ(write(m, "\n", 1));
	EQ("line: replica readable", revents(s, POLLIN, 5000), POLLIN);
	SEQ("line", readn(s, 5), "half\\n");
	SEQ("newline echo", readn(m, 2), "\\r\\n");
	close(s);
	EQ("master after replica close", revents(m, POLLIN, 5000), POLLHUP);
	close(ep);
	close(m);

	m = open_pair(&s, &ptn);
	close(m);
	EQ("replica after hangup", revents(s, POLLIN | POLLOUT, 5000), POLLIN | POLLOUT | POLLERR | POLLHUP);
	close(s);
}

static void test_packet(void)
{
	int s;
	unsigned ptn;
	int m = open_pair(&s, &ptn);
	int on = 1;
	OK("TIOCPKT on", ioctl(m, TIOCPKT, &on));
	int v = 0;
	OKQ(ioctl(m, TIOCGPKT, &v));
	EQ("TIOCGPKT", v, 1);
	ERR("TIOCPKT on the replica", ioctl(s, TIOCPKT, &on), ENOTTY);
	OKQ(write(s, "hi", 2));
	SEQ("data packet", readn(m, 3), "\\x00hi");
	OK("TCFLSH on the replica", tcflush(s, TCIFLUSH));
	EQ("flush status is urgent", revents(m, POLLPRI, 5000), POLLPRI);
	SEQ("status packet", readn(m, 1), "\\x01");
	OK("TCOOFF", tcflow(s, TCOOFF));
	SEQ("stop packet", readn(m, 1), "\\x04");
	OK("TCOON", tcflow(s, TCOON));
	SEQ("start packet", readn(m, 1), "\\b");
	struct termios t;
	OKQ(tcgetattr(s, &t));
	t.c_iflag &= ~IXON;
	OKQ(tcsetattr(s, TCSANOW, &t));
	SEQ("no ^S/^Q packet", readn(m, 1), "\\x10");
	close(s);
	close(m);
}

/* struct termios2 (TCGETS2), declared here: <asm/termbits.h> clashes
 * with <termios.h>. */
struct termios2_ {
	unsigned c_iflag, c_oflag, c_cflag, c_lflag;
	unsigned char c_line, c_cc[19];
	unsigned c_ispeed, c_ospeed;
};
#define TCGETS2_ 0x802c542aUL

static void test_speeds(void)
{
	int s;
	unsigned ptn;
	int m = open_pair(&s, &ptn);
	struct termios2_ t2;
	OK("TCGETS2", ioctl(s, TCGETS2_, &t2));
	EQ("default output speed", t2.c_ospeed, 38400);
	EQ("default input speed", t2.c_ispeed, 38400);
	struct termios t;
	OKQ(tcgetattr(s, &t));
	/* Linux's pts driver starts a replica without HUPCL. */
	EQ("replica default c_cflag", t.c_cflag, B38400 | CS8 | CREAD);
	OK("cfsetspeed 9600", cfsetspeed(&t, B9600));
	OKQ(tcsetattr(s, TCSANOW, &t));
	OKQ(ioctl(m, TCGETS2_, &t2));
	EQ("output speed from the master", t2.c_ospeed, 9600);
	EQ("input speed follows", t2.c_ispeed, 9600);
	EQ("cfgetospeed", cfgetospeed(&t), B9600);
	close(s);
	close(m);
}

static volatile sig_atomic_t got_int, got_winch, got_hup, got_ttin, got_ttou;
static void on_sig(int sig)
{
	if (sig == SIGINT) got_int++;
	if (sig == SIGWINCH) got_winch++;
	if (sig == SIGHUP) got_hup++;
	if (sig == SIGTTIN) got_ttin++;
	if (sig == SIGTTOU) got_ttou++;
}

/* background runs in a background process group of the terminal's
 * session: job control signals instead of reads and writes. */
static int background(int s)
{
	char buf[8];
	struct termios t;
	sigset_t ttou;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	OKQ(setpgid(0, 0));
	YES("bg: not the foreground group", tcgetpgrp(s) != getpgrp());
	OKQ(tcgetattr(s, &t));
	sigprocmask(SIG_BLOCK, &ttou, NULL);
	t.c_lflag |= TOSTOP;
	OK("bg: TCSETS with SIGTTOU blocked", tcsetattr(s, TCSANOW, &t));
	sigprocmask(SIG_UNBLOCK, &ttou, NULL);
	signal(SIGTTIN, SIG_IGN);
	ERR("bg: read with SIGTTIN ignored", read(s, buf, sizeof buf), EIO);
	struct sigaction sa = { .sa_handler = on_sig };
	sigaction(SIGTTIN, &sa, NULL);
	sigaction(SIGTTOU, &sa, NULL);
	ERR("bg: read with a SIGTTIN handler", read(s, buf, sizeof buf), EINTR);
	EQ("bg: SIGTTIN handled", got_ttin, 1);
	ERR("bg: write with TOSTOP", write(s, "x", 1), EINTR);
	EQ("bg: SIGTTOU handled", got_ttou, 1);
	ERR("bg: TCSETS", tcsetattr(s, TCSANOW, &t), EINTR);
	EQ("bg: SIGTTOU again", got_ttou, 2);
	sigprocmask(SIG_BLOCK, &ttou, NULL);
	t.c_lflag &= ~TOSTOP;
	OKQ(tcsetattr(s, TCSANOW, &t));
	return 0;
}

/* child runs in a new session with the replica as its terminal; ready
 * tells the parent each step is done. */
static int child(int s, int ready, pid_t parent_pgrp)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGWINCH);
	sigprocmask(SIG_BLOCK, &block, &old);
	struct sigaction sa = { .sa_handler = on_sig };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	YES("child: setsid", setsid() == getpid());
	ERR("child: /dev/tty without a terminal", open("/dev/tty", O_RDWR), ENXIO);
	int sid = 0;
	ERR("child: TIOCGSID before TIOCSCTTY", ioctl(s, TIOCGSID, &sid), ENOTTY);
	OK("child: TIOCSCTTY", ioctl(s, TIOCSCTTY, 0));
	OK("child: TIOCGSID", ioctl(s, TIOCGSID, &sid));
	YES("child: session is its own", sid == getpid());
	YES("child: foreground group is its own", tcgetpgrp(s) == getpgrp());
	ERR("child: TIOCSPGRP to another session's group", tcsetpgrp(s, parent_pgrp), EPERM);
	ERR("child: TIOCSPGRP negative", tcsetpgrp(s, -1), EINVAL);
	int tty = OK("child: open /dev/tty", open("/dev/tty", O_RDWR));
	YES("child: /dev/tty is a terminal", isatty(tty));
	close(tty);
	pid_t bg = fork();
	if (bg == 0) exit(background(s));
	int st;
	OKQ(waitpid(bg, &st, 0));
	YES("child: background process exited 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	OKQ(write(ready, "1", 1));
	while (!got_winch) sigsuspend(&old);
	struct winsize ws;
	OKQ(ioctl(s, TIOCGWINSZ, &ws));
	printf("child: SIGWINCH, size %dx%d\n", ws.ws_row, ws.ws_col);
	OKQ(write(ready, "2", 1));
	while (!got_int) sigsuspend(&old);
	printf("child: SIGINT\n");
	OKQ(write(ready, "3", 1));
	SEQ("child: line after ^C", readn(s, 2), "x\\n");
	return 0;
}

static void wait_step(int ready)
{
	char c;
	if (read(ready, &c, 1) != 1) FAIL("child step");
}

static void test_session(void)
{
	int s;
	unsigned ptn;
	int m = open_pair(&s, &ptn);
	int pgrp = 0;
	ERR("TIOCGPGRP on a terminal that is not ours", ioctl(s, TIOCGPGRP, &pgrp), ENOTTY);
	ERR("TIOCSPGRP on a terminal that is not ours", tcsetpgrp(s, getpgrp()), ENOTTY);
	struct sigaction sa = { .sa_handler = on_sig };
	sigaction(SIGINT, &sa, NULL);
	int p[2];
	OKQ(pipe(p));
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		close(m);
		exit(child(s, p[1], getpgrp()));
	}
	close(p[1]);
	wait_step(p[0]);
	OK("TIOCGPGRP on the master", ioctl(m, TIOCGPGRP, &pgrp));
	YES("foreground group is the child's", pgrp == pid);
	struct winsize ws = { .ws_row = 30, .ws_col = 100 };
	OKQ(ioctl(m, TIOCSWINSZ, &ws));
	wait_step(p[0]);
	/* ^C discards the line being typed and pending output: the echo
	 * of the line is read first so that the output is deterministic. */
	OKQ(write(m, "abc", 3));
	SEQ("echo of a partial line", readn(m, 3), "abc");
	OKQ(write(m, "\x03", 1));
	wait_step(p[0]);
	SEQ("echo of ^C", readn(m, 2), "^C");
	OKQ(write(m, "x\n", 2));
	int st;
	OKQ(waitpid(pid, &st, 0));
	YES("child exited 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SEQ("echo of the line", readn(m, 3), "x\\r\\n");
	EQ("SIGINT reached only the foreground group", got_int, 0);
	close(p[0]);
	char buf[8];
	close(m);
	EQ("replica read after hangup", read(s, buf, sizeof buf), 0);
	ERR("replica write after hangup", write(s, "x", 1), EIO);
	ERR("replica ioctl after hangup", ioctl(s, TIOCGWINSZ, &ws), EIO);
	close(s);
}

/* test_hangup: the session leader whose terminal's master closes gets
 * SIGHUP. */
static void test_hangup(void)
{
	int s;
	unsigned ptn;
	int m = open_pair(&s, &ptn);
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGHUP);
		sigprocmask(SIG_BLOCK, &block, &old);
		struct sigaction sa = { .sa_handler = on_sig };
		sigaction(SIGHUP, &sa, NULL);
		close(m);
		setsid();
		char name[64];
		snprintf(name, sizeof name, "/dev/pts/%u", ptn);
		/* A session leader opening a terminal without O_NOCTTY
		 * acquires it. */
		int t = open(name, O_RDWR);
		int sid = 0;
		if (t < 0 || ioctl(t, TIOCGSID, &sid) < 0 || sid != getpid()) _exit(2);
		close(s);
		if (write(t, "r", 1) != 1) _exit(3);
		while (!got_hup) sigsuspend(&old);
		_exit(got_hup == 1 ? 0 : 4);
	}
	close(s);
	SEQ("child acquired the terminal", readn(m, 1), "r");
	close(m);
	int st;
	OKQ(waitpid(pid, &st, 0));
	YES("session leader got SIGHUP", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* test_leader_exit: when a session leader exits, its session loses the
 * terminal, which another session can then take. */
static void test_leader_exit(void)
{
	int s;
	unsigned ptn;
	int m = open_pair(&s, &ptn);
	for (int i = 0; i < 2; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			setsid();
			_exit(ioctl(s, TIOCSCTTY, 0) == 0 ? 0 : 1);
		}
		int st;
		OKQ(waitpid(pid, &st, 0));
		YES(i == 0 ? "first session takes the terminal" : "second session takes it after the first leader exits",
		    WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	close(s);
	close(m);
}

int main(void)
{
	test_nodes();
	test_canonical();
	test_raw();
	test_speeds();
	test_poll();
	test_packet();
	test_session();
	test_hangup();
	test_leader_exit();
	return 0;
}
