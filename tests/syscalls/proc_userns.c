//go:build ignore

/* proc_userns: /proc/self/{uid,gid,projid}_map and setgroups read as in
 * Linux's initial user namespace (the identity over 32 bits, "allow"),
 * the maps cannot be written again (EPERM), and setgroups takes "allow"
 * (no change), refuses "deny" once the gid_map is set (EPERM) and anything
 * else with EINVAL; the thread's own directory has the maps too. */
#include "common.h"

static void show(const char *path)
{
	char buf[256];
	OKQ(read_file(path, buf, sizeof buf));
	printf("%s: %s", path, buf);
}

static void write_err(const char *path, const char *data, int want)
{
	int fd = OKQ(open(path, O_WRONLY));
	char label[128];
	snprintf(label, sizeof label, "write %.*s to %s", (int)strcspn(data, "\n"), data, path);
	if (want == 0)
		EQ(label, (long)write(fd, data, strlen(data)), (long)strlen(data));
	else
		ERR(label, write(fd, data, strlen(data)), want);
	close(fd);
}

int main(void)
{
	show("/proc/self/uid_map");
	show("/proc/self/gid_map");
	show("/proc/self/projid_map");
	show("/proc/self/setgroups");
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%ld/uid_map", (long)syscall(SYS_gettid));
	char buf[256];
	OKQ(read_file(path, buf, sizeof buf));
	printf("task/TID/uid_map: %s", buf);
	write_err("/proc/self/uid_map", "0 0 1\n", EPERM);
	write_err("/proc/self/gid_map", "0 0 1\n", EPERM);
	write_err("/proc/self/setgroups", "deny\n", EPERM);
	write_err("/proc/self/setgroups", "allow", 0);
	write_err("/proc/self/setgroups", "bogus\n", EINVAL);
	return 0;
}
