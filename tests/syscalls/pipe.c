//go:build ignore

/* pipe: pipe(2) and pipe2(2): data order, EOF when writers close, EPIPE
 * with SIGPIPE ignored, O_NONBLOCK and EAGAIN, capacity, F_GETPIPE_SZ /
 * F_SETPIPE_SZ, FIONREAD, and EFAULT / EINVAL. */
#include "common.h"
#include <sys/ioctl.h>

int main(void)
{
	int p[2];
	char buf[128];
	OK("pipe", syscall(SYS_pipe, p));
	YES("two distinct fds", p[0] != p[1] && p[0] >= 3 && p[1] >= 3);
	EQ("write", write(p[1], "abc", 3), 3);
	EQ("write again", write(p[1], "def", 3), 3);
	int n = 0;
	OK("FIONREAD", syscall(SYS_ioctl, p[0], FIONREAD, &n));
	EQ("bytes queued", n, 6);
	memset(buf, 0, sizeof buf);
	EQ("read all", read(p[0], buf, sizeof buf), 6);
	SEQ("in order", buf, "abcdef");
	ERR("read from write end", read(p[1], buf, 1), EBADF);
	ERR("write to read end", write(p[0], "x", 1), EBADF);
	EQ("F_GETPIPE_SZ", syscall(SYS_fcntl, p[0], F_GETPIPE_SZ), 65536);
	close(p[1]);
	EQ("read after writers closed", read(p[0], buf, sizeof buf), 0);
	close(p[0]);

	/* No readers: EPIPE, and SIGPIPE (ignored here). */
	signal(SIGPIPE, SIG_IGN);
	OKQ(syscall(SYS_pipe2, p, 0));
	close(p[0]);
	ERR("write without readers", write(p[1], "x", 1), EPIPE);
	close(p[1]);

	/* pipe2 flags. */
	OK("pipe2 O_CLOEXEC|O_NONBLOCK", syscall(SYS_pipe2, p, O_CLOEXEC | O_NONBLOCK));
	YES("both close-on-exec", fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
	YES("both non-blocking", (fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK));
	EQ("access modes", (fcntl(p[0], F_GETFL) & O_ACCMODE) * 10 + (fcntl(p[1], F_GETFL) & O_ACCMODE), 1);
	ERR("empty non-blocking read", read(p[0], buf, 1), EAGAIN);
	static char big[65536 + 4096];
	memset(big, 'z', sizeof big);
	EQ("fill to capacity", write(p[1], big, sizeof big), 65536);
	ERR("write to full pipe", write(p[1], "x", 1), EAGAIN);
	long total = 0;
	for (long r; (r = read(p[0], big, sizeof big)) > 0;) total += r;
	EQ("drained", total, 65536);
	OK("F_SETPIPE_SZ 4096", syscall(SYS_fcntl, p[1], F_SETPIPE_SZ, 4096));
	EQ("F_GETPIPE_SZ after set", syscall(SYS_fcntl, p[0], F_GETPIPE_SZ), 4096);
	EQ("small pipe fills at 4096", write(p[1], big, sizeof big), 4096);
	OK("F_SETPIPE_SZ 1 rounds up to a page", syscall(SYS_fcntl, p[1], F_SETPIPE_SZ, 1));
	/* /proc/sys/fs/pipe-max-size is the cap F_SETPIPE_SZ grants. */
	char max[32];
	OKQ(read_file("/proc/sys/fs/pipe-max-size", max, sizeof max));
	long maxsz = atol(max);
	YES("pipe-max-size is a power of two of a page or more", maxsz >= 4096 && (maxsz & (maxsz - 1)) == 0);
	YES("F_SETPIPE_SZ grants pipe-max-size", syscall(SYS_fcntl, p[1], F_SETPIPE_SZ, maxsz) == maxsz);
	YES("F_GETPIPE_SZ is then the max", syscall(SYS_fcntl, p[0], F_GETPIPE_SZ) == maxsz);
	close(p[0]); close(p[1]);

	/* Writes up to PIPE_BUF are atomic: a 4096-byte write into a pipe
	 * with less room fails whole with EAGAIN when non-blocking. */
	OKQ(syscall(SYS_pipe2, p, O_NONBLOCK));
	EQ("leave 100 bytes of room", write(p[1], big, 65536 - 100), 65536 - 100);
	ERR("atomic 4096-byte write", write(p[1], big, 4096), EAGAIN);
	close(p[0]); close(p[1]);

	ERR("pipe bad pointer", syscall(SYS_pipe, BADPTR), EFAULT);
	ERR("pipe2 bad pointer", syscall(SYS_pipe2, BADPTR, 0), EFAULT);
	ERR("pipe2 bad flags", syscall(SYS_pipe2, p, O_APPEND), EINVAL);
	struct stat st;
	OKQ(syscall(SYS_pipe2, p, 0));
	OKQ(fstat(p[0], &st));
	YES("S_ISFIFO", S_ISFIFO(st.st_mode));
	ERR("lseek on pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
	return 0;
}
