package boot

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/control"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

const helloC = `
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
	char buf[64];
	printf("hello %s argc=%d\n", argc > 1 ? argv[1] : "?", argc);
	fflush(stdout);
	int n = snprintf(buf, sizeof buf, "pid=%d\n", getpid());
	write(1, buf, n);
	return 3;
}
`

// tmpfsRoot returns a root with the host file prog copied to /prog.
func tmpfsRoot(t testing.TB, prog string) RootFunc {
	data, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	return func(v *vfs.VirtualFilesystem) (*vfs.Filesystem, error) {
		fs := tmpfs.New(v, tmpfs.Options{RootMode: 0o755})
		if _, errno := v.MountRoot(fs, vfs.MountFlags{}); errno != 0 {
			return nil, errno
		}
		ctx := vfs.RootContext()
		root := v.Root()
		for _, d := range []string{"/tmp", "/dev"} {
			if errno := v.MkdirAt(ctx, &vfs.PathOp{Root: root, Start: root, Path: d}, 0o755); errno != 0 {
				return nil, errno
			}
		}
		f, errno := v.OpenAt(ctx, &vfs.PathOp{Root: root, Start: root, Path: "/prog"}, unix.O_CREAT|unix.O_WRONLY, 0o755)
		if errno != 0 {
			return nil, errno
		}
		defer f.DecRef()
		if _, errno := f.Write(ctx, data); errno != 0 {
			return nil, errno
		}
		return fs, nil
	}
}

func TestRunStaticProgram(t *testing.T) {
	if unix.Geteuid() != 0 {
		t.Skip("needs root")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.c")
	bin := filepath.Join(dir, "hello")
	os.WriteFile(src, []byte(helloC), 0o644)
	if out, err := exec.Command("gcc", "-static", "-O1", "-o", bin, src).CombinedOutput(); err != nil {
		t.Skipf("gcc -static: %v\n%s", err, out)
	}
	out, err := os.CreateTemp(dir, "out")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Platform: "ptrace"}, control.BootArgs{
		Argv: []string{"/prog", "world"}, Cwd: "/", TmpOnTmp: true, CPUs: 1,
	}, tmpfsRoot(t, bin), []int{int(os.Stdin.Fd()), int(out.Fd()), int(out.Fd())})
	if err != nil {
		t.Fatal(err)
	}
	if errno, err := s.Start(); errno != 0 || err != nil {
		t.Fatalf("Start: %v %v", errno, err)
	}
	st := s.Wait()
	got, _ := os.ReadFile(out.Name())
	if st.ShellCode() != 3 || string(got) != "hello world argc=2\npid=1\n" {
		t.Fatalf("exit %+v, output %q", st, got)
	}
}
