//go:build ignore

/* proc_self: /proc/self as a program sees it: exe, fd and fdinfo, maps,
 * status, stat, cmdline, comm, cwd, environ, root, task, auxv, and the
 * self / thread-self links. PIDs and addresses are compared, not printed. */
#include "common.h"
#include <dirent.h>
#include <elf.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>

extern char **environ;

static char big[65536];

static const char *proc_read(const char *path)
{
	if (read_file(path, big, sizeof big) < 0) FAIL("read %s: %s", path, errname(errno));
	return big;
}

/* field returns the value after "Key:\t" in /proc/self/status. */
static const char *field(const char *status, const char *key)
{
	static char v[256];
	char pat[64];
	snprintf(pat, sizeof pat, "\n%s:\t", key);
	const char *p = strstr(status, pat);
	if (!p && strncmp(status, pat + 1, strlen(pat) - 1) == 0) p = status - 1;
	if (!p) FAIL("status has no %s line", key);
	p += strlen(pat);
	size_t n = strcspn(p, "\n");
	snprintf(v, sizeof v, "%.*s", (int)n, p);
	return v;
}

int main(int argc, char **argv)
{
	(void)argc;
	tmp_enter();
	char buf[PATH_MAX], want[PATH_MAX + 64];
	long pid = getpid(), tid = syscall(SYS_gettid), ppid = getppid();

	long n = OK("readlink /proc/self/exe", readlink("/proc/self/exe", buf, sizeof buf - 1));
	buf[n] = 0;
	YES("exe is argv[0]", strcmp(buf, argv[0]) == 0);
	n = OK("readlink /proc/self", readlink("/proc/self", buf, sizeof buf - 1));
	buf[n] = 0;
	YES("/proc/self -> pid", atol(buf) == pid);
	n = OK("readlink /proc/thread-self", readlink("/proc/thread-self", buf, sizeof buf - 1));
	buf[n] = 0;
	snprintf(want, sizeof want, "%ld/task/%ld", pid, tid);
	YES("/proc/thread-self -> pid/task/tid", strcmp(buf, want) == 0);
	n = OK("readlink /proc/self/root", readlink("/proc/self/root", buf, sizeof buf - 1));
	buf[n] = 0;
	SEQ("root", buf, "/");
	n = OK("readlink /proc/self/cwd", readlink("/proc/self/cwd", buf, sizeof buf - 1));
	buf[n] = 0;
	YES("cwd link is the scratch dir", strcmp(buf, tmp_dir_) == 0);

	/* Descriptors: 0, 1, 2, a file and the directory being read. */
	write_file("pf", "proc");
	int f = OKQ(open("pf", O_RDONLY));
	EQ("file fd", f, 3);
	snprintf(want, sizeof want, "%s/pf", tmp_dir_);
	n = OK("readlink /proc/self/fd/3", readlink("/proc/self/fd/3", buf, sizeof buf - 1));
	buf[n] = 0;
	YES("fd 3 names the file", strcmp(buf, want) == 0);
	DIR *d = opendir("/proc/self/fd");
	if (!d) FAIL("opendir /proc/self/fd: %s", errname(errno));
	int fds[64], nfds = 0;
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.' && nfds < 64) fds[nfds++] = atoi(e->d_name);
	closedir(d);
	for (int i = 0; i < nfds; i++)
		for (int j = i + 1; j < nfds; j++)
			if (fds[j] < fds[i]) { int t = fds[i]; fds[i] = fds[j]; fds[j] = t; }
	printf("fds:");
	for (int i = 0; i < nfds; i++) printf(" %d", fds[i]);
	printf("\n");
	YES("fds are 0 1 2 3 4", nfds == 5 && fds[0] == 0 && fds[4] == 4);
	struct stat st;
	OKQ(fstat(1, &st));
	YES("stdout is a FIFO", S_ISFIFO(st.st_mode));
	n = OK("readlink /proc/self/fd/1", readlink("/proc/self/fd/1", buf, sizeof buf - 1));
	buf[n] = 0;
	YES("fd 1 link is pipe:[...]", strncmp(buf, "pipe:[", 6) == 0);
	int again = OK("reopen via /proc/self/fd/3", open("/proc/self/fd/3", O_RDONLY));
	EQ("reopened file reads", read(again, buf, 4), 4);
	close(again);
	lseek(f, 2, SEEK_SET);
	proc_read("/proc/self/fdinfo/3");
	YES("fdinfo pos", strncmp(big, "pos:\t2\n", 7) == 0);
	YES("fdinfo flags line", strstr(big, "\nflags:\t") != NULL);

	/* Memory map: the program, a fresh mapping, the stack, vdso, heap. */
	void *cur = sbrk(0);
	OKQ(brk((char *)cur + 8192));
	char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	proc_read("/proc/self/maps");
	snprintf(want, sizeof want, "%lx-%lx rw-p 00000000 00:00 0", (unsigned long)m, (unsigned long)m + 3 * 4096);
	YES("maps has the new mapping", strstr(big, want) != NULL);
	int exe_x = 0;
	for (char *line = big; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		size_t len = strcspn(line, "\n");
		char l[512];
		snprintf(l, sizeof l, "%.*s", (int)len, line);
		if (strstr(l, " r-xp ") && strstr(l, argv[0])) exe_x = 1;
	}
	YES("maps has the program's code", exe_x);
	YES("maps has [stack]", strstr(big, "[stack]\n") != NULL);
	YES("maps has [heap]", strstr(big, "[heap]\n") != NULL);
	YES("maps has [vdso]", strstr(big, "[vdso]\n") != NULL);

	/* status and stat. */
	char status[8192];
	snprintf(status, sizeof status, "%s", proc_read("/proc/self/status"));
	SEQ("status Name", field(status, "Name"), "proc_self");
	YES("status Pid", atol(field(status, "Pid")) == pid);
	YES("status Tgid", atol(field(status, "Tgid")) == pid);
	YES("status PPid", atol(field(status, "PPid")) == ppid);
	SEQ("status State", field(status, "State"), "R (running)");
	SEQ("status Uid", field(status, "Uid"), "0\t0\t0\t0");
	SEQ("status Gid", field(status, "Gid"), "0\t0\t0\t0");
	SEQ("status Threads", field(status, "Threads"), "1");
	proc_read("/proc/self/stat");
	long spid = 0, sppid = 0;
	char comm[64] = "", state = 0;
	YES("stat parses", sscanf(big, "%ld (%63[^)]) %c %ld", &spid, comm, &state, &sppid) == 4);
	YES("stat pid", spid == pid);
	SEQ("stat comm", comm, "proc_self");
	EQ("stat state", state, 'R');
	YES("stat ppid", sppid == ppid);

	/* cmdline, comm, environ. */
	n = read_file("/proc/self/cmdline", big, sizeof big);
	YES("cmdline is argv[0] and NUL", n == (long)strlen(argv[0]) + 1 && strcmp(big, argv[0]) == 0);
	SEQ("comm", proc_read("/proc/self/comm"), "proc_self\n");
	int c = OKQ(open("/proc/self/comm", O_WRONLY));
	EQ("write comm", write(c, "renamed-by-test", 15), 15);
	close(c);
	SEQ("comm after write", proc_read("/proc/self/comm"), "renamed-by-test\n");
	char pname[17] = {0};
	prctl(PR_GET_NAME, pname);
	SEQ("PR_GET_NAME", pname, "renamed-by-test");
	n = read_file("/proc/self/environ", big, sizeof big);
	long off = 0;
	int i = 0;
	for (; off < n; i++) {
		printf("environ: %s\n", big + off);
		if (!environ[i] || strcmp(environ[i], big + off) != 0) FAIL("environ entry %d differs", i);
		off += strlen(big + off) + 1;
	}
	YES("environ matches", environ[i] == NULL);

	/* task, auxv. */
	d = opendir("/proc/self/task");
	int ntask = 0, task_ok = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.') { ntask++; task_ok = atol(e->d_name) == tid; }
	if (d) closedir(d);
	YES("one task, the main thread", ntask == 1 && task_ok);
	n = read_file("/proc/self/auxv", big, sizeof big);
	YES("auxv size is a multiple of 16", n > 0 && n % 16 == 0);
	int pagesz = 0, random_ok = 0, ehdr_ok = 0, phdr_ok = 0;
	for (Elf64_auxv_t *a = (Elf64_auxv_t *)big; (char *)a < big + n && a->a_type != AT_NULL; a++) {
		if (a->a_type == AT_PAGESZ) pagesz = a->a_un.a_val == 4096;
		if (a->a_type == AT_RANDOM) random_ok = a->a_un.a_val == getauxval(AT_RANDOM);
		if (a->a_type == AT_SYSINFO_EHDR) ehdr_ok = a->a_un.a_val != 0 && a->a_un.a_val == getauxval(AT_SYSINFO_EHDR);
		if (a->a_type == AT_PHDR) phdr_ok = a->a_un.a_val == getauxval(AT_PHDR);
	}
	YES("auxv AT_PAGESZ 4096", pagesz);
	YES("auxv AT_RANDOM matches getauxval", random_ok);
	YES("auxv AT_SYSINFO_EHDR set", ehdr_ok);
	YES("auxv AT_PHDR matches getauxval", phdr_ok);
	SEQ("AT_EXECFN", (const char *)getauxval(AT_EXECFN) && strcmp((const char *)getauxval(AT_EXECFN), argv[0]) == 0 ? "argv[0]" : "other", "argv[0]");
	ERR("missing /proc/self entry", open("/proc/self/no-such-entry", O_RDONLY), ENOENT);
	return 0;
}
