//go:build ignore

/* hostile_escape: tries to reach a file just outside its root directory
 * (moat-outside-secret, placed by the harness one and two levels above the
 * root) through "..", absolute and relative symlinks, /proc/self/root,
 * /proc/self/cwd, /proc/self/fd and openat on "/". Every attempt must end
 * inside the root: ENOENT. Run chrooted natively and with --root in the
 * sandbox; expected output is in testdata/hostile_escape.golden. */
#include "common.h"
#include <dirent.h>

static void no_escape(const char *path)
{
	char label[512];
	snprintf(label, sizeof label, "open %s", path);
	ERR(label, open(path, O_RDONLY), ENOENT);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	char buf[PATH_MAX];
	no_escape("/../moat-outside-secret");
	no_escape("/../../moat-outside-secret");
	no_escape("/../../../../../../../../moat-outside-secret");
	no_escape("../moat-outside-secret");
	no_escape("/tmp/../../moat-outside-secret");
	no_escape("/bin/../../moat-outside-secret");
	no_escape("/proc/self/root/../moat-outside-secret");
	no_escape("/proc/self/root/../../moat-outside-secret");
	no_escape("/proc/self/cwd/../../moat-outside-secret");
	no_escape("/proc/self/root/proc/self/root/../moat-outside-secret");

	OK("symlink to /../moat-outside-secret", symlink("/../moat-outside-secret", "/tmp/abs"));
	no_escape("/tmp/abs");
	OK("symlink to ../../../../moat-outside-secret", symlink("../../../../moat-outside-secret", "/tmp/rel"));
	no_escape("/tmp/rel");
	OK("symlink to /", symlink("/", "/tmp/root"));
	no_escape("/tmp/root/../moat-outside-secret");
	no_escape("/tmp/root/../../moat-outside-secret");
	OK("symlink to /proc/self/root/..", symlink("/proc/self/root/..", "/tmp/procroot"));
	no_escape("/tmp/procroot/moat-outside-secret");
	no_escape("/tmp/procroot/../moat-outside-secret");

	int root = OKQ(open("/", O_RDONLY | O_DIRECTORY));
	ERR("openat(/, ../moat-outside-secret)", openat(root, "../moat-outside-secret", O_RDONLY), ENOENT);
	ERR("openat(/, ../../moat-outside-secret)", openat(root, "../../moat-outside-secret", O_RDONLY), ENOENT);
	snprintf(buf, sizeof buf, "/proc/self/fd/%d/../moat-outside-secret", root);
	ERR("open /proc/self/fd/<root>/../moat-outside-secret", open(buf, O_RDONLY), ENOENT);

	/* chdir above the root stays at the root. */
	OK("chdir /..", chdir("/.."));
	OK("chdir ../../..", chdir("../../.."));
	SEQ("getcwd", getcwd(buf, sizeof buf) ? buf : "?", "/");
	ERR("open moat-outside-secret from there", open("moat-outside-secret", O_RDONLY), ENOENT);
	OK("fchdir to root fd", fchdir(root));
	OK("chdir ..", chdir(".."));
	SEQ("getcwd after fchdir+..", getcwd(buf, sizeof buf) ? buf : "?", "/");

	/* The view from inside: only the tree. */
	long n = OKQ(readlink("/proc/self/root", buf, sizeof buf - 1));
	buf[n] = 0;
	SEQ("/proc/self/root", buf, "/");
	n = OKQ(readlink("/proc/self/exe", buf, sizeof buf - 1));
	buf[n] = 0;
	SEQ("/proc/self/exe", buf, "/bin/hostile_escape");
	struct stat st;
	OK("stat /bin/busybox", stat("/bin/busybox", &st));
	OKQ(read_file("/etc/passwd", buf, sizeof buf));
	YES("/etc/passwd is the tree's", strncmp(buf, "root:x:0:0:root:/root:/bin/sh\n", 30) == 0);
	ERR("host-only /usr/bin/gcc", stat("/usr/bin/gcc", &st), ENOENT);
	ERR("host-only /work", stat("/work", &st), ENOENT);
	ERR("host-only /var/tmp", stat("/var/tmp", &st), ENOENT);
	DIR *d = opendir("/");
	char *names[64];
	int k = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		if (k < 64) names[k++] = strdup(e->d_name);
	if (d) closedir(d);
	qsort(names, k, sizeof *names, cmp);
	printf("/ holds:");
	for (int i = 0; i < k; i++) printf(" %s", names[i]);
	printf("\n");
	OK("unlink /tmp links", unlink("/tmp/abs") + unlink("/tmp/rel") + unlink("/tmp/root") + unlink("/tmp/procroot"));
	return 0;
}
