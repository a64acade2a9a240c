//go:build ignore

/* pread_pwrite: pread64(2) and pwrite64(2): positioned I/O that leaves the
 * file offset alone, holes, the O_APPEND quirk, and the errors. */
#include "common.h"

int main(void)
{
	tmp_enter();
	char buf[32];
	write_file("f", "0123456789");
	int fd = OKQ(open("f", O_RDWR));

	memset(buf, 0, sizeof buf);
	EQ("pread 4 at 3", syscall(SYS_pread64, fd, buf, 4, 3L), 4);
	SEQ("pread content", buf, "3456");
	EQ("offset still 0", lseek(fd, 0, SEEK_CUR), 0);
	EQ("pread at EOF", syscall(SYS_pread64, fd, buf, 4, 10L), 0);
	EQ("pread short at end", syscall(SYS_pread64, fd, buf, 4, 8L), 2);
	EQ("pwrite 2 at 1", syscall(SYS_pwrite64, fd, "xy", 2, 1L), 2);
	EQ("offset still 0 after pwrite", lseek(fd, 0, SEEK_CUR), 0);
	EQ("pwrite past EOF", syscall(SYS_pwrite64, fd, "E", 1, 15L), 1);
	struct stat st;
	OKQ(fstat(fd, &st));
	EQ("size with hole", st.st_size, 16);
	memset(buf, 'q', sizeof buf);
	EQ("pread across hole", syscall(SYS_pread64, fd, buf, 16, 0L), 16);
	YES("hole reads zeros", memcmp(buf, "0xy3456789\0\0\0\0\0E", 16) == 0);

	ERR("pread negative offset", syscall(SYS_pread64, fd, buf, 1, -1L), EINVAL);
	ERR("pwrite negative offset", syscall(SYS_pwrite64, fd, "a", 1, -1L), EINVAL);
	ERR("pread bad buffer", syscall(SYS_pread64, fd, BADPTR, 4, 0L), EFAULT);
	ERR("pwrite bad buffer", syscall(SYS_pwrite64, fd, BADPTR, 4, 0L), EFAULT);
	ERR("pread bad fd", syscall(SYS_pread64, 9999, buf, 1, 0L), EBADF);
	ERR("pwrite bad fd", syscall(SYS_pwrite64, 9999, buf, 1, 0L), EBADF);
	close(fd);

	/* Linux quirk: pwrite on an O_APPEND descriptor appends. */
	int ap = OKQ(open("f", O_WRONLY | O_APPEND));
	EQ("pwrite O_APPEND at 0", syscall(SYS_pwrite64, ap, "Z", 1, 0L), 1);
	close(ap);
	memset(buf, 0, sizeof buf);
	EQ("size after append", read_file("f", buf, sizeof buf), 17);
	EQ("first byte unchanged", buf[0], '0');
	EQ("last byte appended", buf[16], 'Z');

	int ro = OKQ(open("f", O_RDONLY));
	ERR("pwrite read-only fd", syscall(SYS_pwrite64, ro, "a", 1, 0L), EBADF);
	close(ro);
	int d = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	ERR("pread directory", syscall(SYS_pread64, d, buf, 1, 0L), EISDIR);
	close(d);
	int p[2];
	OKQ(pipe(p));
	ERR("pread pipe", syscall(SYS_pread64, p[0], buf, 1, 0L), ESPIPE);
	ERR("pwrite pipe", syscall(SYS_pwrite64, p[1], "a", 1, 0L), ESPIPE);
	return 0;
}
