//go:build ignore

/* memfd: memfd_create(2) and file seals: an anonymous file that can be
 * written, mapped and sized; F_ADD_SEALS / F_GET_SEALS rules; its
 * /proc/self/fd name; and EINVAL / EFAULT / EPERM. */
#include "common.h"
#include <sys/mman.h>

int main(void)
{
	int fd = OK("memfd_create", syscall(SYS_memfd_create, "moat-test", MFD_CLOEXEC | MFD_ALLOW_SEALING));
	YES("MFD_CLOEXEC", fcntl(fd, F_GETFD) == FD_CLOEXEC);
	char link[256];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	char target[256] = {0};
	OKQ(readlink(link, target, sizeof target - 1));
	SEQ("fd link name", target, "/memfd:moat-test (deleted)");
	EQ("write", write(fd, "memory file", 11), 11);
	struct stat st;
	OKQ(fstat(fd, &st));
	YES("regular file of 11 bytes", S_ISREG(st.st_mode) && st.st_size == 11);
	EQ("mode", st.st_mode & 07777, 0777);
	OKQ(ftruncate(fd, 8192));
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	YES("map shared", m != MAP_FAILED && memcmp(m, "memory file", 11) == 0);
	m[0] = 'M';
	char buf[16] = {0};
	EQ("pread sees mapping", pread(fd, buf, 6, 0), 6);
	SEQ("content", buf, "Memory");
	OKQ(munmap(m, 8192));

	EQ("F_GET_SEALS", fcntl(fd, F_GET_SEALS), 0);
	OK("F_ADD_SEALS grow+shrink", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK));
	EQ("seals", fcntl(fd, F_GET_SEALS), F_SEAL_GROW | F_SEAL_SHRINK);
	ERR("grow when sealed", ftruncate(fd, 16384), EPERM);
	ERR("shrink when sealed", ftruncate(fd, 10), EPERM);
	ERR("write past end when sealed", pwrite(fd, "x", 1, 8192), EPERM);
	EQ("write inside is fine", pwrite(fd, "m", 1, 0), 1);
	OK("F_SEAL_WRITE", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	ERR("write when write-sealed", pwrite(fd, "m", 1, 0), EPERM);
	ERR("shared writable map when write-sealed", (long)mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == -1 ? -1 : 0, EPERM);
	OK("F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	ERR("no more seals", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	close(fd);

	int plain = OK("memfd without sealing", syscall(SYS_memfd_create, "plain", 0));
	EQ("sealing not allowed: F_SEAL_SEAL set", fcntl(plain, F_GET_SEALS), F_SEAL_SEAL);
	ERR("cannot add seals", fcntl(plain, F_ADD_SEALS, F_SEAL_GROW), EPERM);
	close(plain);

	char longname[300];
	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	ERR("name too long", syscall(SYS_memfd_create, longname, 0), EINVAL);
	ERR("bad flags", syscall(SYS_memfd_create, "x", 0x1000), EINVAL);
	ERR("bad name pointer", syscall(SYS_memfd_create, BADPTR, 0), EFAULT);
	return 0;
}
