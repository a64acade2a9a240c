//go:build ignore

/* utimensat: utimensat(2) with explicit times, UTIME_NOW, UTIME_OMIT,
 * NULL, descriptors and symlinks, and the errors. */
#include "common.h"
#include <time.h>

static void times_of(const char *label, const char *p, int follow)
{
	struct stat st;
	if ((follow ? stat(p, &st) : lstat(p, &st)) != 0) FAIL("stat %s: %s", p, errname(errno));
	printf("%s: atime %lld.%09ld mtime %lld.%09ld\n", label,
	       (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int main(void)
{
	tmp_enter();
	write_file("f", "x");
	OKQ(symlink("f", "l"));
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };
	struct stat st;

	OK("set both", syscall(SYS_utimensat, AT_FDCWD, "f", ts, 0));
	times_of("explicit", "f", 1);
	struct timespec omit[2] = { { 5, UTIME_OMIT }, { 1300000000, 0 } };
	OK("omit atime", syscall(SYS_utimensat, AT_FDCWD, "f", omit, 0));
	times_of("atime kept", "f", 1);
	struct timespec omit2[2] = { { 1400000000, 5 }, { 0, UTIME_OMIT } };
	OK("omit mtime", syscall(SYS_utimensat, AT_FDCWD, "f", omit2, 0));
	times_of("mtime kept", "f", 1);
	struct timespec both_omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	OK("omit both", syscall(SYS_utimensat, AT_FDCWD, "f", both_omit, 0));
	times_of("both kept", "f", 1);

	struct timespec before;
	clock_gettime(CLOCK_REALTIME, &before);
	before.tv_sec -= 1; /* file systems may round to their granularity */
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	OK("UTIME_NOW", syscall(SYS_utimensat, AT_FDCWD, "f", now, 0));
	OKQ(stat("f", &st));
	YES("mtime is now", st.st_mtim.tv_sec >= before.tv_sec);
	OKQ(syscall(SYS_utimensat, AT_FDCWD, "f", ts, 0));
	OK("NULL times", syscall(SYS_utimensat, AT_FDCWD, "f", NULL, 0));
	OKQ(stat("f", &st));
	YES("NULL sets now", st.st_atim.tv_sec >= before.tv_sec && st.st_mtim.tv_sec >= before.tv_sec);

	/* Symlinks: followed unless AT_SYMLINK_NOFOLLOW. */
	OK("via symlink", syscall(SYS_utimensat, AT_FDCWD, "l", ts, 0));
	times_of("target via symlink", "f", 1);
	struct timespec lts[2] = { { 1500000000, 0 }, { 1500000001, 0 } };
	OK("AT_SYMLINK_NOFOLLOW", syscall(SYS_utimensat, AT_FDCWD, "l", lts, AT_SYMLINK_NOFOLLOW));
	times_of("symlink itself", "l", 0);
	times_of("target untouched", "f", 1);

	/* A NULL path means the descriptor itself (futimens). */
	int fd = OKQ(open("f", O_RDONLY));
	struct timespec fts[2] = { { 1600000000, 1 }, { 1600000000, 2 } };
	OK("on fd with NULL path", syscall(SYS_utimensat, fd, NULL, fts, 0));
	times_of("via fd", "f", 1);
	OK("AT_EMPTY_PATH", syscall(SYS_utimensat, fd, "", ts, AT_EMPTY_PATH));
	times_of("via AT_EMPTY_PATH", "f", 1);
	close(fd);

	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	ERR("nsec too big", syscall(SYS_utimensat, AT_FDCWD, "f", bad, 0), EINVAL);
	struct timespec neg[2] = { { 0, -1 }, { 0, 0 } };
	ERR("nsec negative", syscall(SYS_utimensat, AT_FDCWD, "f", neg, 0), EINVAL);
	ERR("bad flags", syscall(SYS_utimensat, AT_FDCWD, "f", ts, 0x4000000), EINVAL);
	ERR("missing file", syscall(SYS_utimensat, AT_FDCWD, "missing", ts, 0), ENOENT);
	ERR("bad times pointer", syscall(SYS_utimensat, AT_FDCWD, "f", BADPTR, 0), EFAULT);
	ERR("bad path pointer", syscall(SYS_utimensat, AT_FDCWD, BADPTR, ts, 0), EFAULT);
	ERR("bad fd", syscall(SYS_utimensat, 9999, NULL, ts, 0), EBADF);
	ERR("through file", syscall(SYS_utimensat, AT_FDCWD, "f/x", ts, 0), ENOTDIR);
	return 0;
}
