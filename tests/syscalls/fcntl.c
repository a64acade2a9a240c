//go:build ignore

/* fcntl: descriptor flags, status flags, F_DUPFD and record-lock queries. */
#include "common.h"

int main(void)
{
	tmp_enter();
	write_file("f", "xyz");
	int fd = OKQ(open("f", O_RDWR));

	EQ("F_GETFD", syscall(SYS_fcntl, fd, F_GETFD), 0);
	OK("F_SETFD FD_CLOEXEC", syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC));
	EQ("F_GETFD after set", syscall(SYS_fcntl, fd, F_GETFD), FD_CLOEXEC);
	OK("F_SETFD 0", syscall(SYS_fcntl, fd, F_SETFD, 0));

	long fl = OKQ(syscall(SYS_fcntl, fd, F_GETFL));
	EQ("access mode", fl & O_ACCMODE, O_RDWR);
	YES("no O_APPEND", !(fl & O_APPEND));
	OK("F_SETFL O_APPEND|O_NONBLOCK", syscall(SYS_fcntl, fd, F_SETFL, O_APPEND | O_NONBLOCK));
	fl = syscall(SYS_fcntl, fd, F_GETFL);
	YES("O_APPEND set", (fl & O_APPEND) != 0);
	YES("O_NONBLOCK set", (fl & O_NONBLOCK) != 0);
	/* F_SETFL ignores the access mode and creation flags. */
	OK("F_SETFL O_RDONLY|O_TRUNC", syscall(SYS_fcntl, fd, F_SETFL, O_RDONLY | O_TRUNC));
	fl = syscall(SYS_fcntl, fd, F_GETFL);
	EQ("access mode unchanged", fl & O_ACCMODE, O_RDWR);
	YES("O_APPEND cleared", !(fl & O_APPEND));
	struct stat st;
	OKQ(fstat(fd, &st));
	EQ("not truncated", st.st_size, 3);

	long d = OK("F_DUPFD 10", syscall(SYS_fcntl, fd, F_DUPFD, 10));
	YES("F_DUPFD >= 10", d >= 10);
	EQ("F_DUPFD clears cloexec", syscall(SYS_fcntl, d, F_GETFD), 0);
	long d2 = OK("F_DUPFD 10 again", syscall(SYS_fcntl, fd, F_DUPFD, 10));
	YES("next free above 10", d2 > d);
	long d3 = OK("F_DUPFD_CLOEXEC 20", syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 20));
	YES("F_DUPFD_CLOEXEC >= 20", d3 >= 20);
	EQ("F_DUPFD_CLOEXEC sets cloexec", syscall(SYS_fcntl, d3, F_GETFD), FD_CLOEXEC);
	ERR("F_DUPFD negative", syscall(SYS_fcntl, fd, F_DUPFD, -1), EINVAL);
	ERR("F_DUPFD huge", syscall(SYS_fcntl, fd, F_DUPFD, 1 << 30), EINVAL);

	ERR("bad fd", syscall(SYS_fcntl, 9999, F_GETFD), EBADF);
	ERR("bad cmd", syscall(SYS_fcntl, fd, 0x7fff), EINVAL);

	/* Record locks: an unlocked file reports F_UNLCK; own locks don't
	 * conflict with themselves. */
	struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	OK("F_GETLK", syscall(SYS_fcntl, fd, F_GETLK, &lk));
	EQ("F_GETLK type", lk.l_type, F_UNLCK);
	lk.l_type = F_WRLCK;
	OK("F_SETLK write lock", syscall(SYS_fcntl, fd, F_SETLK, &lk));
	lk.l_type = F_UNLCK;
	OK("F_SETLK unlock", syscall(SYS_fcntl, fd, F_SETLK, &lk));
	ERR("F_GETLK bad pointer", syscall(SYS_fcntl, fd, F_GETLK, BADPTR), EFAULT);
	lk.l_type = 99;
	ERR("F_SETLK bad type", syscall(SYS_fcntl, fd, F_SETLK, &lk), EINVAL);
	int ro = OKQ(open("f", O_RDONLY));
	lk.l_type = F_WRLCK;
	ERR("write lock on read-only fd", syscall(SYS_fcntl, ro, F_SETLK, &lk), EBADF);
	close(ro);
	return 0;
}
