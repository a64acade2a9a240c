//go:build ignore

/* rename: rename(2), renameat(2) and renameat2(2) with RENAME_NOREPLACE
 * and RENAME_EXCHANGE, replacing rules for files and directories, and the
 * errors. */
#include "common.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

static void content(const char *label, const char *path, const char *want)
{
	char buf[64];
	if (read_file(path, buf, sizeof buf) < 0) FAIL("%s: read %s: %s", label, path, errname(errno));
	SEQ(label, buf, want);
}

int main(void)
{
	tmp_enter();
	struct stat st;
	write_file("a", "A");
	write_file("b", "B");
	OKQ(mkdir("d1", 0755));
	OKQ(mkdir("d2", 0755));
	OKQ(mkdir("full", 0755));
	write_file("full/x", "");

	OK("rename file", syscall(SYS_rename, "a", "c"));
	ERR("old name gone", stat("a", &st), ENOENT);
	content("new name content", "c", "A");
	OK("rename over file", syscall(SYS_rename, "c", "b"));
	content("replaced content", "b", "A");
	OK("rename to itself", syscall(SYS_rename, "b", "b"));
	write_file("h1", "H");
	OKQ(link("h1", "h2"));
	OK("rename hard link onto its twin", syscall(SYS_rename, "h1", "h2"));
	YES("both names remain", stat("h1", &st) == 0 && stat("h2", &st) == 0);

	OK("rename dir over empty dir", syscall(SYS_rename, "d1", "d2"));
	ERR("old dir gone", stat("d1", &st), ENOENT);
	ERR("dir over non-empty dir", syscall(SYS_rename, "d2", "full"), ENOTEMPTY);
	ERR("file over dir", syscall(SYS_rename, "b", "d2"), EISDIR);
	ERR("dir over file", syscall(SYS_rename, "d2", "b"), ENOTDIR);
	ERR("dir into itself", syscall(SYS_rename, "d2", "d2/sub"), EINVAL);
	ERR("missing source", syscall(SYS_rename, "nope", "x"), ENOENT);
	ERR("missing target dir", syscall(SYS_rename, "b", "nodir/x"), ENOENT);
	ERR("through file", syscall(SYS_rename, "b/x", "y"), ENOTDIR);
	ERR("bad old path", syscall(SYS_rename, BADPTR, "y"), EFAULT);
	ERR("bad new path", syscall(SYS_rename, "b", BADPTR), EFAULT);
	ERR("rename .", syscall(SYS_rename, ".", "dot"), EBUSY);
	ERR("rename to ..", syscall(SYS_rename, "d2", ".."), EBUSY);

	/* A directory moved to another parent updates nlink of both. */
	OKQ(mkdir("p1", 0755));
	OKQ(mkdir("p2", 0755));
	OKQ(mkdir("p1/child", 0755));
	OK("move dir between parents", syscall(SYS_rename, "p1/child", "p2/child"));
	OKQ(stat("p1", &st));
	EQ("old parent nlink", st.st_nlink, 2);
	OKQ(stat("p2", &st));
	EQ("new parent nlink", st.st_nlink, 3);
	OKQ(stat("p2/child/..", &st));
	struct stat p2;
	OKQ(stat("p2", &p2));
	YES("child/.. is new parent", st.st_ino == p2.st_ino);

	int d = OKQ(open("p2", O_RDONLY | O_DIRECTORY));
	OK("renameat", syscall(SYS_renameat, d, "child", AT_FDCWD, "moved"));
	YES("moved exists", stat("moved", &st) == 0 && S_ISDIR(st.st_mode));
	ERR("renameat bad dirfd", syscall(SYS_renameat, 9999, "x", AT_FDCWD, "y"), EBADF);

	write_file("n1", "N1");
	write_file("n2", "N2");
	ERR("renameat2 NOREPLACE onto existing", syscall(SYS_renameat2, AT_FDCWD, "n1", AT_FDCWD, "n2", RENAME_NOREPLACE), EEXIST);
	OK("renameat2 NOREPLACE to new name", syscall(SYS_renameat2, AT_FDCWD, "n1", AT_FDCWD, "n3", RENAME_NOREPLACE));
	OK("renameat2 EXCHANGE", syscall(SYS_renameat2, AT_FDCWD, "n2", AT_FDCWD, "n3", RENAME_EXCHANGE));
	content("exchanged n2", "n2", "N1");
	content("exchanged n3", "n3", "N2");
	OK("renameat2 EXCHANGE file and dir", syscall(SYS_renameat2, AT_FDCWD, "n2", AT_FDCWD, "moved", RENAME_EXCHANGE));
	YES("n2 is now the dir", stat("n2", &st) == 0 && S_ISDIR(st.st_mode));
	ERR("renameat2 EXCHANGE missing", syscall(SYS_renameat2, AT_FDCWD, "n3", AT_FDCWD, "absent", RENAME_EXCHANGE), ENOENT);
	ERR("renameat2 both flags", syscall(SYS_renameat2, AT_FDCWD, "n3", AT_FDCWD, "n2", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
	ERR("renameat2 unknown flag", syscall(SYS_renameat2, AT_FDCWD, "n3", AT_FDCWD, "n4", 0x100), EINVAL);
	OK("renameat2 no flags", syscall(SYS_renameat2, d, "../n3", AT_FDCWD, "n5", 0));
	close(d);

	/* An open file keeps working after its rename. */
	int fd = OKQ(open("n5", O_RDWR));
	OKQ(rename("n5", "n6"));
	EQ("write after rename", write(fd, "Z", 1), 1);
	close(fd);
	content("content after rename", "n6", "Z2");
	return 0;
}
