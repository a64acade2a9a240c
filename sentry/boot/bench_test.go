package boot

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/control"
)

const getpidLoopC = `
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv) {
	long n = atol(argv[1]);
	for (long i = 0; i < n; i++) syscall(SYS_getpid);
	return 0;
}
`

// BenchmarkGetpid measures the sentry's syscall round trip in process (for
// profiling: go test -bench Getpid -cpuprofile cpu.out ./sentry/boot).
func BenchmarkGetpid(b *testing.B) {
	if unix.Geteuid() != 0 {
		b.Skip("needs root")
	}
	dir := b.TempDir()
	src, bin := filepath.Join(dir, "g.c"), filepath.Join(dir, "g")
	os.WriteFile(src, []byte(getpidLoopC), 0o644)
	if out, err := exec.Command("gcc", "-static", "-O2", "-o", bin, src).CombinedOutput(); err != nil {
		b.Skipf("gcc: %v\n%s", err, out)
	}
	devnull, _ := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	defer devnull.Close()
	s, err := New(Config{Platform: "ptrace"}, control.BootArgs{
		Argv: []string{"/prog", strconv.Itoa(b.N)}, Cwd: "/", TmpOnTmp: true, CPUs: 1,
	}, tmpfsRoot(b, bin), []int{int(devnull.Fd()), int(devnull.Fd()), int(devnull.Fd())})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	if errno, err := s.Start(); errno != 0 || err != nil {
		b.Fatalf("Start: %v %v", errno, err)
	}
	if st := s.Wait(); st.ShellCode() != 0 {
		b.Fatalf("exit %+v", st)
	}
}
