//go:build ignore

/* access: access(2), faccessat(2) and faccessat2(2): modes as root (execute
 * needs an x bit even for root), flags, and the errors. */
#include "common.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

int main(void)
{
	tmp_enter();
	write_file("plain", "x");
	OKQ(chmod("plain", 0644));
	write_file("exec", "#!/bin/sh\n");
	OKQ(chmod("exec", 0700));
	write_file("none", "x");
	OKQ(chmod("none", 0));
	write_file("othx", "x");
	OKQ(chmod("othx", 0001));
	OKQ(mkdir("dir", 0));
	OKQ(symlink("nowhere", "dangling"));

	OK("F_OK existing", syscall(SYS_access, "plain", F_OK));
	ERR("F_OK missing", syscall(SYS_access, "missing", F_OK), ENOENT);
	OK("R_OK|W_OK on mode 0 as root", syscall(SYS_access, "none", R_OK | W_OK));
	ERR("X_OK on mode 0644 as root", syscall(SYS_access, "plain", X_OK), EACCES);
	ERR("X_OK on mode 0 as root", syscall(SYS_access, "none", X_OK), EACCES);
	OK("X_OK on mode 0700", syscall(SYS_access, "exec", X_OK));
	OK("X_OK on mode 0001 as root", syscall(SYS_access, "othx", X_OK));
	OK("X_OK on dir mode 0 as root", syscall(SYS_access, "dir", X_OK));
	ERR("bad mode", syscall(SYS_access, "plain", 8), EINVAL);
	ERR("through file", syscall(SYS_access, "plain/x", F_OK), ENOTDIR);
	ERR("bad path", syscall(SYS_access, BADPTR, F_OK), EFAULT);
	ERR("dangling symlink", syscall(SYS_access, "dangling", F_OK), ENOENT);

	int d = OKQ(open(".", O_RDONLY | O_DIRECTORY));
	OK("faccessat dirfd", syscall(SYS_faccessat, d, "plain", R_OK));
	ERR("faccessat X_OK", syscall(SYS_faccessat, d, "plain", X_OK), EACCES);
	ERR("faccessat bad dirfd", syscall(SYS_faccessat, 9999, "plain", R_OK), EBADF);
	ERR("faccessat bad mode", syscall(SYS_faccessat, d, "plain", 0x10), EINVAL);

	OK("faccessat2 no flags", syscall(SYS_faccessat2, d, "plain", R_OK, 0));
	OK("faccessat2 AT_EACCESS", syscall(SYS_faccessat2, d, "plain", R_OK, AT_EACCESS));
	OK("faccessat2 AT_SYMLINK_NOFOLLOW dangling", syscall(SYS_faccessat2, d, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
	ERR("faccessat2 follow dangling", syscall(SYS_faccessat2, d, "dangling", F_OK, 0), ENOENT);
	ERR("faccessat2 bad flags", syscall(SYS_faccessat2, d, "plain", F_OK, 0x1), EINVAL);
	int f = OKQ(open("exec", O_RDONLY));
	OK("faccessat2 AT_EMPTY_PATH", syscall(SYS_faccessat2, f, "", X_OK, AT_EMPTY_PATH));
	ERR("faccessat2 empty path without flag", syscall(SYS_faccessat2, f, "", X_OK, 0), ENOENT);
	close(f);
	close(d);
	return 0;
}
