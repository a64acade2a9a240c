//go:build ignore

/* path_resolution: how paths are walked: symlink chains (40 allowed, 41 is
 * ELOOP), loops, ENAMETOOLONG for components and whole paths, ".." at "/"
 * staying at "/", "." and ".." inside paths, trailing slashes, and the
 * mount at /tmp (".." from the top of /tmp goes to "/"). */
#include "common.h"

static int same(const char *a, const char *b)
{
	struct stat x, y;
	if (stat(a, &x) != 0) FAIL("stat %s: %s", a, errname(errno));
	if (stat(b, &y) != 0) FAIL("stat %s: %s", b, errname(errno));
	return x.st_ino == y.st_ino && x.st_dev == y.st_dev;
}

int main(void)
{
	tmp_enter();
	struct stat st;
	char a[64], b[64];
	write_file("f", "x");
	OKQ(mkdir("d", 0755));

	/* Chains: l1 -> l0 -> f ... l40 -> l39. */
	OKQ(symlink("f", "l0"));
	for (int i = 1; i <= 41; i++) {
		snprintf(a, sizeof a, "l%d", i - 1);
		snprintf(b, sizeof b, "l%d", i);
		OKQ(symlink(a, b));
	}
	OK("follow 40 links", syscall(SYS_open, "l39", O_RDONLY));
	ERR("follow 41 links", syscall(SYS_open, "l40", O_RDONLY), ELOOP);
	ERR("follow 42 links", syscall(SYS_open, "l41", O_RDONLY), ELOOP);
	ERR("stat 42 links", stat("l41", &st), ELOOP);
	OK("lstat end of a long chain", lstat("l41", &st));
	OKQ(symlink("loop-b", "loop-a"));
	OKQ(symlink("loop-a", "loop-b"));
	ERR("two-link loop", syscall(SYS_open, "loop-a", O_RDONLY), ELOOP);
	OKQ(symlink("self", "self"));
	ERR("self loop", syscall(SYS_open, "self", O_RDONLY), ELOOP);
	ERR("loop in the middle", stat("loop-a/x", &st), ELOOP);
	ERR("create through loop", syscall(SYS_open, "self", O_CREAT | O_WRONLY, 0644), ELOOP);

	/* Relative symlinks are resolved from the link's directory. */
	OKQ(symlink("../f", "d/up"));
	YES("d/up is f", same("d/up", "f"));
	OKQ(symlink("d", "dl"));
	YES("dl/up is f", same("dl/up", "f"));
	YES("dl/../f is f (.. of the link target)", same("dl/../f", "f"));
	OKQ(symlink("f", "fl"));
	ERR("file link with trailing slash", stat("fl/", &st), ENOTDIR);
	OK("dir link with trailing slash", stat("dl/", &st));
	char abs[PATH_MAX];
	snprintf(abs, sizeof abs, "%s/f", tmp_dir_);
	OKQ(symlink(abs, "absl"));
	YES("absolute symlink", same("absl", "f"));

	/* Lengths. */
	char name[300];
	memset(name, 'n', 255); name[255] = 0;
	OK("255-byte component", mkdir(name, 0755));
	memset(name, 'n', 256); name[256] = 0;
	ERR("256-byte component (stat)", stat(name, &st), ENAMETOOLONG);
	ERR("256-byte component (mkdir)", mkdir(name, 0755), ENAMETOOLONG);
	static char longp[PATH_MAX + 16];
	for (int i = 0; i < PATH_MAX + 8; i += 2) { longp[i] = '.'; longp[i + 1] = '/'; }
	longp[PATH_MAX + 8] = 0;
	ERR("path of 4104 bytes", stat(longp, &st), ENAMETOOLONG);
	longp[PATH_MAX - 2] = '.';
	longp[PATH_MAX - 1] = 0;
	OK("path of 4095 bytes", stat(longp, &st));

	/* Dots and slashes. */
	YES("./f is f", same("./f", "f"));
	YES("d/../f is f", same("d/../f", "f"));
	YES("d/./../d/./.. is .", same("d/./../d/./..", "."));
	YES("multiple slashes", same("d//..//f", "f"));
	ERR("f/.. is ENOTDIR", stat("f/..", &st), ENOTDIR);
	ERR("f/. is ENOTDIR", stat("f/.", &st), ENOTDIR);
	ERR("f/ is ENOTDIR", stat("f/", &st), ENOTDIR);
	ERR("missing/.. is ENOENT", stat("missing/..", &st), ENOENT);
	ERR("empty path", stat("", &st), ENOENT);

	/* ".." at the root stays at the root. */
	YES("/.. is /", same("/..", "/"));
	YES("/../../.. is /", same("/../../..", "/"));
	YES("//// is /", same("////", "/"));
	YES("/../tmp is /tmp", same("/../tmp", "/tmp"));
	int root = OKQ(open("/", O_RDONLY | O_DIRECTORY));
	int up = OK("openat(/, \"..\")", syscall(SYS_openat, root, "..", O_RDONLY | O_DIRECTORY));
	struct stat r1, r2;
	fstat(root, &r1); fstat(up, &r2);
	YES("is / again", r1.st_ino == r2.st_ino && r1.st_dev == r2.st_dev);
	close(up); close(root);
	OKQ(symlink("/../../..", "rootlink"));
	YES("symlink to /../../.. is /", same("rootlink", "/"));

	/* The mount on /tmp: crossing down and back up. */
	YES("/tmp/.. is /", same("/tmp/..", "/"));
	YES("scratch/../.. is /", same("../..", "/"));
	YES("scratch/.. is /tmp", same("..", "/tmp"));
	char back[PATH_MAX];
	OKQ(chdir("/tmp"));
	OKQ(chdir(".."));
	YES("getcwd after /tmp/..", getcwd(back, sizeof back) && strcmp(back, "/") == 0);
	OKQ(chdir(tmp_dir_));
	return 0;
}
