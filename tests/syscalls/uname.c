//go:build ignore

/* uname: uname(2): the fields that are fixed for an x86-64 Linux ABI
 * (sysname, machine); release/version/nodename differ legitimately, so
 * only their shape is checked. */
#include "common.h"
#include <ctype.h>
#include <sys/utsname.h>

int main(void)
{
	struct utsname u;
	memset(&u, 0xff, sizeof u);
	OK("uname", syscall(SYS_uname, &u));
	SEQ("sysname", u.sysname, "Linux");
	SEQ("machine", u.machine, "x86_64");
	YES("release starts with a digit", isdigit((unsigned char)u.release[0]));
	int maj = 0, min = 0;
	YES("release is major.minor...", sscanf(u.release, "%d.%d", &maj, &min) == 2);
	YES("release >= 4.0", maj >= 4);
	YES("version non-empty", u.version[0] != 0);
	YES("nodename non-empty", u.nodename[0] != 0);
	YES("fields NUL-terminated", memchr(u.sysname, 0, sizeof u.sysname) && memchr(u.nodename, 0, sizeof u.nodename) &&
	    memchr(u.release, 0, sizeof u.release) && memchr(u.version, 0, sizeof u.version) &&
	    memchr(u.machine, 0, sizeof u.machine) && memchr(u.domainname, 0, sizeof u.domainname));
	ERR("bad buffer", syscall(SYS_uname, BADPTR), EFAULT);

	/* /proc/sys/kernel agrees with uname. */
	char buf[256];
	OKQ(read_file("/proc/sys/kernel/ostype", buf, sizeof buf));
	SEQ("ostype", buf, "Linux\n");
	OKQ(read_file("/proc/sys/kernel/osrelease", buf, sizeof buf));
	YES("osrelease matches", strncmp(buf, u.release, strlen(u.release)) == 0);
	return 0;
}
