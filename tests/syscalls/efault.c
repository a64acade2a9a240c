//go:build ignore

/* efault: bad user pointers (page 0, a just-unmapped page, a read-only
 * page written by the kernel, a kernel address, a non-canonical address)
 * give EFAULT from many system calls, never a crash; a buffer that runs
 * into an unmapped page gives a short transfer. */
#include "common.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>

#define PG 4096L

int main(void)
{
	tmp_enter();
	write_file("f", "0123456789");
	int fd = OKQ(open("f", O_RDWR));

	char *ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* Kept unmapped: nothing below maps memory before its last use. */
	char *gone = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	OKQ(munmap(gone, PG));
	void *kernel = (void *)0xffffffff81000000UL;
	void *noncanon = (void *)0x0000800000000000UL;
	struct { const char *name; void *p; } bad[] = {
		{ "page0", BADPTR }, { "unmapped", gone }, { "kernel", kernel }, { "noncanonical", noncanon },
	};
	char label[128];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		void *b = bad[i].p;
#define T(what, expr) do { snprintf(label, sizeof label, "%s %s", what, bad[i].name); ERR(label, expr, EFAULT); } while (0)
		T("read into", syscall(SYS_pread64, fd, b, 4, 0L));
		T("write from", syscall(SYS_pwrite64, fd, b, 4, 0L));
		T("open path", syscall(SYS_open, b, O_RDONLY));
		T("stat path", syscall(SYS_stat, b, b));
		T("fstat buf", syscall(SYS_fstat, fd, b));
		T("getcwd buf", syscall(SYS_getcwd, b, 64));
		T("uname buf", syscall(SYS_uname, b));
		T("sysinfo buf", syscall(SYS_sysinfo, b));
		T("getrandom buf", syscall(SYS_getrandom, b, 8, 0));
		T("clock_gettime buf", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, b));
		T("gettimeofday buf", syscall(SYS_gettimeofday, b, NULL));
		T("getrusage buf", syscall(SYS_getrusage, RUSAGE_SELF, b));
		T("getrlimit buf", syscall(SYS_getrlimit, RLIMIT_NOFILE, b));
		T("prlimit64 new", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, b, NULL));
		T("sched_getaffinity mask", syscall(SYS_sched_getaffinity, 0, 128, b));
		T("rt_sigaction act", syscall(SYS_rt_sigaction, SIGUSR1, b, NULL, 8));
		T("rt_sigprocmask set", syscall(SYS_rt_sigprocmask, SIG_BLOCK, b, NULL, 8));
		T("readv iov", syscall(SYS_readv, fd, b, 1));
		T("pipe2 fds", syscall(SYS_pipe2, b, 0));
		T("nanosleep req", syscall(SYS_nanosleep, b, NULL));
		T("statfs buf", syscall(SYS_statfs, ".", b));
		T("readlink buf", syscall(SYS_readlink, "/proc/self/exe", b, 64));
		T("times buf", syscall(SYS_times, b));
		T("time buf", syscall(SYS_time, b));
#undef T
	}

	/* The kernel writing into a read-only page. */
	ERR("read into read-only page", syscall(SYS_pread64, fd, ro, 4, 0L), EFAULT);
	ERR("fstat into read-only page", syscall(SYS_fstat, fd, ro), EFAULT);
	ERR("clock_gettime into read-only page", syscall(SYS_clock_gettime, CLOCK_REALTIME, ro), EFAULT);
	ERR("read into text", syscall(SYS_pread64, fd, (void *)main, 4, 0L), EFAULT);

	/* A path string that runs into an unmapped page. */
	char *two = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	OKQ(munmap(two + PG, PG));
	memset(two, 'a', PG);
	ERR("unterminated path at end of mapping", syscall(SYS_open, two + PG - 8, O_RDONLY), EFAULT);
	two[PG - 1] = 0;
	ERR("terminated path at end of mapping", syscall(SYS_open, two + PG - 8, O_RDONLY), ENOENT);

	/* Buffers that run into an unmapped page: a short transfer. */
	EQ("pread across into unmapped page", syscall(SYS_pread64, fd, two + PG - 4, 10, 0L), 4);
	YES("bytes before the hole", memcmp(two + PG - 4, "0123", 4) == 0);
	memcpy(two + PG - 3, "xyz", 3);
	EQ("pwrite across from unmapped page", syscall(SYS_pwrite64, fd, two + PG - 3, 10, 0L), 3);
	char buf[16] = {0};
	OKQ(read_file("f", buf, sizeof buf));
	SEQ("file after short pwrite", buf, "xyz3456789");
	struct iovec iov[2] = { { buf, 2 }, { BADPTR, 2 } };
	EQ("readv stops at bad second iovec", syscall(SYS_preadv, fd, iov, 2, 0L, 0L), 2);

	/* Nothing above crashed; descriptors still work. */
	EQ("fd still fine", pread(fd, buf, 3, 0), 3);
	return 0;
}
