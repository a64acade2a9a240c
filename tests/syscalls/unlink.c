//go:build ignore

/* unlink: unlink(2) and unlinkat(2): removing files, open files that
 * outlive their name, AT_REMOVEDIR, and the errors. */
#include "common.h"

int main(void)
{
	tmp_enter();
	struct stat st;
	char buf[16];
	write_file("f", "still here");
	OKQ(mkdir("d", 0755));
	OKQ(symlink("f", "l"));

	int fd = OKQ(open("f", O_RDONLY));
	OK("unlink open file", syscall(SYS_unlink, "f"));
	ERR("stat after unlink", stat("f", &st), ENOENT);
	OKQ(fstat(fd, &st));
	EQ("nlink of open unlinked file", st.st_nlink, 0);
	memset(buf, 0, sizeof buf);
	EQ("read unlinked file", read(fd, buf, sizeof buf - 1), 10);
	SEQ("content survives", buf, "still here");
	close(fd);

	OK("unlink symlink", syscall(SYS_unlink, "l"));
	ERR("unlink missing", syscall(SYS_unlink, "f"), ENOENT);
	ERR("unlink directory", syscall(SYS_unlink, "d"), EISDIR);
	write_file("g", "");
	ERR("unlink through file", syscall(SYS_unlink, "g/x"), ENOTDIR);
	ERR("unlink trailing slash on file", syscall(SYS_unlink, "g/"), ENOTDIR);
	ERR("unlink bad path", syscall(SYS_unlink, BADPTR), EFAULT);
	ERR("unlink empty", syscall(SYS_unlink, ""), ENOENT);

	int d = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	OK("unlinkat file", syscall(SYS_unlinkat, d, "g", 0));
	ERR("unlinkat dir without flag", syscall(SYS_unlinkat, d, "d", 0), EISDIR);
	write_file("h", "");
	ERR("unlinkat AT_REMOVEDIR on file", syscall(SYS_unlinkat, d, "h", AT_REMOVEDIR), ENOTDIR);
	ERR("unlinkat bad flags", syscall(SYS_unlinkat, d, "h", 0x1), EINVAL);
	ERR("unlinkat bad dirfd", syscall(SYS_unlinkat, 9999, "h", 0), EBADF);
	write_file("d/inner", "");
	ERR("unlinkat AT_REMOVEDIR non-empty", syscall(SYS_unlinkat, d, "d", AT_REMOVEDIR), ENOTEMPTY);
	int dd = OKQ(open("d", O_RDONLY | O_DIRECTORY));
	OK("unlinkat relative to dirfd", syscall(SYS_unlinkat, dd, "inner", 0));
	close(dd);
	OK("unlinkat AT_REMOVEDIR", syscall(SYS_unlinkat, d, "d", AT_REMOVEDIR));
	ERR("gone", stat("d", &st), ENOENT);
	close(d);

	/* Unlinking one of two hard links keeps the other. */
	write_file("a", "AA");
	OKQ(link("a", "b"));
	OK("unlink one link", syscall(SYS_unlink, "a"));
	OKQ(stat("b", &st));
	EQ("other link nlink", st.st_nlink, 1);
	EQ("other link size", st.st_size, 2);
	return 0;
}
