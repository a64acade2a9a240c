//go:build ignore

/* readv_writev: readv(2), writev(2), preadv(2) and pwritev(2): gathering
 * and scattering, offsets, IOV_MAX, and EFAULT/EINVAL/EBADF/ESPIPE. */
#include "common.h"
#include <sys/uio.h>

int main(void)
{
	tmp_enter();
	int fd = OKQ(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	struct iovec w[3] = { { "hello", 5 }, { "", 0 }, { " world", 6 } };
	EQ("writev", syscall(SYS_writev, fd, w, 3), 11);
	EQ("writev iovcnt 0", syscall(SYS_writev, fd, w, 0), 0);
	EQ("offset after writev", lseek(fd, 0, SEEK_SET), 0);

	char a[4] = {0}, b[16] = {0};
	struct iovec r[2] = { { a, 3 }, { b, sizeof b - 1 } };
	EQ("readv", syscall(SYS_readv, fd, r, 2), 11);
	YES("first buffer", memcmp(a, "hel", 3) == 0);
	SEQ("second buffer", b, "lo world");
	EQ("readv at EOF", syscall(SYS_readv, fd, r, 2), 0);

	struct iovec pw[2] = { { "AB", 2 }, { "CD", 2 } };
	EQ("pwritev at 2", syscall(SYS_pwritev, fd, pw, 2, 2L, 0L), 4);
	EQ("offset untouched by pwritev", lseek(fd, 0, SEEK_CUR), 11);
	memset(a, 0, sizeof a); memset(b, 0, sizeof b);
	struct iovec pr[2] = { { a, 2 }, { b, 4 } };
	EQ("preadv at 0", syscall(SYS_preadv, fd, pr, 2, 0L, 0L), 6);
	YES("preadv first", memcmp(a, "he", 2) == 0);
	SEQ("preadv second", b, "ABCD");
	EQ("offset untouched by preadv", lseek(fd, 0, SEEK_CUR), 11);
	EQ("preadv past EOF", syscall(SYS_preadv, fd, pr, 2, 100L, 0L), 0);
	ERR("preadv negative offset", syscall(SYS_preadv, fd, pr, 2, -1L, -1L), EINVAL);

	static struct iovec many[1025];
	for (int i = 0; i < 1025; i++) { many[i].iov_base = "x"; many[i].iov_len = 1; }
	EQ("writev IOV_MAX buffers", syscall(SYS_writev, fd, many, 1024), 1024);
	ERR("writev IOV_MAX+1", syscall(SYS_writev, fd, many, 1025), EINVAL);
	ERR("writev negative count", syscall(SYS_writev, fd, many, -1), EINVAL);
	struct iovec huge[1] = { { "x", SIZE_MAX } };
	ERR("writev negative length", syscall(SYS_writev, fd, huge, 1), EINVAL);
	ERR("writev bad iovec array", syscall(SYS_writev, fd, BADPTR, 2), EFAULT);
	struct iovec badbase[1] = { { BADPTR, 4 } };
	ERR("writev bad base", syscall(SYS_writev, fd, badbase, 1), EFAULT);
	lseek(fd, 0, SEEK_SET);
	ERR("readv bad base", syscall(SYS_readv, fd, badbase, 1), EFAULT);
	ERR("readv bad fd", syscall(SYS_readv, 9999, r, 2), EBADF);
	ERR("writev bad fd", syscall(SYS_writev, 9999, w, 3), EBADF);
	int ro = OKQ(open("f", O_RDONLY));
	ERR("writev read-only fd", syscall(SYS_writev, ro, w, 3), EBADF);
	ERR("pwritev read-only fd", syscall(SYS_pwritev, ro, w, 3, 0L, 0L), EBADF);
	close(ro);
	int d = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	ERR("readv directory", syscall(SYS_readv, d, r, 2), EISDIR);
	close(d);

	int p[2];
	OKQ(pipe(p));
	EQ("writev pipe", syscall(SYS_writev, p[1], w, 3), 11);
	memset(b, 0, sizeof b);
	struct iovec one[1] = { { b, sizeof b - 1 } };
	EQ("readv pipe", syscall(SYS_readv, p[0], one, 1), 11);
	SEQ("pipe content", b, "hello world");
	ERR("preadv pipe", syscall(SYS_preadv, p[0], one, 1, 0L, 0L), ESPIPE);
	ERR("pwritev pipe", syscall(SYS_pwritev, p[1], w, 3, 0L, 0L), ESPIPE);
	return 0;
}
