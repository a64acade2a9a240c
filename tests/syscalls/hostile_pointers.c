//go:build ignore

/* hostile_pointers: wild pointers and lengths: kernel and non-canonical
 * addresses, ranges that wrap around, read-only and PROT_NONE pages, the
 * vDSO's own page, zero-length transfers with bad pointers, and huge
 * counts on valid buffers. Each must give the error Linux gives (EFAULT,
 * EINVAL, ...) or Linux's result, never a crash. */
#include "common.h"
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>

#define PG 4096L

int main(void)
{
	tmp_enter();
	write_file("f", "0123456789");
	int fd = OKQ(open("f", O_RDWR));
	char buf[64];
	struct stat st;

	static void *const wild[] = {
		(void *)0xffffffffffffffffUL, (void *)0xffffffff80000000UL, (void *)0xffff888000000000UL,
		(void *)0x0000800000000000UL, (void *)0x00007ffffffff000UL, (void *)0x8000000000000000UL,
		(void *)0xfff, (void *)0x10000,
	};
	char label[128];
	for (size_t i = 0; i < sizeof wild / sizeof wild[0]; i++) {
		void *w = wild[i];
		snprintf(label, sizeof label, "read into %p", w);
		ERR(label, syscall(SYS_pread64, fd, w, 8, 0L), EFAULT);
		snprintf(label, sizeof label, "write from %p", w);
		ERR(label, syscall(SYS_pwrite64, fd, w, 8, 0L), EFAULT);
		snprintf(label, sizeof label, "stat path %p", w);
		ERR(label, syscall(SYS_stat, w, &st), EFAULT);
		snprintf(label, sizeof label, "fstat into %p", w);
		ERR(label, syscall(SYS_fstat, fd, w), EFAULT);
		snprintf(label, sizeof label, "writev iovec %p", w);
		ERR(label, syscall(SYS_writev, fd, w, 1), EFAULT);
	}

	/* A range that wraps around the top of the address space. */
	ERR("read into range wrapping past 2^64", syscall(SYS_read, fd, (void *)0xfffffffffffffff0UL, 64), EFAULT);
	ERR("read into range crossing 2^47", syscall(SYS_pread64, fd, (void *)(0x800000000000UL - 4), 8, 0L), EFAULT);

	/* Zero-length transfers never touch a user buffer... */
	EQ("read 0 bytes into page 0", syscall(SYS_read, fd, BADPTR, 0), 0);
	/* ...but a kernel address fails the range check even for 0 bytes. */
	ERR("read 0 bytes into a kernel address", syscall(SYS_read, fd, (void *)0xffffffff80000000UL, 0), EFAULT);
	EQ("write 0 bytes from a wild pointer", syscall(SYS_write, fd, BADPTR, 0), 0);
	EQ("readv with 0 iovecs at a wild pointer", syscall(SYS_readv, fd, BADPTR, 0), 0);

	/* Huge counts on a valid buffer: when buffer+count stays below the
	 * top of user space, Linux caps the count and reads what the file
	 * has; otherwise the range check fails first. (bss of this non-PIE
	 * program is far below 2^47 - 2^40.) */
	static char bssbuf[64];
	lseek(fd, 0, SEEK_SET);
	EQ("read 2^40 bytes of a 10-byte file", syscall(SYS_read, fd, bssbuf, 1UL << 40), 10);
	EQ("pread 2^40 bytes at 0", syscall(SYS_pread64, fd, bssbuf, 1UL << 40, 0L), 10);
	ERR("read SIZE_MAX bytes", syscall(SYS_pread64, fd, bssbuf, SIZE_MAX, 0L), EFAULT);
	ERR("read 2^62 bytes", syscall(SYS_pread64, fd, bssbuf, 1UL << 62, 0L), EFAULT);

	/* Pages the kernel may not write: read-only, PROT_NONE, the vDSO. */
	char *ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *none = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *vdso = (void *)getauxval(AT_SYSINFO_EHDR);
	ERR("read into read-only page", syscall(SYS_pread64, fd, ro, 8, 0L), EFAULT);
	ERR("read into PROT_NONE page", syscall(SYS_pread64, fd, none, 8, 0L), EFAULT);
	ERR("write from PROT_NONE page", syscall(SYS_pwrite64, fd, none, 8, 0L), EFAULT);
	ERR("open path in PROT_NONE page", syscall(SYS_open, none, O_RDONLY), EFAULT);
	ERR("clock_gettime into the vDSO", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, vdso), EFAULT);
	ERR("read into the vDSO", syscall(SYS_pread64, fd, vdso, 8, 0L), EFAULT);
	EQ("write from the vDSO (readable)", syscall(SYS_pwrite64, fd, vdso, 4, 0L), 4);
	ERR("fstat straddling into a read-only page", syscall(SYS_fstat, fd, ro - 16), EFAULT);
	ERR("readlink into text", syscall(SYS_readlink, "/proc/self/exe", (void *)main, 16), EFAULT);

	/* iovecs that point at themselves or at bad memory later on. */
	struct iovec self[2];
	self[0].iov_base = self;
	self[0].iov_len = sizeof self;
	self[1].iov_base = (void *)0xffffffff80000000UL;
	self[1].iov_len = 8;
	long rr = syscall(SYS_preadv, fd, self, 2, 0L, 0L);
	YES("readv overwriting its own iovec does not crash", rr == 10 || rr == -1);

	/* Memory-management calls on kernel addresses. */
	ERR("munmap kernel address", syscall(SYS_munmap, 0xffffffff80000000UL, PG), EINVAL);
	ERR("mprotect kernel address", syscall(SYS_mprotect, 0xffffffff80000000UL, PG, PROT_READ), ENOMEM);
	ERR("madvise kernel address", syscall(SYS_madvise, 0xffffffff80000000UL, PG, MADV_DONTNEED), ENOMEM);
	ERR("mremap kernel address", syscall(SYS_mremap, 0xffffffff80000000UL, PG, PG, 0), EFAULT);
	ERR("MAP_FIXED at a kernel address", syscall(SYS_mmap, 0xffffffff80000000UL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
	void *h = (void *)syscall(SYS_mmap, 0xffffffff80000000UL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	YES("a kernel-address hint is ignored", h != MAP_FAILED && (uintptr_t)h < 0x800000000000UL);
	uintptr_t cur = syscall(SYS_brk, 0);
	YES("brk to a kernel address is refused", (uintptr_t)syscall(SYS_brk, 0xffffffff80000000UL) == cur);
	EQ("descriptor still works", pread(fd, buf, 4, 0), 4);
	return 0;
}
