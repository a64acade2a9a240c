//go:build ignore

/* execve: execve(2): arguments and environment reach the new program,
 * close-on-exec descriptors close and others stay, handled signals reset
 * while ignored ones and the mask stay, "#!" scripts get the interpreter
 * arguments, and ENOENT / EACCES / ENOEXEC / ENOTDIR / ELOOP / EFAULT /
 * E2BIG. The program re-executes itself. It is the parent only when it
 * has no arguments, no MOAT_EXECVE_CHILD variable and a working directory
 * outside its scratch directory; otherwise it is a child and never execs
 * again, so neither a mistake here nor a kernel that mangles argv or envp
 * can make it recurse. */
#include "common.h"
#include <sys/wait.h>

static int child(int argc, char **argv, char **envp)
{
	printf("child argc: %d\n", argc);
	for (int i = 1; i < argc; i++) printf("child argv[%d]: \"%s\"\n", i, argv[i]);
	for (char **e = envp; *e; e++) printf("child env: %s\n", *e);
	if (argc >= 5 && strcmp(argv[1], "child") == 0 && strcmp(argv[2], "fds") == 0) {
		int keep = atoi(argv[3]), gone = atoi(argv[4]);
		YES("child: plain fd survived exec", fcntl(keep, F_GETFD) == 0);
		YES("child: O_CLOEXEC fd closed", fcntl(gone, F_GETFD) == -1 && errno == EBADF);
		struct sigaction sa;
		sigaction(SIGUSR1, NULL, &sa);
		YES("child: ignored signal stays ignored", sa.sa_handler == SIG_IGN);
		sigaction(SIGUSR2, NULL, &sa);
		YES("child: handled signal reset to default", sa.sa_handler == SIG_DFL);
		sigset_t m;
		sigprocmask(SIG_BLOCK, NULL, &m);
		YES("child: blocked mask kept", sigismember(&m, SIGTERM));
		char exe[PATH_MAX];
		long n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		YES("child: /proc/self/exe is this program", n > 0);
	}
	return 5;
}

static void on_usr2(int sig) { (void)sig; }

/* run forks, execs path with argv/envp in the child, and returns the
 * child's exit status (or -errno of a failed execve, sent back as an exit
 * status of 100+errno). */
static int run(const void *path, const void *argv, const void *envp)
{
	long parent = getpid();
	pid_t c = fork();
	if (c < 0) FAIL("fork: %s", errname(errno));
	if (c > 0 && getpid() != parent) _exit(99); /* a broken fork: never run on */
	if (c == 0) {
		syscall(SYS_execve, path, argv, envp);
		_exit(100 + errno);
	}
	int st;
	if (waitpid(c, &st, 0) != c) FAIL("waitpid: %s", errname(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

/* outcome names run's result: "exit N" or the execve errno's name. */
static const char *outcome(int r)
{
	static char buf[32];
	if (r >= 100) return errname(r - 100);
	snprintf(buf, sizeof buf, "exit %d", r);
	return buf;
}

int main(int argc, char **argv, char **envp)
{
	char cwd[PATH_MAX];
	int in_scratch = getcwd(cwd, sizeof cwd) && strncmp(cwd, "/tmp/moat-sc-", 13) == 0;
	if (argc != 1 || getenv("MOAT_EXECVE_CHILD") || in_scratch) return child(argc, argv, envp);
	const char *self = argv[0];
	tmp_enter();

	char *a1[] = { "name-is-ignored", "child", "two words", "", NULL };
	char *e1[] = { "A=1", "EMPTY=", "NOEQUALS", "MOAT_EXECVE_CHILD=1", NULL };
	EQ("exec self: exit status", run(self, a1, e1), 5);

	int keep = OKQ(open("/dev/null", O_RDONLY));
	int gone = OKQ(open("/dev/null", O_RDONLY | O_CLOEXEC));
	char ks[16], gs[16];
	snprintf(ks, sizeof ks, "%d", keep);
	snprintf(gs, sizeof gs, "%d", gone);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, on_usr2);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGTERM);
	sigprocmask(SIG_BLOCK, &m, NULL);
	char *a2[] = { "x", "child", "fds", ks, gs, NULL };
	char *e0[] = { "MOAT_EXECVE_CHILD=1", NULL };
	EQ("exec with fds and signals", run(self, a2, e0), 5);

	/* A "#!" script whose interpreter is this program. */
	char script[PATH_MAX + 32];
	/* Everything after the interpreter path is one argument. */
	snprintf(script, sizeof script, "#!%s  child interp-arg  \n", self);
	write_file("script", script);
	OKQ(chmod("script", 0755));
	char *a3[] = { "script-argv0", "s1", NULL };
	EQ("exec #! script", run("./script", a3, e0), 5);
	write_file("noexec", "#!/bin/sh\n");
	write_file("junk", "\x7f" "ELF junk that is not an executable");
	OKQ(chmod("junk", 0755));
	OKQ(mkdir("dir", 0755));
	OKQ(symlink("loop", "loop"));
	write_file("badinterp", "#!/nonexistent/interpreter\n");
	OKQ(chmod("badinterp", 0755));

	char *a4[] = { "x", NULL };
	SEQ("ENOENT", outcome(run("./missing", a4, e0)), "ENOENT");
	SEQ("EACCES (no x bit)", outcome(run("./noexec", a4, e0)), "EACCES");
	SEQ("EACCES (directory)", outcome(run("./dir", a4, e0)), "EACCES");
	SEQ("ENOEXEC (junk)", outcome(run("./junk", a4, e0)), "ENOEXEC");
	SEQ("ENOTDIR", outcome(run("./junk/x", a4, e0)), "ENOTDIR");
	SEQ("ELOOP", outcome(run("./loop", a4, e0)), "ELOOP");
	SEQ("ENOENT (missing interpreter)", outcome(run("./badinterp", a4, e0)), "ENOENT");
	SEQ("EFAULT (path)", outcome(run(BADPTR, a4, e0)), "EFAULT");
	SEQ("EFAULT (argv)", outcome(run(self, BADPTR, e0)), "EFAULT");
	char *a5[] = { "x", BADPTR, NULL };
	SEQ("EFAULT (argv string)", outcome(run(self, a5, e0)), "EFAULT");
	static char huge[200 * 1024];
	memset(huge, 'h', sizeof huge - 1);
	char *a6[] = { "x", huge, NULL };
	SEQ("E2BIG (one 200 KiB argument)", outcome(run(self, a6, e0)), "E2BIG");
	return 0;
}
