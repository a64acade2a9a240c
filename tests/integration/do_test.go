package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"moat/tests/testutil"
)

func sandboxOrSkip(t *testing.T) *testutil.Sandbox {
	t.Helper()
	testutil.RequireRoot(t)
	return testutil.SandboxOrSkip(t)
}

func busyboxRoot(t *testing.T) string {
	t.Helper()
	root, err := testutil.BusyboxRootfs("integration", nil)
	if err != nil {
		t.Fatalf("busybox rootfs: %v", err)
	}
	return root
}

// TestDoExitStatus checks that exit codes and deaths by signal reach the
// caller of runsc do as a shell reports them.
func TestDoExitStatus(t *testing.T) {
	s := sandboxOrSkip(t)
	root := busyboxRoot(t)
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"zero", []string{"/bin/sh", "-c", "exit 0"}, 0},
		{"code", []string{"/bin/sh", "-c", "exit 42"}, 42},
		{"child code", []string{"/bin/sh", "-c", "/bin/sh -c 'exit 3'; exit $?"}, 3},
		{"killed by SIGKILL from a child", []string{"/bin/sh", "-c", "sleep 10 & kill -9 $!; wait $!; exit $?"}, 137},
		{"missing program", []string{"/nonexistent"}, 127},
		{"directory", []string{"/etc"}, 126},
		{"not executable", []string{"/etc/passwd"}, 126},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := testutil.Run(s.Cmd(testutil.DoOptions{Root: root}, tc.args...), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if res.ExitCode != tc.want {
				t.Fatalf("exit code %d, want %d\n%s", res.ExitCode, tc.want, res)
			}
		})
	}
}

// TestDoStraceLog checks --strace and --debug-log: one line per syscall
// with its name, arguments and result, in the log file, not on stderr;
// the log's directory is made when missing and %COMMAND% names the
// process that writes the file (boot: the sentry's).
func TestDoStraceLog(t *testing.T) {
	s := sandboxOrSkip(t)
	root := busyboxRoot(t)
	logDir := filepath.Join(t.TempDir(), "new", "dir")
	logFile := filepath.Join(logDir, "sandbox.boot.log")
	c := s.Cmd(testutil.DoOptions{Root: root}, "/bin/echo", "hello")
	c.Args = append([]string{c.Args[0], "--strace", "--debug-log=" + filepath.Join(logDir, "sandbox.%COMMAND%.log")}, c.Args[1:]...)
	res, err := testutil.Run(c, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 || res.Stdout != "hello\n" || res.Stderr != "" {
		t.Fatalf("unexpected result:\n%s", res)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	for _, want := range []string{`write(1, `, `, 6) = 0x6 <`, `exit_group(0)`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// children returns the PIDs whose parent is pid.
func children(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// A zombie has released everything; our subreaper reaps it.
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}

// TestDoKilledLeavesNothing kills runsc do with SIGKILL while a program
// runs and checks that the gofer, the sandbox and every stub die with it.
func TestDoKilledLeavesNothing(t *testing.T) {
	s := sandboxOrSkip(t)
	root := busyboxRoot(t)
	c := s.Cmd(testutil.DoOptions{Root: root}, "/bin/sh", "-c", "sleep 100 & sleep 100")
	cmd := exec.Command(c.Args[0], c.Args[1:]...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// Wait for the whole tree: runsc do -> gofer, boot -> stubs.
	var tree []int
	deadline := time.Now().Add(30 * time.Second)
	for {
		tree = tree[:0]
		var walk func(int)
		walk = func(p int) {
			for _, c := range children(p) {
				tree = append(tree, c)
				walk(c)
			}
		}
		walk(cmd.Process.Pid)
		// gofer + boot + at least two stubs (sh and a sleep).
		if len(tree) >= 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sandbox tree did not come up: %v", tree)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	deadline = time.Now().Add(10 * time.Second)
	for {
		testutil.ReapOrphans()
		var left []int
		for _, p := range tree {
			if alive(p) {
				left = append(left, p)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes outlived runsc do: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
