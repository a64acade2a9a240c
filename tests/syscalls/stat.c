//go:build ignore

/* stat: stat(2), lstat(2), fstat(2) and newfstatat(2): file types, sizes,
 * link counts, owners, and their errors. */
#include "common.h"

int main(void)
{
	tmp_enter();
	struct stat st, st2;
	write_file("f", "12345");
	OKQ(mkdir("d", 0750));
	OKQ(mkdir("d/sub", 0700));
	OKQ(symlink("f", "l"));

	OK("stat file", syscall(SYS_stat, "f", &st));
	YES("S_ISREG", S_ISREG(st.st_mode));
	EQ("size", st.st_size, 5);
	EQ("nlink", st.st_nlink, 1);
	EQ("mode", st.st_mode & 07777, 0644 & ~0022 & 0777);
	EQ("uid", st.st_uid, geteuid());
	YES("blksize > 0", st.st_blksize > 0);

	OK("stat dir", syscall(SYS_stat, "d", &st));
	YES("S_ISDIR", S_ISDIR(st.st_mode));
	EQ("dir mode", st.st_mode & 07777, 0750);
	EQ("dir nlink with one subdir", st.st_nlink, 3);

	OK("lstat symlink", syscall(SYS_lstat, "l", &st));
	YES("S_ISLNK", S_ISLNK(st.st_mode));
	EQ("symlink size is target length", st.st_size, 1);
	OK("stat symlink", syscall(SYS_stat, "l", &st2));
	YES("stat follows", S_ISREG(st2.st_mode) && st2.st_size == 5);
	OKQ(stat("f", &st));
	YES("same inode via link", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);

	int fd = OKQ(open("f", O_RDONLY));
	OK("fstat", syscall(SYS_fstat, fd, &st2));
	YES("fstat matches stat", st.st_ino == st2.st_ino && st2.st_size == 5);
	OK("newfstatat AT_EMPTY_PATH", syscall(SYS_newfstatat, fd, "", &st2, AT_EMPTY_PATH));
	YES("AT_EMPTY_PATH is the file", st.st_ino == st2.st_ino);
	ERR("newfstatat empty path without flag", syscall(SYS_newfstatat, fd, "", &st2, 0), ENOENT);
	int d = OKQ(open("d", O_RDONLY | O_DIRECTORY));
	OK("newfstatat relative to dirfd", syscall(SYS_newfstatat, d, "sub", &st2, 0));
	YES("sub is a dir", S_ISDIR(st2.st_mode) && (st2.st_mode & 0777) == 0700);
	OK("newfstatat AT_SYMLINK_NOFOLLOW", syscall(SYS_newfstatat, AT_FDCWD, "l", &st2, AT_SYMLINK_NOFOLLOW));
	YES("nofollow gives link", S_ISLNK(st2.st_mode));
	ERR("newfstatat bad flags", syscall(SYS_newfstatat, AT_FDCWD, "f", &st2, 0x40000000), EINVAL);
	ERR("newfstatat file as dirfd", syscall(SYS_newfstatat, fd, "x", &st2, 0), ENOTDIR);
	ERR("newfstatat bad dirfd", syscall(SYS_newfstatat, 9999, "x", &st2, 0), EBADF);

	/* Link count follows link/unlink; times are consistent. */
	OKQ(link("f", "f2"));
	OK("fstat after link", syscall(SYS_fstat, fd, &st2));
	EQ("nlink after link", st2.st_nlink, 2);
	YES("mtime <= ctime", st2.st_mtime <= st2.st_ctime);
	close(fd);

	ERR("stat missing", syscall(SYS_stat, "missing", &st), ENOENT);
	ERR("stat through file", syscall(SYS_stat, "f/x", &st), ENOTDIR);
	ERR("stat bad path", syscall(SYS_stat, BADPTR, &st), EFAULT);
	ERR("stat bad buffer", syscall(SYS_stat, "f", BADPTR), EFAULT);
	ERR("lstat missing", syscall(SYS_lstat, "missing", &st), ENOENT);
	ERR("lstat bad buffer", syscall(SYS_lstat, "l", BADPTR), EFAULT);
	ERR("fstat bad fd", syscall(SYS_fstat, 9999, &st), EBADF);
	ERR("fstat bad buffer", syscall(SYS_fstat, 0, BADPTR), EFAULT);

	/* The root directory and /proc are directories, /dev/null a char dev. */
	OK("stat /", syscall(SYS_stat, "/", &st));
	YES("/ is dir", S_ISDIR(st.st_mode));
	OK("stat /dev/null", syscall(SYS_stat, "/dev/null", &st));
	YES("/dev/null is chr", S_ISCHR(st.st_mode));
	return 0;
}
