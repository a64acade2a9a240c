//go:build proc_e2e

// These end-to-end tests run programs in a sentry built by the boot
// package, which mounts this /proc, and check what they saw. It depends on most of the sentry, so it is behind a build
// tag: go test -tags proc_e2e ./sentry/fs/proc/ (as root, with gcc).

package proc_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
	s, err := boot.New(boot.Config{Platform: "ptrace"}, control.BootArgs{
		Argv: argv, Env: []string{"A=1", "B=two"}, Cwd: "/", TmpOnTmp: true, CPUs: 2,
	}, root, []int{int(os.Stdin.Fd()), int(pw.Fd()), int(pw.Fd())})
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
