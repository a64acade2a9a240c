//go:build ignore

/* dup: dup(2), dup2(2) and dup3(2): shared offsets, close-on-exec and the
 * errors for bad descriptors and flags. */
#include "common.h"
#include <sys/resource.h>

int main(void)
{
	tmp_enter();
	write_file("f", "abcdef");
	int fd = OKQ(open("f", O_RDONLY | O_CLOEXEC));
	char c;

	int d = OK("dup", syscall(SYS_dup, fd));
	YES("dup is a new fd", d != fd);
	YES("dup clears FD_CLOEXEC", fcntl(d, F_GETFD) == 0);
	OKQ(read(fd, &c, 1));
	EQ("offset shared", lseek(d, 0, SEEK_CUR), 1);
	ERR("dup bad fd", syscall(SYS_dup, 9999), EBADF);
	ERR("dup fd -1", syscall(SYS_dup, -1), EBADF);

	EQ("dup2 to 50", syscall(SYS_dup2, fd, 50), 50);
	OKQ(read(50, &c, 1));
	EQ("dup2 copy reads shared offset", c, 'b');
	EQ("dup2 same fd", syscall(SYS_dup2, fd, fd), fd);
	ERR("dup2 same bad fd", syscall(SYS_dup2, 9999, 9999), EBADF);
	ERR("dup2 bad oldfd", syscall(SYS_dup2, 9999, 51), EBADF);
	YES("dup2 left target closed", fcntl(51, F_GETFD) == -1 && errno == EBADF);

	/* dup2 over an open fd closes it first. */
	int other = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	EQ("dup2 over open fd", syscall(SYS_dup2, fd, other), other);
	struct stat st;
	OKQ(fstat(other, &st));
	YES("replaced fd is the file", S_ISREG(st.st_mode));

	struct rlimit rl;
	OKQ(getrlimit(RLIMIT_NOFILE, &rl));
	ERR("dup2 beyond RLIMIT_NOFILE", syscall(SYS_dup2, fd, (long)rl.rlim_cur), EBADF);
	ERR("dup2 negative newfd", syscall(SYS_dup2, fd, -5), EBADF);

	EQ("dup3 O_CLOEXEC", syscall(SYS_dup3, fd, 60, O_CLOEXEC), 60);
	YES("dup3 set FD_CLOEXEC", fcntl(60, F_GETFD) == FD_CLOEXEC);
	EQ("dup3 no flags", syscall(SYS_dup3, fd, 61, 0), 61);
	YES("dup3 no FD_CLOEXEC", fcntl(61, F_GETFD) == 0);
	ERR("dup3 same fd", syscall(SYS_dup3, fd, fd, 0), EINVAL);
	ERR("dup3 bad flags", syscall(SYS_dup3, fd, 62, O_NONBLOCK), EINVAL);
	ERR("dup3 bad oldfd", syscall(SYS_dup3, 9999, 62, 0), EBADF);

	/* Closing the original leaves the copy working. */
	OKQ(close(fd));
	EQ("copy still reads", read(d, &c, 1), 1);
	EQ("copy byte", c, 'c');
	ERR("close twice", syscall(SYS_close, fd), EBADF);
	ERR("close -1", syscall(SYS_close, -1), EBADF);
	return 0;
}
