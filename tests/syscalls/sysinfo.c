//go:build ignore

/* sysinfo: sysinfo(2): only relations that hold on any machine (memory
 * and load figures differ legitimately). */
#include "common.h"
#include <sys/sysinfo.h>

int main(void)
{
	struct sysinfo s;
	memset(&s, 0xff, sizeof s);
	OK("sysinfo", syscall(SYS_sysinfo, &s));
	YES("uptime >= 0", s.uptime >= 0);
	YES("mem_unit >= 1", s.mem_unit >= 1);
	YES("totalram > 0", s.totalram > 0);
	YES("freeram <= totalram", s.freeram <= s.totalram);
	YES("sharedram <= totalram", s.sharedram <= s.totalram);
	YES("bufferram <= totalram", s.bufferram <= s.totalram);
	YES("freeswap <= totalswap", s.freeswap <= s.totalswap);
	YES("procs >= 1", s.procs >= 1);
	YES("freehigh <= totalhigh", s.freehigh <= s.totalhigh);
	YES("at least 16 MiB of RAM", (unsigned long long)s.totalram * s.mem_unit >= 16ULL << 20);
	struct sysinfo t;
	OKQ(syscall(SYS_sysinfo, &t));
	YES("uptime does not go back", t.uptime >= s.uptime);
	ERR("bad buffer", syscall(SYS_sysinfo, BADPTR), EFAULT);
	return 0;
}
