//go:build ignore

/* readlink: readlink(2) and readlinkat(2): contents, truncation (no NUL
 * added), empty paths on O_PATH descriptors, and the errors. */
#include "common.h"

int main(void)
{
	tmp_enter();
	char buf[256];
	write_file("file", "x");
	OKQ(symlink("some/target/path", "l"));
	OKQ(mkdir("d", 0755));
	OKQ(symlink("../file", "d/up"));

	memset(buf, '#', sizeof buf);
	EQ("readlink length", syscall(SYS_readlink, "l", buf, sizeof buf), 16);
	buf[16] = 0;
	SEQ("readlink content", buf, "some/target/path");
	memset(buf, '#', sizeof buf);
	EQ("readlink truncated", syscall(SYS_readlink, "l", buf, 4), 4);
	YES("no NUL after truncation", memcmp(buf, "some#", 5) == 0);
	ERR("readlink bufsiz 0", syscall(SYS_readlink, "l", buf, 0), EINVAL);
	ERR("readlink bufsiz -1", syscall(SYS_readlink, "l", buf, -1L), EINVAL);
	ERR("readlink regular file", syscall(SYS_readlink, "file", buf, sizeof buf), EINVAL);
	ERR("readlink directory", syscall(SYS_readlink, "d", buf, sizeof buf), EINVAL);
	ERR("readlink missing", syscall(SYS_readlink, "missing", buf, sizeof buf), ENOENT);
	ERR("readlink through file", syscall(SYS_readlink, "file/x", buf, sizeof buf), ENOTDIR);
	ERR("readlink bad path", syscall(SYS_readlink, BADPTR, buf, sizeof buf), EFAULT);
	ERR("readlink bad buffer", syscall(SYS_readlink, "l", BADPTR, sizeof buf), EFAULT);

	int d = OKQ(open("d", O_RDONLY | O_DIRECTORY));
	memset(buf, 0, sizeof buf);
	EQ("readlinkat dirfd", syscall(SYS_readlinkat, d, "up", buf, sizeof buf), 7);
	SEQ("readlinkat content", buf, "../file");
	memset(buf, 0, sizeof buf);
	EQ("readlinkat AT_FDCWD", syscall(SYS_readlinkat, AT_FDCWD, "d/up", buf, sizeof buf), 7);
	ERR("readlinkat bad dirfd", syscall(SYS_readlinkat, 9999, "up", buf, sizeof buf), EBADF);
	int f = OKQ(open("file", O_RDONLY));
	ERR("readlinkat file dirfd", syscall(SYS_readlinkat, f, "up", buf, sizeof buf), ENOTDIR);
	ERR("readlinkat empty path on plain fd", syscall(SYS_readlinkat, f, "", buf, sizeof buf), ENOENT);
	close(f);
	close(d);

	int lp = OKQ(open("l", O_PATH | O_NOFOLLOW));
	memset(buf, 0, sizeof buf);
	EQ("readlinkat empty path on O_PATH symlink", syscall(SYS_readlinkat, lp, "", buf, sizeof buf), 16);
	SEQ("O_PATH content", buf, "some/target/path");
	close(lp);

	/* The longest target Linux stores: PATH_MAX-1 bytes. */
	static char longt[PATH_MAX + 1], back[PATH_MAX + 1];
	memset(longt, 'z', PATH_MAX - 1);
	longt[PATH_MAX - 1] = 0;
	OK("symlink 4095-byte target", symlink(longt, "long"));
	EQ("readlink 4095-byte target", syscall(SYS_readlink, "long", back, sizeof back), PATH_MAX - 1);
	longt[PATH_MAX - 1] = 'z';
	longt[PATH_MAX] = 0;
	ERR("symlink 4096-byte target", symlink(longt, "long2"), ENAMETOOLONG);
	return 0;
}
