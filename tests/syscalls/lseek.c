//go:build ignore

/* lseek: SEEK_SET/CUR/END, seeking past the end, and EINVAL/ESPIPE/EBADF. */
#include "common.h"

int main(void)
{
	tmp_enter();
	write_file("f", "0123456789");
	int fd = OKQ(open("f", O_RDWR));
	char c;

	EQ("SEEK_SET 3", syscall(SYS_lseek, fd, 3, SEEK_SET), 3);
	OKQ(read(fd, &c, 1));
	EQ("byte at 3", c, '3');
	EQ("SEEK_CUR +2", syscall(SYS_lseek, fd, 2, SEEK_CUR), 6);
	EQ("SEEK_CUR 0", syscall(SYS_lseek, fd, 0, SEEK_CUR), 6);
	EQ("SEEK_CUR -6", syscall(SYS_lseek, fd, -6L, SEEK_CUR), 0);
	EQ("SEEK_END 0", syscall(SYS_lseek, fd, 0, SEEK_END), 10);
	EQ("SEEK_END -1", syscall(SYS_lseek, fd, -1L, SEEK_END), 9);
	ERR("SEEK_SET -1", syscall(SYS_lseek, fd, -1L, SEEK_SET), EINVAL);
	ERR("SEEK_CUR before start", syscall(SYS_lseek, fd, -100L, SEEK_CUR), EINVAL);
	EQ("offset unchanged after error", syscall(SYS_lseek, fd, 0, SEEK_CUR), 9);
	ERR("whence 42", syscall(SYS_lseek, fd, 0, 42), EINVAL);
	ERR("bad fd", syscall(SYS_lseek, 9999, 0, SEEK_SET), EBADF);

	/* Past the end: reads give 0, a write extends with a zero gap. */
	EQ("SEEK_SET 20", syscall(SYS_lseek, fd, 20, SEEK_SET), 20);
	EQ("read past end", read(fd, &c, 1), 0);
	EQ("write past end", write(fd, "Z", 1), 1);
	struct stat st;
	OKQ(fstat(fd, &st));
	EQ("size after gap write", st.st_size, 21);
	EQ("SEEK_SET 15", syscall(SYS_lseek, fd, 15, SEEK_SET), 15);
	OKQ(read(fd, &c, 1));
	EQ("gap byte", c, 0);

	/* Two opens have independent offsets. */
	int fd2 = OKQ(open("f", O_RDONLY));
	EQ("second fd starts at 0", syscall(SYS_lseek, fd2, 0, SEEK_CUR), 0);
	close(fd2);

	/* A directory can be seeked to 0. */
	int d = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	EQ("dir SEEK_SET 0", syscall(SYS_lseek, d, 0, SEEK_SET), 0);
	close(d);

	/* Pipes cannot seek. */
	int p[2];
	OKQ(pipe2(p, 0));
	ERR("pipe read end", syscall(SYS_lseek, p[0], 0, SEEK_CUR), ESPIPE);
	ERR("pipe write end", syscall(SYS_lseek, p[1], 0, SEEK_SET), ESPIPE);
	close(p[0]); close(p[1]);

	/* Large offsets are fine on regular files. */
	EQ("SEEK_SET 4GiB", syscall(SYS_lseek, fd, 1LL << 32, SEEK_SET), 1LL << 32);
	close(fd);
	return 0;
}
