//go:build proc_e2e

// This end-to-end test runs tests/syscalls/proc_self.c in a sentry built
// by the boot package, with this /proc mounted, and reports what the
// program saw. It depends on most of the sentry, so it is behind a build
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
	"moat/sentry/fs/proc"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

func TestProcSelfInSandbox(t *testing.T) {
	if unix.Geteuid() != 0 {
		t.Skip("needs root")
	}
	_, file, _, _ := runtime.Caller(0)
	srcDir := filepath.Join(filepath.Dir(file), "../../../tests/syscalls")
	bin := filepath.Join(t.TempDir(), "proc_self")
	if out, err := exec.Command("gcc", "-static", "-O1", "-I", srcDir, "-o", bin, filepath.Join(srcDir, "proc_self.c")).CombinedOutput(); err != nil {
		t.Skipf("gcc: %v\n%s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	host, err := proc.SnapshotHost()
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
		f, errno := v.OpenAt(ctx, &vfs.PathOp{Root: r, Start: r, Path: "/proc_self"}, unix.O_CREAT|unix.O_WRONLY, 0o755)
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
	s, err := boot.New(boot.Config{Platform: "ptrace"}, control.BootArgs{
		Argv: []string{"/proc_self"}, Env: []string{"A=1", "B=two"}, Cwd: "/", TmpOnTmp: true, CPUs: 2,
	}, root, []int{int(os.Stdin.Fd()), int(pw.Fd()), int(pw.Fd())})
	if err != nil {
		t.Fatal(err)
	}
	pfs, err := proc.New(s.Kernel, s.VFS, host)
	if err != nil {
		t.Fatal(err)
	}
	if _, errno := s.VFS.MountAt(vfs.RootContext(), s.VFS.Root(), "/proc", pfs, vfs.MountFlags{NoSuid: true, NoDev: true, NoExec: true}); errno != 0 {
		t.Fatal(errno)
	}
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
	out := <-outc
	if st.ShellCode() != 0 || strings.Contains(out, "FAIL") {
		t.Errorf("proc_self exited %d:\n%s", st.ShellCode(), out)
	} else {
		t.Logf("output:\n%s", out)
	}
}
