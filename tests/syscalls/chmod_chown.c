//go:build ignore

/* chmod_chown: chmod(2), fchmod(2), fchmodat(2), chown(2), fchown(2) and
 * fchownat(2) as root: modes, set-id bits cleared by chown, symlinks. */
#include "common.h"

static int mode_of(const char *p)
{
	struct stat st;
	if (lstat(p, &st) != 0) FAIL("lstat %s: %s", p, errname(errno));
	return st.st_mode & 07777;
}

static void owner(const char *label, const char *p, int follow)
{
	struct stat st;
	if ((follow ? stat(p, &st) : lstat(p, &st)) != 0) FAIL("stat %s: %s", p, errname(errno));
	printf("%s: %d:%d\n", label, (int)st.st_uid, (int)st.st_gid);
}

int main(void)
{
	tmp_enter();
	write_file("f", "x");
	OKQ(symlink("f", "l"));

	OK("chmod 0600", syscall(SYS_chmod, "f", 0600));
	EQ("mode", mode_of("f"), 0600);
	OK("chmod 07777", syscall(SYS_chmod, "f", 07777));
	EQ("all bits", mode_of("f"), 07777);
	OK("chmod via symlink", syscall(SYS_chmod, "l", 0640));
	EQ("target mode", mode_of("f"), 0640);
	EQ("symlink mode stays", mode_of("l"), 0777);
	OK("chmod ignores type bits", syscall(SYS_chmod, "f", S_IFDIR | 0644));
	struct stat st;
	OKQ(stat("f", &st));
	YES("still regular", S_ISREG(st.st_mode));
	ERR("chmod missing", syscall(SYS_chmod, "missing", 0644), ENOENT);
	ERR("chmod bad path", syscall(SYS_chmod, BADPTR, 0644), EFAULT);
	ERR("chmod through file", syscall(SYS_chmod, "f/x", 0644), ENOTDIR);

	int fd = OKQ(open("f", O_RDONLY));
	OK("fchmod on read-only fd", syscall(SYS_fchmod, fd, 0604));
	EQ("fchmod mode", mode_of("f"), 0604);
	ERR("fchmod bad fd", syscall(SYS_fchmod, 9999, 0644), EBADF);
	int opath = OKQ(open("f", O_PATH));
	ERR("fchmod O_PATH fd", syscall(SYS_fchmod, opath, 0644), EBADF);
	close(opath);
	int d = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	OK("fchmodat", syscall(SYS_fchmodat, d, "f", 0700));
	EQ("fchmodat mode", mode_of("f"), 0700);
	ERR("fchmodat bad dirfd", syscall(SYS_fchmodat, 9999, "f", 0700), EBADF);
	ERR("fchmodat missing", syscall(SYS_fchmodat, d, "missing", 0700), ENOENT);

	OK("chown 1000:2000", syscall(SYS_chown, "f", 1000, 2000));
	owner("owner", "f", 1);
	OK("chown -1:3000", syscall(SYS_chown, "f", -1, 3000));
	owner("owner after gid only", "f", 1);
	OK("chown -1:-1", syscall(SYS_chown, "f", -1, -1));
	owner("owner unchanged", "f", 1);
	OK("chown follows symlink", syscall(SYS_chown, "l", 5, 6));
	owner("target owner", "f", 1);
	owner("symlink owner", "l", 0);

	/* chown clears set-user-ID, and set-group-ID when group-exec is set. */
	OKQ(chmod("f", 06755));
	OK("chown setid file", syscall(SYS_chown, "f", 7, 7));
	EQ("setid bits cleared", mode_of("f"), 0755);
	OKQ(chmod("f", 06745));
	OK("fchown setid file (no g+x)", syscall(SYS_fchown, fd, 8, 8));
	EQ("only setuid cleared", mode_of("f"), 02745);
	owner("fchown owner", "f", 1);
	ERR("fchown bad fd", syscall(SYS_fchown, 9999, 0, 0), EBADF);

	OK("fchownat AT_SYMLINK_NOFOLLOW", syscall(SYS_fchownat, d, "l", 11, 12, AT_SYMLINK_NOFOLLOW));
	owner("symlink owner after lchown", "l", 0);
	owner("target owner untouched", "f", 1);
	OK("fchownat AT_EMPTY_PATH", syscall(SYS_fchownat, fd, "", 13, 14, AT_EMPTY_PATH));
	owner("owner via AT_EMPTY_PATH", "f", 1);
	ERR("fchownat bad flags", syscall(SYS_fchownat, d, "f", 0, 0, 0x2), EINVAL);
	ERR("fchownat empty path without flag", syscall(SYS_fchownat, fd, "", 0, 0, 0), ENOENT);
	OK("chown back to root", syscall(SYS_chown, "f", 0, 0));
	owner("back to root", "f", 1);
	close(fd); close(d);

	/* Root can still read a mode-0 file. */
	OKQ(chmod("f", 0));
	char buf[4];
	EQ("read mode-0 file as root", read_file("f", buf, sizeof buf), 1);
	return 0;
}
