//go:build ignore

/* cwd: getcwd(2), chdir(2) and fchdir(2), including a removed working
 * directory and the errors. */
#include "common.h"

int main(void)
{
	tmp_enter();
	char buf[PATH_MAX], start[PATH_MAX];

	long n = OK("getcwd", syscall(SYS_getcwd, start, sizeof start));
	EQ("getcwd returns length with NUL", n, (long)strlen(start) + 1);
	YES("getcwd is the scratch dir", strcmp(start, tmp_dir_) == 0);
	OKQ(mkdir("a", 0755));
	OKQ(mkdir("a/b", 0755));
	write_file("file", "x");

	OK("chdir a/b", syscall(SYS_chdir, "a/b"));
	OKQ(syscall(SYS_getcwd, buf, sizeof buf));
	YES("cwd ends in /a/b", strlen(buf) > 4 && strcmp(buf + strlen(buf) - 4, "/a/b") == 0);
	OK("chdir ../..", syscall(SYS_chdir, "../.."));
	OKQ(syscall(SYS_getcwd, buf, sizeof buf));
	YES("back at start", strcmp(buf, start) == 0);

	ERR("getcwd size 0", syscall(SYS_getcwd, buf, 0), ERANGE);
	ERR("getcwd size too small", syscall(SYS_getcwd, buf, 3), ERANGE);
	ERR("getcwd bad buffer", syscall(SYS_getcwd, BADPTR, sizeof buf), EFAULT);
	ERR("chdir missing", syscall(SYS_chdir, "missing"), ENOENT);
	ERR("chdir file", syscall(SYS_chdir, "file"), ENOTDIR);
	ERR("chdir bad path", syscall(SYS_chdir, BADPTR), EFAULT);
	ERR("chdir empty", syscall(SYS_chdir, ""), ENOENT);

	int d = OKQ(open("a", O_RDONLY | O_DIRECTORY));
	OK("fchdir", syscall(SYS_fchdir, d));
	OKQ(syscall(SYS_getcwd, buf, sizeof buf));
	YES("cwd ends in /a", strcmp(buf + strlen(buf) - 2, "/a") == 0);
	int f = OKQ(open(start, O_RDONLY));
	OK("fchdir back", syscall(SYS_fchdir, f));
	int ff = OKQ(open("file", O_RDONLY));
	ERR("fchdir file", syscall(SYS_fchdir, ff), ENOTDIR);
	ERR("fchdir bad fd", syscall(SYS_fchdir, 9999), EBADF);
	int op = OKQ(open("a", O_PATH));
	OK("fchdir O_PATH dir", syscall(SYS_fchdir, op));
	OK("fchdir back again", syscall(SYS_fchdir, f));
	close(op); close(ff); close(d);

	/* chdir to / and .. stays at / */
	OK("chdir /", syscall(SYS_chdir, "/"));
	OK("chdir .. at root", syscall(SYS_chdir, ".."));
	OKQ(syscall(SYS_getcwd, buf, sizeof buf));
	SEQ("cwd at root", buf, "/");
	OK("fchdir to scratch", syscall(SYS_fchdir, f));
	close(f);

	/* A removed working directory: getcwd fails with ENOENT. */
	OKQ(mkdir("doomed", 0755));
	OK("chdir doomed", syscall(SYS_chdir, "doomed"));
	OKQ(rmdir("../doomed"));
	ERR("getcwd of removed dir", syscall(SYS_getcwd, buf, sizeof buf), ENOENT);
	ERR("create in removed dir", open("x", O_CREAT | O_WRONLY, 0644), ENOENT);
	OK("chdir .. from removed dir", syscall(SYS_chdir, ".."));
	OKQ(syscall(SYS_getcwd, buf, sizeof buf));
	YES("back at start after removal", strcmp(buf, start) == 0);
	return 0;
}
