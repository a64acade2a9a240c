//go:build ignore

/* personality: personality(2) queries with 0xffffffff and sets anything
 * else, returning the old value; fork keeps it and execve keeps it but
 * READ_IMPLIES_EXEC; /proc/self/personality shows it; ADDR_NO_RANDOMIZE
 * makes two execs of the same program lay out their stack, heap and
 * mmap areas at the same addresses (with randomisation they differ);
 * PER_LINUX32 makes uname's machine i686. */
#include "common.h"
#include <sys/personality.h>
#include <sys/utsname.h>
#include <sys/mman.h>
#include <sys/wait.h>

static long query(void) { return syscall(SYS_personality, 0xffffffffUL); }

/* layout runs this program as "layout" and returns what it printed: the
 * personality it started with and three addresses. */
static void layout(char *out, size_t n)
{
	int p[2];
	OKQ(pipe(p));
	pid_t c = fork();
	if (c == 0) {
		dup2(p[1], 1);
		execl("/proc/self/exe", "personality", "layout", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	ssize_t r = read(p[0], out, n - 1);
	out[r < 0 ? 0 : r] = 0;
	close(p[0]);
	int st;
	OKQ(waitpid(c, &st, 0));
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		int local;
		void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		printf("%lx %p %p %p\n", query(), (void *)&local, sbrk(0), m);
		return 0;
	}
	EQ("initial", query(), 0L);
	EQ("set ADDR_NO_RANDOMIZE returns the old", syscall(SYS_personality, (unsigned long)(PER_LINUX | ADDR_NO_RANDOMIZE)), 0L);
	EQ("query", query(), (long)ADDR_NO_RANDOMIZE);
	char buf[64];
	OKQ(read_file("/proc/self/personality", buf, sizeof buf));
	printf("/proc/self/personality: %s", buf);

	pid_t c = fork();
	if (c == 0)
		_exit(query() == ADDR_NO_RANDOMIZE ? 0 : 1);
	int st;
	OKQ(waitpid(c, &st, 0));
	YES("fork keeps it", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	char a[128], b[128];
	layout(a, sizeof a);
	layout(b, sizeof b);
	YES("exec keeps it", strncmp(a, "40000 ", 6) == 0);
	YES("two execs without randomisation: same layout", strcmp(a, b) == 0);

	OK("set READ_IMPLIES_EXEC too", syscall(SYS_personality, (unsigned long)(ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC)));
	layout(a, sizeof a);
	YES("exec drops READ_IMPLIES_EXEC", strncmp(a, "40000 ", 6) == 0);

	OK("back to PER_LINUX", syscall(SYS_personality, (unsigned long)PER_LINUX));
	layout(a, sizeof a);
	layout(b, sizeof b);
	YES("with randomisation: layouts differ", strcmp(a, b) != 0);

	struct utsname u;
	OK("PER_LINUX32", syscall(SYS_personality, (unsigned long)PER_LINUX32));
	OKQ(uname(&u));
	SEQ("machine under PER_LINUX32", u.machine, "i686");
	OK("PER_LINUX", syscall(SYS_personality, (unsigned long)PER_LINUX));
	OKQ(uname(&u));
	SEQ("machine", u.machine, "x86_64");
	return 0;
}
