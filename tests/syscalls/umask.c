//go:build ignore

/* umask: umask(2): the previous value is returned, only 0777 is kept, and
 * the mask applies to open, mkdir, mknod-like creation and symlinks not. */
#include "common.h"

static int mode_of(const char *p)
{
	struct stat st;
	if (lstat(p, &st) != 0) FAIL("lstat %s: %s", p, errname(errno));
	return st.st_mode & 07777;
}

int main(void)
{
	tmp_enter();
	/* The harness starts programs with umask 022 (runsc do must too). */
	EQ("initial umask", syscall(SYS_umask, 022), 022);
	EQ("previous", syscall(SYS_umask, 027), 022);
	EQ("returns set value", syscall(SYS_umask, 027), 027);
	int fd = OKQ(open("f", O_CREAT | O_WRONLY, 0666));
	close(fd);
	EQ("file mode under 027", mode_of("f"), 0640);
	OKQ(mkdir("d", 0777));
	EQ("dir mode under 027", mode_of("d"), 0750);
	OKQ(mkfifo("p", 0666));
	EQ("fifo mode under 027", mode_of("p"), 0640);
	OKQ(symlink("f", "l"));
	EQ("symlink mode ignores umask", mode_of("l"), 0777);
	syscall(SYS_umask, 07777);
	EQ("extra bits dropped", syscall(SYS_umask, 0), 0777);
	fd = OKQ(open("g", O_CREAT | O_WRONLY, 07777));
	close(fd);
	EQ("umask 0 keeps all bits", mode_of("g"), 07777);
	syscall(SYS_umask, 0777);
	OK("chmod ignores umask", chmod("g", 0666));
	EQ("chmod result", mode_of("g"), 0666);
	fd = OKQ(open("h", O_CREAT | O_WRONLY, 0666));
	close(fd);
	EQ("umask 0777 gives mode 0", mode_of("h"), 0);

	/* /proc/self/status reports the mask. */
	syscall(SYS_umask, 0023);
	char buf[4096];
	OKQ(read_file("/proc/self/status", buf, sizeof buf));
	YES("status has Umask:\\t0023", strstr(buf, "\nUmask:\t0023\n") != NULL);
	return 0;
}
