//go:build ignore

/* dev_files: /dev/null, /dev/zero, /dev/full, /dev/random and /dev/urandom:
 * their device numbers (fixed by the Linux ABI), reads, writes, seeks and
 * mappings. */
#include "common.h"
#include <sys/mman.h>
#include <sys/sysmacros.h>

static void dev(const char *path, int maj, int min)
{
	struct stat st;
	if (stat(path, &st) != 0) FAIL("stat %s: %s", path, errname(errno));
	if (!S_ISCHR(st.st_mode)) FAIL("%s is not a character device", path);
	printf("%s: char %d:%d mode %o\n", path, major(st.st_rdev), minor(st.st_rdev), st.st_mode & 0777);
	if ((int)major(st.st_rdev) != maj || (int)minor(st.st_rdev) != min)
		FAIL("%s: want %d:%d", path, maj, min);
}

int main(void)
{
	char buf[4096];
	dev("/dev/null", 1, 3);
	dev("/dev/zero", 1, 5);
	dev("/dev/full", 1, 7);
	dev("/dev/random", 1, 8);
	dev("/dev/urandom", 1, 9);

	int n = OK("open /dev/null", open("/dev/null", O_RDWR));
	EQ("read /dev/null", read(n, buf, sizeof buf), 0);
	EQ("write /dev/null", write(n, buf, sizeof buf), (long)sizeof buf);
	EQ("lseek /dev/null", lseek(n, 100, SEEK_SET), 0);
	EQ("write /dev/null ignores buffer", syscall(SYS_write, n, BADPTR, 10), 10);
	close(n);

	int z = OK("open /dev/zero", open("/dev/zero", O_RDWR));
	memset(buf, 'x', sizeof buf);
	EQ("read /dev/zero", read(z, buf, sizeof buf), (long)sizeof buf);
	int allzero = 1;
	for (size_t i = 0; i < sizeof buf; i++) allzero &= buf[i] == 0;
	YES("zeros", allzero);
	EQ("write /dev/zero", write(z, "abc", 3), 3);
	ERR("read /dev/zero bad buffer", syscall(SYS_read, z, BADPTR, 10), EFAULT);
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
	YES("mmap /dev/zero", m != MAP_FAILED);
	YES("mapping is zero", m[0] == 0 && m[8191] == 0);
	m[100] = 7;
	YES("mapping writable", m[100] == 7);
	munmap(m, 8192);
	close(z);

	int f = OK("open /dev/full", open("/dev/full", O_RDWR));
	ERR("write /dev/full", write(f, "x", 1), ENOSPC);
	buf[0] = 1;
	EQ("read /dev/full", read(f, buf, 16), 16);
	YES("reads zeros", buf[0] == 0 && buf[15] == 0);
	close(f);

	int u = OK("open /dev/urandom", open("/dev/urandom", O_RDONLY));
	char r1[32], r2[32];
	EQ("read urandom", read(u, r1, sizeof r1), 32);
	EQ("read urandom again", read(u, r2, sizeof r2), 32);
	YES("reads differ", memcmp(r1, r2, 32) != 0);
	static char bigr[1 << 20];
	EQ("read 1MiB urandom", read(u, bigr, sizeof bigr), (long)sizeof bigr);
	close(u);
	int rnd = OK("open /dev/random", open("/dev/random", O_RDONLY));
	EQ("read random", read(rnd, r1, sizeof r1), 32);
	close(rnd);
	ERR("open /dev/nonexistent", open("/dev/nonexistent-moat", O_RDONLY), ENOENT);
	return 0;
}
