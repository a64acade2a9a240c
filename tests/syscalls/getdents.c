//go:build ignore

/* getdents: getdents64(2): names and types of a directory, small buffers,
 * rewinding, many entries, and EBADF/ENOTDIR/EINVAL/EFAULT. */
#include "common.h"
#include <dirent.h>

struct d64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* list reads the whole directory with buffers of bufsize bytes and
 * returns the number of entries; names and types go to out (sorted). */
static int list(int fd, size_t bufsize, char **out, int max)
{
	static char buf[65536];
	int n = 0;
	for (;;) {
		long r = syscall(SYS_getdents64, fd, buf, bufsize);
		if (r < 0) FAIL("getdents64: %s", errname(errno));
		if (r == 0) break;
		for (long off = 0; off < r;) {
			struct d64 *d = (struct d64 *)(buf + off);
			if (n < max && out) {
				char *s = malloc(strlen(d->name) + 8);
				sprintf(s, "%s:%s", d->name,
					d->type == DT_DIR ? "dir" : d->type == DT_REG ? "reg" :
					d->type == DT_LNK ? "lnk" : d->type == DT_FIFO ? "fifo" : "other");
				out[n] = s;
			}
			n++;
			if (d->reclen == 0 || d->reclen % 8 != 0) FAIL("bad reclen %d", d->reclen);
			off += d->reclen;
		}
	}
	if (out) qsort(out, n < max ? n : max, sizeof *out, cmp);
	return n;
}

int main(void)
{
	tmp_enter();
	OKQ(mkdir("d", 0755));
	write_file("d/file", "x");
	OKQ(mkdir("d/sub", 0755));
	OKQ(symlink("file", "d/link"));
	OKQ(mkfifo("d/fifo", 0644));

	int fd = OK("open dir", open("d", O_RDONLY | O_DIRECTORY));
	char *names[16];
	static char small_end[256];
	int n = list(fd, 4096, names, 16);
	EQ("entries", n, 6);
	for (int i = 0; i < n; i++) printf("entry: %s\n", names[i]);
	EQ("again at end", syscall(SYS_getdents64, fd, small_end, sizeof small_end), 0);
	EQ("rewind", lseek(fd, 0, SEEK_SET), 0);
	EQ("entries after rewind", list(fd, 4096, NULL, 0), 6);

	char small[8];
	lseek(fd, 0, SEEK_SET);
	ERR("buffer too small", syscall(SYS_getdents64, fd, small, sizeof small), EINVAL);
	ERR("bad buffer", syscall(SYS_getdents64, fd, BADPTR, 4096), EFAULT);
	ERR("bad fd", syscall(SYS_getdents64, 9999, small, sizeof small), EBADF);
	int f = OKQ(open("d/file", O_RDONLY));
	ERR("regular file", syscall(SYS_getdents64, f, small_end, sizeof small_end), ENOTDIR);
	close(f);
	close(fd);

	/* Many entries read through a buffer that holds only a few. */
	OKQ(mkdir("many", 0755));
	char p[64];
	for (int i = 0; i < 300; i++) {
		snprintf(p, sizeof p, "many/entry-with-a-longish-name-%03d", i);
		write_file(p, "");
	}
	fd = OKQ(open("many", O_RDONLY | O_DIRECTORY));
	EQ("300 files + . + .. in 200-byte reads", list(fd, 200, NULL, 0), 302);
	close(fd);

	/* Entries removed while the directory is open disappear on rewind. */
	fd = OKQ(open("d", O_RDONLY | O_DIRECTORY));
	OKQ(unlink("d/file"));
	EQ("entries after unlink", list(fd, 4096, NULL, 0), 5);
	close(fd);

	/* Reading a removed directory fails with ENOENT. */
	OKQ(mkdir("gone", 0755));
	fd = OKQ(open("gone", O_RDONLY | O_DIRECTORY));
	OKQ(rmdir("gone"));
	ERR("removed dir", syscall(SYS_getdents64, fd, small_end, sizeof small_end), ENOENT);
	close(fd);
	return 0;
}
