//go:build ignore

/* ioctl_tty: ioctl(2) TCGETS and TIOCGWINSZ: ENOTTY on files, pipes and
 * /dev/null (the test's stdio is never a terminal), and real answers on a
 * pseudo-terminal from /dev/ptmx; EBADF / EFAULT. */
#include "common.h"
#include <sys/ioctl.h>
#include <termios.h>

int main(void)
{
	tmp_enter();
	struct termios t;
	struct winsize ws;
	write_file("f", "x");
	int f = OKQ(open("f", O_RDWR));
	ERR("TCGETS regular file", syscall(SYS_ioctl, f, TCGETS, &t), ENOTTY);
	ERR("TIOCGWINSZ regular file", syscall(SYS_ioctl, f, TIOCGWINSZ, &ws), ENOTTY);
	int p[2];
	OKQ(pipe(p));
	ERR("TCGETS pipe", syscall(SYS_ioctl, p[0], TCGETS, &t), ENOTTY);
	ERR("TIOCGWINSZ pipe", syscall(SYS_ioctl, p[1], TIOCGWINSZ, &ws), ENOTTY);
	int n = OKQ(open("/dev/null", O_RDWR));
	ERR("TCGETS /dev/null", syscall(SYS_ioctl, n, TCGETS, &t), ENOTTY);
	ERR("TCGETS stdin", syscall(SYS_ioctl, 0, TCGETS, &t), ENOTTY);
	ERR("TCGETS bad fd", syscall(SYS_ioctl, 9999, TCGETS, &t), EBADF);
	YES("isatty(1) is false", !isatty(1));

	int m = OK("open /dev/ptmx", open("/dev/ptmx", O_RDWR | O_NOCTTY));
	int unlock = 0;
	OK("TIOCSPTLCK unlock", syscall(SYS_ioctl, m, TIOCSPTLCK, &unlock));
	unsigned int ptn = 0;
	OK("TIOCGPTN", syscall(SYS_ioctl, m, TIOCGPTN, &ptn));
	char name[64];
	snprintf(name, sizeof name, "/dev/pts/%u", ptn);
	int s = OK("open replica", open(name, O_RDWR | O_NOCTTY));
	OK("TCGETS replica", syscall(SYS_ioctl, s, TCGETS, &t));
	YES("ICANON and ECHO set by default", (t.c_lflag & ICANON) && (t.c_lflag & ECHO));
	YES("ONLCR set by default", (t.c_oflag & OPOST) && (t.c_oflag & ONLCR));
	EQ("VINTR is ^C", t.c_cc[VINTR], 3);
	EQ("VEOF is ^D", t.c_cc[VEOF], 4);
	OK("TCGETS master", syscall(SYS_ioctl, m, TCGETS, &t));
	memset(&ws, 0xff, sizeof ws);
	OK("TIOCGWINSZ replica", syscall(SYS_ioctl, s, TIOCGWINSZ, &ws));
	YES("initial size 0x0", ws.ws_row == 0 && ws.ws_col == 0);
	struct winsize set = { .ws_row = 24, .ws_col = 80 };
	OK("TIOCSWINSZ master", syscall(SYS_ioctl, m, TIOCSWINSZ, &set));
	OK("TIOCGWINSZ replica", syscall(SYS_ioctl, s, TIOCGWINSZ, &ws));
	EQ("rows", ws.ws_row, 24);
	EQ("cols", ws.ws_col, 80);
	ERR("TCGETS bad pointer", syscall(SYS_ioctl, s, TCGETS, BADPTR), EFAULT);
	ERR("TIOCGWINSZ bad pointer", syscall(SYS_ioctl, s, TIOCGWINSZ, BADPTR), EFAULT);
	ERR("unknown request on tty", syscall(SYS_ioctl, s, 0x5499, &t), ENOTTY);

	/* Raw mode and a round trip through the terminal. */
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_oflag &= ~OPOST;
	OK("TCSETS raw", syscall(SYS_ioctl, s, TCSETS, &t));
	struct termios back;
	OKQ(syscall(SYS_ioctl, s, TCGETS, &back));
	YES("raw mode stored", !(back.c_lflag & ICANON) && !(back.c_lflag & ECHO));
	EQ("write to replica", write(s, "ping", 4), 4);
	char buf[8] = {0};
	EQ("read from master", read(m, buf, sizeof buf - 1), 4);
	SEQ("data", buf, "ping");
	return 0;
}
