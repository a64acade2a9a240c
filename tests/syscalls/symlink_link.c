//go:build ignore

/* symlink_link: symlink(2) and link(2): dangling and relative links, hard
 * link counts, links to symlinks, and the errors. */
#include "common.h"

int main(void)
{
	tmp_enter();
	struct stat st, st2;
	char buf[64];
	write_file("f", "data");
	OKQ(mkdir("d", 0755));

	OK("symlink", syscall(SYS_symlink, "f", "s"));
	memset(buf, 0, sizeof buf);
	EQ("read through symlink", read_file("s", buf, sizeof buf), 4);
	OK("symlink dangling", syscall(SYS_symlink, "does/not/exist", "dang"));
	ERR("open dangling", open("dang", O_RDONLY), ENOENT);
	OK("symlink relative in subdir", syscall(SYS_symlink, "../f", "d/up"));
	memset(buf, 0, sizeof buf);
	EQ("read relative link", read_file("d/up", buf, sizeof buf), 4);
	OK("symlink to dir", syscall(SYS_symlink, "d", "sd"));
	YES("walk through dir link", stat("sd/up", &st) == 0 && S_ISREG(st.st_mode));
	ERR("symlink existing name", syscall(SYS_symlink, "x", "f"), EEXIST);
	ERR("symlink empty target", syscall(SYS_symlink, "", "e"), ENOENT);
	ERR("symlink missing parent", syscall(SYS_symlink, "f", "no/s"), ENOENT);
	ERR("symlink under file", syscall(SYS_symlink, "f", "f/s"), ENOTDIR);
	ERR("symlink bad target", syscall(SYS_symlink, BADPTR, "b"), EFAULT);
	ERR("symlink bad name", syscall(SYS_symlink, "f", BADPTR), EFAULT);

	OK("link", syscall(SYS_link, "f", "h"));
	OKQ(stat("f", &st));
	OKQ(stat("h", &st2));
	YES("same inode", st.st_ino == st2.st_ino);
	EQ("nlink 2", st.st_nlink, 2);
	OK("link into subdir", syscall(SYS_link, "f", "d/h"));
	OKQ(stat("f", &st));
	EQ("nlink 3", st.st_nlink, 3);
	ERR("link existing", syscall(SYS_link, "f", "h"), EEXIST);
	ERR("link missing", syscall(SYS_link, "missing", "m"), ENOENT);
	ERR("link directory", syscall(SYS_link, "d", "d2"), EPERM);
	ERR("link bad path", syscall(SYS_link, BADPTR, "x"), EFAULT);
	ERR("link trailing slash", syscall(SYS_link, "f/", "x"), ENOTDIR);

	/* link(2) does not follow a symlink: the new name is a symlink. */
	OK("link to symlink", syscall(SYS_link, "s", "s2"));
	OKQ(lstat("s2", &st));
	YES("hard link to symlink is a symlink", S_ISLNK(st.st_mode));
	OKQ(lstat("s", &st2));
	YES("same symlink inode", st.st_ino == st2.st_ino && st.st_nlink == 2);
	OK("link to dangling symlink", syscall(SYS_link, "dang", "dang2"));

	/* Writes through one name are seen through the other. */
	int fd = OKQ(open("h", O_WRONLY | O_APPEND));
	OKQ(write(fd, "!", 1));
	close(fd);
	memset(buf, 0, sizeof buf);
	OKQ(read_file("d/h", buf, sizeof buf));
	SEQ("shared content", buf, "data!");
	return 0;
}
