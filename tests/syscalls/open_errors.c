//go:build ignore

/* open_errors: open(2) and openat(2): flags that change the result and
 * every error a root process can meet on /tmp. */
#include "common.h"

int main(void)
{
	tmp_enter();
	char name[300];

	write_file("file", "data");
	OKQ(mkdir("dir", 0755));
	OKQ(symlink("file", "link"));
	OKQ(symlink("nowhere", "dangling"));

	ERR("open missing", syscall(SYS_open, "missing", O_RDONLY), ENOENT);
	ERR("open missing parent", syscall(SYS_open, "nodir/x", O_RDONLY | O_CREAT, 0644), ENOENT);
	ERR("open empty path", syscall(SYS_open, "", O_RDONLY), ENOENT);
	ERR("open through file", syscall(SYS_open, "file/x", O_RDONLY), ENOTDIR);
	ERR("open file O_DIRECTORY", syscall(SYS_open, "file", O_RDONLY | O_DIRECTORY), ENOTDIR);
	ERR("open dir O_WRONLY", syscall(SYS_open, "dir", O_WRONLY), EISDIR);
	ERR("open dir O_RDWR", syscall(SYS_open, "dir", O_RDWR), EISDIR);
	ERR("open dir O_CREAT", syscall(SYS_open, "dir", O_RDONLY | O_CREAT, 0644), EISDIR);
	ERR("open O_CREAT|O_EXCL existing", syscall(SYS_open, "file", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	ERR("open O_CREAT|O_EXCL dangling", syscall(SYS_open, "dangling", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	ERR("open O_NOFOLLOW symlink", syscall(SYS_open, "link", O_RDONLY | O_NOFOLLOW), ELOOP);
	ERR("open bad path pointer", syscall(SYS_open, BADPTR, O_RDONLY), EFAULT);
	memset(name, 'a', 256); name[256] = 0;
	ERR("open 256-byte name", syscall(SYS_open, name, O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
	memset(name, 'b', 255); name[255] = 0;
	int fd = OK("open 255-byte name", syscall(SYS_open, name, O_RDWR | O_CREAT, 0644));
	close(fd);
	ERR("openat O_CREAT|O_DIRECTORY", syscall(SYS_openat, AT_FDCWD, "newdir", O_RDONLY | O_CREAT | O_DIRECTORY, 0755), EINVAL);

	/* openat: dirfd rules. */
	int d = OK("open dir", syscall(SYS_open, "dir", O_RDONLY | O_DIRECTORY));
	fd = OK("openat create in dir", syscall(SYS_openat, d, "inner", O_RDWR | O_CREAT, 0600));
	close(fd);
	struct stat st;
	YES("inner exists via path", stat("dir/inner", &st) == 0);
	int f = OKQ(open("file", O_RDONLY));
	ERR("openat relative on file fd", syscall(SYS_openat, f, "x", O_RDONLY), ENOTDIR);
	ERR("openat bad dirfd", syscall(SYS_openat, 12345, "x", O_RDONLY), EBADF);
	fd = OK("openat absolute ignores bad dirfd", syscall(SYS_openat, 12345, "/", O_RDONLY | O_DIRECTORY));
	close(fd);
	fd = OK("openat AT_FDCWD", syscall(SYS_openat, AT_FDCWD, "file", O_RDONLY));
	close(fd);
	close(f);
	close(d);

	/* Lowest free descriptor is used. */
	int a = OKQ(open("file", O_RDONLY));
	int b = OKQ(open("file", O_RDONLY));
	close(a);
	int c = OKQ(open("file", O_RDONLY));
	YES("lowest fd reused", c == a);
	close(b); close(c);

	/* O_TRUNC and O_CLOEXEC. */
	fd = OK("open O_TRUNC", syscall(SYS_open, "file", O_WRONLY | O_TRUNC));
	OKQ(fstat(fd, &st));
	EQ("size after O_TRUNC", st.st_size, 0);
	YES("no FD_CLOEXEC by default", fcntl(fd, F_GETFD) == 0);
	close(fd);
	fd = OK("open O_CLOEXEC", syscall(SYS_open, "file", O_RDONLY | O_CLOEXEC));
	YES("FD_CLOEXEC set", fcntl(fd, F_GETFD) == FD_CLOEXEC);
	close(fd);

	/* Creating through a dangling symlink creates its target. */
	fd = OK("open O_CREAT dangling", syscall(SYS_open, "dangling", O_WRONLY | O_CREAT, 0644));
	close(fd);
	YES("target created", stat("nowhere", &st) == 0 && S_ISREG(st.st_mode));

	/* Access mode 3 is accepted by Linux but gives neither read nor write. */
	fd = OK("open O_ACCMODE", syscall(SYS_open, "file", O_ACCMODE));
	char ch;
	ERR("read O_ACCMODE fd", read(fd, &ch, 1), EBADF);
	close(fd);

	/* O_PATH: fstat works, read does not. */
	fd = OK("open O_PATH", syscall(SYS_open, "file", O_PATH));
	ERR("read O_PATH fd", read(fd, &ch, 1), EBADF);
	YES("fstat O_PATH fd", fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
	close(fd);
	fd = OK("open O_PATH|O_NOFOLLOW symlink", syscall(SYS_open, "link", O_PATH | O_NOFOLLOW));
	YES("fstat gives symlink", fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
	close(fd);
	return 0;
}
