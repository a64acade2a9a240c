//go:build proc_e2e

// These end-to-end tests run programs in a sentry built by the boot
// package, which mounts this /proc, and check what they saw. It depends on most of the sentry, so it is behind a build
// tag: go test -tags proc_e2e ./sentry/fs/proc/ (as root, with gcc).

package proc_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/boot"
	"moat/sentry/control"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

// runInSandbox compiles the C file src statically and runs it as /prog
// with argv in a sentry with this /proc at /proc, and returns its exit
// code and output.
func runInSandbox(t *testing.T, src string, argv ...string) (int, string) {
	t.Helper()
	if unix.Geteuid() != 0 {
		t.Skip("needs root")
	}
	bin := filepath.Join(t.TempDir(), "prog")
	if out, err := exec.Command("gcc", "-static", "-O1", "-I", filepath.Dir(src), "-o", bin, src).CombinedOutput(); err != nil {
		t.Skipf("gcc: %v\n%s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	root := func(v *vfs.VirtualFilesystem) (*vfs.Filesystem, error) {
		fs := tmpfs.New(v, tmpfs.Options{RootMode: 0o755})
		if _, errno := v.MountRoot(fs, vfs.MountFlags{}); errno != 0 {
			return nil, errno
		}
		ctx := vfs.RootContext()
		r := v.Root()
		for _, d := range []string{"/tmp", "/dev", "/proc"} {
			if errno := v.MkdirAt(ctx, &vfs.PathOp{Root: r, Start: r, Path: d}, 0o755); errno != 0 {
				return nil, errno
			}
		}
		f, errno := v.OpenAt(ctx, &vfs.PathOp{Root: r, Start: r, Path: argv[0]}, unix.O_CREAT|unix.O_WRONLY, 0o755)
		if errno != 0 {
			return nil, errno
		}
		defer f.DecRef()
		if _, errno := f.Write(ctx, data); errno != 0 {
			return nil, errno
		}
		return fs, nil
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	// The sandbox owns (and closes) its stdio fds: give it copies.
	var stdio []int
	for _, fd := range []uintptr{os.Stdin.Fd(), pw.Fd(), pw.Fd()} {
		d, err := unix.Dup(int(fd))
		if err != nil {
			t.Fatal(err)
		}
		stdio = append(stdio, d)
	}
	s, err := boot.New(boot.Config{Platform: "ptrace"}, control.BootArgs{
		Argv: argv, Env: []string{"A=1", "B=two"}, Cwd: "/", TmpOnTmp: true, CPUs: 2,
	}, root, stdio)
	if err != nil {
		t.Fatal(err)
	}
	// boot.New mounts procfs on /proc (proc.SnapshotHost, proc.New).
	outc := make(chan string)
	go func() {
		b, _ := io.ReadAll(pr)
		outc <- string(b)
	}()
	if errno, err := s.Start(); errno != 0 || err != nil {
		t.Fatalf("start: %v %v", errno, err)
	}
	st := s.Wait()
	pw.Close()
	return st.ShellCode(), <-outc
}

func TestProcSelfInSandbox(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "../../../tests/syscalls/proc_self.c")
	code, out := runInSandbox(t, src, "/proc_self")
	if code != 0 || strings.Contains(out, "FAIL") {
		t.Errorf("proc_self exited %d:\n%s", code, out)
	}
}

// catC prints each file named on its command line, or the target of a
// symlink, or the names in a directory.
const catC = `
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
int main(int argc, char **argv) {
	char buf[1 << 16];
	for (int i = 1; i < argc; i++) {
		struct stat st;
		printf("==> %s", argv[i]);
		if (lstat(argv[i], &st) != 0) { perror(" lstat"); continue; }
		printf(" (mode %o uid %d)\n", st.st_mode, st.st_uid);
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(argv[i], buf, sizeof buf - 1);
			if (n < 0) { perror("readlink"); continue; }
			buf[n] = 0;
			printf("-> %s\n", buf);
		} else if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			if (!d) { perror("opendir"); continue; }
			for (struct dirent *e; (e = readdir(d));) printf("%s ", e->d_name);
			printf("\n");
			closedir(d);
		} else {
			int fd = open(argv[i], O_RDONLY);
			if (fd < 0) { perror("open"); continue; }
			ssize_t n;
			while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);
			close(fd);
		}
	}
	return 0;
}
`

func TestDumpInSandbox(t *testing.T) {
	src := filepath.Join(t.TempDir(), "cat.c")
	if err := os.WriteFile(src, []byte(catC), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []string{"/proc", "/proc/self", "/proc/self/", "/proc/self/status", "/proc/self/stat", "/proc/self/statm",
		"/proc/self/limits", "/proc/self/mounts", "/proc/self/mountinfo", "/proc/self/maps", "/proc/self/fd/",
		"/proc/self/fdinfo/1", "/proc/self/exe", "/proc/self/cgroup", "/proc/self/oom_score_adj", "/proc/self/task/",
		"/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/proc/uptime", "/proc/loadavg", "/proc/version", "/proc/mounts",
		"/proc/sys/kernel/hostname", "/proc/sys/kernel/random/boot_id", "/proc/1/cmdline", "/proc/2"}
	code, out := runInSandbox(t, src, append([]string{"/cat"}, files...)...)
	t.Logf("exit %d:\n%s", code, out)
	for _, want := range []string{"/proc/self/mounts (mode 100444", "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n", "Name:\tcat\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// procsC starts a thread and a child process and prints what /proc shows
// of them.
const procsC = `
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
static int pfd[2];
static void *thread(void *arg) { char c; read(pfd[0], &c, 1); return arg; }
static void show(const char *path) {
	char buf[8192];
	int fd = open(path, O_RDONLY);
	if (fd < 0) { printf("%s: open failed\n", path); return; }
	int n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) n = 0;
	buf[n] = 0;
	for (int i = 0; i < n; i++) if (buf[i] == 0) buf[i] = ' ';
	printf("%s: %s%s", path, buf, n && buf[n-1] == '\n' ? "" : "\n");
}
static void list(const char *path) {
	DIR *d = opendir(path);
	printf("ls %s:", path);
	for (struct dirent *e; d && (e = readdir(d));) if (e->d_name[0] >= '0' && e->d_name[0] <= '9') printf(" %s", e->d_name);
	printf("\n");
	if (d) closedir(d);
}
int main(void) {
	pipe(pfd);
	pthread_t th;
	pthread_create(&th, NULL, thread, NULL);
	pid_t child = fork();
	if (child == 0) { char c; read(pfd[0], &c, 1); _exit(0); }
	char p[64];
	printf("me %d child %d\n", getpid(), child);
	list("/proc");
	list("/proc/self/task");
	snprintf(p, sizeof p, "/proc/%d/cmdline", child); show(p);
	snprintf(p, sizeof p, "/proc/%d/stat", child); show(p);
	DIR *d = opendir("/proc/self/task");
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] == '.') continue;
		snprintf(p, sizeof p, "/proc/self/task/%s/stat", e->d_name); show(p);
	}
	closedir(d);
	snprintf(p, sizeof p, "/proc/%d/task/%d/stat", getpid(), child); show(p);
	write(pfd[1], "xx", 2);
	pthread_join(th, NULL);
	waitpid(child, NULL, 0);
	snprintf(p, sizeof p, "/proc/%d/stat", child); show(p);
	list("/proc");
	return 0;
}
`

func TestProcessesInSandbox(t *testing.T) {
	src := filepath.Join(t.TempDir(), "procs.c")
	if err := os.WriteFile(src, []byte(procsC), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := runInSandbox(t, src, "/procs")
	t.Logf("exit %d:\n%s", code, out)
	var me, child int
	if _, err := fmt.Sscanf(out, "me %d child %d", &me, &child); err != nil {
		t.Fatalf("no pids in output: %v", err)
	}
	lines := strings.Split(out, "\n")
	want := []string{
		fmt.Sprintf("ls /proc: %d %d", me, child),
		fmt.Sprintf("/proc/%d/cmdline: /procs ", child),
		fmt.Sprintf("/proc/%d/task/%d/stat: open failed", me, child),
		fmt.Sprintf("/proc/%d/stat: open failed", child),
		fmt.Sprintf("ls /proc: %d", me),
	}
	for _, w := range want {
		if !slices.Contains(lines, w) {
			t.Errorf("output lacks line %q", w)
		}
	}
	if !strings.Contains(out, fmt.Sprintf("/proc/%d/stat: %d (procs) S %d ", child, child, me)) {
		t.Errorf("child's stat does not show it sleeping with its parent")
	}
	if n := strings.Count(out, "/proc/self/task/"); n != 2 {
		t.Errorf("%d thread stat lines, want 2", n)
	}
}
