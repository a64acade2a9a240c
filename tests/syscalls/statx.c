//go:build ignore

/* statx: statx(2): the basic fields agree with stat, masks and flags
 * (AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, sync types), and EINVAL / EFAULT /
 * ENOENT / EBADF / ENOTDIR. */
#include "common.h"
#include <sys/sysmacros.h>

int main(void)
{
	tmp_enter();
	write_file("f", "statx!");
	OKQ(symlink("f", "l"));
	OKQ(mkdir("d", 0711));
	struct statx sx;
	struct stat st;

	memset(&sx, 0xff, sizeof sx);
	OK("statx file", syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx));
	YES("basic stats returned", (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
	EQ("size", sx.stx_size, 6);
	YES("regular", S_ISREG(sx.stx_mode));
	EQ("nlink", sx.stx_nlink, 1);
	EQ("uid", sx.stx_uid, 0);
	OKQ(stat("f", &st));
	YES("ino matches stat", sx.stx_ino == st.st_ino);
	YES("dev matches stat", makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev);
	YES("mtime matches stat", sx.stx_mtime.tv_sec == st.st_mtim.tv_sec && sx.stx_mtime.tv_nsec == (uint32_t)st.st_mtim.tv_nsec);
	YES("blksize matches stat", sx.stx_blksize == st.st_blksize);
	YES("reserved spare zero", sx.__spare0[0] == 0);

	OK("statx dir", syscall(SYS_statx, AT_FDCWD, "d", 0, STATX_TYPE | STATX_MODE, &sx));
	YES("dir", S_ISDIR(sx.stx_mode));
	EQ("dir mode", sx.stx_mode & 07777, 0711);
	OK("statx symlink nofollow", syscall(SYS_statx, AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
	YES("symlink", S_ISLNK(sx.stx_mode) && sx.stx_size == 1);
	OK("statx symlink follow", syscall(SYS_statx, AT_FDCWD, "l", 0, STATX_BASIC_STATS, &sx));
	YES("target", S_ISREG(sx.stx_mode) && sx.stx_size == 6);
	int fd = OKQ(open("f", O_RDONLY));
	OK("statx AT_EMPTY_PATH", syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx));
	EQ("size via fd", sx.stx_size, 6);
	OK("statx AT_STATX_FORCE_SYNC", syscall(SYS_statx, AT_FDCWD, "f", AT_STATX_FORCE_SYNC, STATX_SIZE, &sx));
	OK("statx AT_STATX_DONT_SYNC", syscall(SYS_statx, AT_FDCWD, "f", AT_STATX_DONT_SYNC, STATX_SIZE, &sx));
	OK("statx mask 0", syscall(SYS_statx, AT_FDCWD, "f", 0, 0, &sx));
	int d = OKQ(open("d", O_RDONLY | O_DIRECTORY));
	OK("statx relative to dirfd", syscall(SYS_statx, d, "..", 0, STATX_TYPE, &sx));
	YES("dirfd/.. is a dir", S_ISDIR(sx.stx_mode));

	ERR("both sync flags", syscall(SYS_statx, AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_SIZE, &sx), EINVAL);
	ERR("reserved mask bit", syscall(SYS_statx, AT_FDCWD, "f", 0, 0x80000000U, &sx), EINVAL);
	ERR("unknown flag", syscall(SYS_statx, AT_FDCWD, "f", 0x1, STATX_SIZE, &sx), EINVAL);
	ERR("missing", syscall(SYS_statx, AT_FDCWD, "missing", 0, STATX_SIZE, &sx), ENOENT);
	ERR("empty path without flag", syscall(SYS_statx, fd, "", 0, STATX_SIZE, &sx), ENOENT);
	ERR("bad dirfd", syscall(SYS_statx, 9999, "f", 0, STATX_SIZE, &sx), EBADF);
	ERR("file as dirfd", syscall(SYS_statx, fd, "x", 0, STATX_SIZE, &sx), ENOTDIR);
	ERR("bad buffer", syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_SIZE, BADPTR), EFAULT);
	ERR("bad path", syscall(SYS_statx, AT_FDCWD, BADPTR, 0, STATX_SIZE, &sx), EFAULT);
	close(fd); close(d);
	return 0;
}
