//go:build ignore

/* mkdir_rmdir: mkdir(2), mkdirat(2) and rmdir(2): modes under umask, and
 * EEXIST/ENOENT/ENOTDIR/ENOTEMPTY/EINVAL/EBUSY/EBADF/EFAULT. */
#include "common.h"

int main(void)
{
	tmp_enter();
	struct stat st;
	umask(022);
	write_file("file", "x");

	OK("mkdir", syscall(SYS_mkdir, "d", 0777));
	OKQ(stat("d", &st));
	EQ("mode under umask 022", st.st_mode & 07777, 0755);
	OK("mkdir with sticky bit", syscall(SYS_mkdir, "s", 01777));
	OKQ(stat("s", &st));
	EQ("sticky mode", st.st_mode & 07777, 01755);
	OK("mkdir trailing slash", syscall(SYS_mkdir, "t/", 0700));
	ERR("mkdir existing", syscall(SYS_mkdir, "d", 0755), EEXIST);
	ERR("mkdir over file", syscall(SYS_mkdir, "file", 0755), EEXIST);
	ERR("mkdir missing parent", syscall(SYS_mkdir, "no/d", 0755), ENOENT);
	ERR("mkdir under file", syscall(SYS_mkdir, "file/d", 0755), ENOTDIR);
	ERR("mkdir bad path", syscall(SYS_mkdir, BADPTR, 0755), EFAULT);
	ERR("mkdir empty", syscall(SYS_mkdir, "", 0755), ENOENT);
	ERR("mkdir .", syscall(SYS_mkdir, ".", 0755), EEXIST);

	int dfd = OKQ(open("d", O_RDONLY | O_DIRECTORY));
	OK("mkdirat", syscall(SYS_mkdirat, dfd, "inner", 0700));
	YES("inner is a dir", stat("d/inner", &st) == 0 && S_ISDIR(st.st_mode));
	EQ("inner mode", st.st_mode & 0777, 0700);
	OKQ(stat("d", &st));
	EQ("parent nlink", st.st_nlink, 3);
	ERR("mkdirat bad dirfd", syscall(SYS_mkdirat, 9999, "x", 0700), EBADF);
	int ffd = OKQ(open("file", O_RDONLY));
	ERR("mkdirat file dirfd", syscall(SYS_mkdirat, ffd, "x", 0700), ENOTDIR);
	close(ffd);

	ERR("rmdir non-empty", syscall(SYS_rmdir, "d"), ENOTEMPTY);
	ERR("rmdir file", syscall(SYS_rmdir, "file"), ENOTDIR);
	ERR("rmdir missing", syscall(SYS_rmdir, "missing"), ENOENT);
	ERR("rmdir .", syscall(SYS_rmdir, "d/inner/."), EINVAL);
	ERR("rmdir ..", syscall(SYS_rmdir, "d/inner/.."), ENOTEMPTY);
	ERR("rmdir bad path", syscall(SYS_rmdir, BADPTR), EFAULT);
	ERR("rmdir /", syscall(SYS_rmdir, "/"), EBUSY);
	OK("rmdir inner", syscall(SYS_rmdir, "d/inner"));
	OKQ(fstat(dfd, &st));
	EQ("parent nlink after rmdir", st.st_nlink, 2);
	OK("rmdir d", syscall(SYS_rmdir, "d"));
	OKQ(fstat(dfd, &st));
	EQ("removed dir nlink", st.st_nlink, 0);
	ERR("mkdirat in removed dir", syscall(SYS_mkdirat, dfd, "x", 0700), ENOENT);
	close(dfd);
	OK("rmdir trailing slash", syscall(SYS_rmdir, "t/"));
	ERR("rmdir removed", syscall(SYS_rmdir, "d"), ENOENT);

	/* Deep nesting. */
	char path[512] = "deep";
	OKQ(mkdir(path, 0755));
	for (int i = 0; i < 40; i++) {
		strcat(path, "/n");
		if (mkdir(path, 0755) != 0) FAIL("mkdir depth %d: %s", i, errname(errno));
	}
	YES("40 levels deep", stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	return 0;
}
