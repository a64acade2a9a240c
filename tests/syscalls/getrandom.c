//go:build ignore

/* getrandom: getrandom(2): sizes, flags, different results, and EINVAL /
 * EFAULT. */
#include "common.h"
#include <sys/random.h>

#ifndef GRND_INSECURE
#define GRND_INSECURE 4
#endif

int main(void)
{
	unsigned char a[256], b[256];
	EQ("256 bytes", syscall(SYS_getrandom, a, sizeof a, 0), 256);
	EQ("256 more", syscall(SYS_getrandom, b, sizeof b, 0), 256);
	YES("results differ", memcmp(a, b, sizeof a) != 0);
	EQ("0 bytes", syscall(SYS_getrandom, a, 0, 0), 0);
	EQ("GRND_NONBLOCK", syscall(SYS_getrandom, a, 16, GRND_NONBLOCK), 16);
	EQ("GRND_RANDOM", syscall(SYS_getrandom, a, 16, GRND_RANDOM), 16);
	EQ("GRND_INSECURE", syscall(SYS_getrandom, a, 16, GRND_INSECURE), 16);
	ERR("GRND_RANDOM|GRND_INSECURE", syscall(SYS_getrandom, a, 16, GRND_RANDOM | GRND_INSECURE), EINVAL);
	ERR("unknown flag", syscall(SYS_getrandom, a, 16, 0x100), EINVAL);
	ERR("bad buffer", syscall(SYS_getrandom, BADPTR, 16, 0), EFAULT);
	static unsigned char big[1 << 20];
	long n = syscall(SYS_getrandom, big, sizeof big, 0);
	YES("1 MiB request returns > 0 and <= 1 MiB", n > 0 && n <= (long)sizeof big);
	int counts[256] = {0};
	for (long i = 0; i < n; i++) counts[big[i]]++;
	int seen = 0;
	for (int i = 0; i < 256; i++) seen += counts[i] > 0;
	YES("every byte value appears", seen == 256);
	return 0;
}
