package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPIDFileWaiters checks what containerd's runc shim relies on (Docker's
// path runtimes): the process a --pid-file names is re-parented to the
// nearest subreaper (this test process) and exits with the status of the
// container's init (create) or of the exec'd process (exec --detach),
// while the sandbox keeps answering wait and state.
func TestPIDFileWaiters(t *testing.T) {
	o := newOCI(t)
	dir := t.TempDir()
	initPID := filepath.Join(dir, "init.pid")
	o.must("create", "--bundle", o.bundle(nil, loopUntilTERM...), "--pid-file", initPID, "w1")
	// state's pid is the pid file's, as runc's (the runtime-tools
	// validation's pidfile test), before and after start.
	statePIDIs := func(when string) {
		b, _ := os.ReadFile(initPID)
		if got := o.state("w1")["pid"]; strconv.Itoa(int(got.(float64))) != strings.TrimSpace(string(b)) {
			t.Errorf("%s: state pid %v, pid file %q", when, got, b)
		}
	}
	statePIDIs("created")
	o.must("start", "w1")
	o.waitStatus("w1", "running")
	statePIDIs("running")

	// exec --detach: the waiter exits with the process's code.
	execPID := filepath.Join(dir, "exec.pid")
	o.must("exec", "--detach", "--pid-file", execPID, "w1", "/bin/sh", "-c", "sleep 0.2; exit 5")
	if code := reap(t, execPID); code != 5 {
		t.Errorf("exec waiter exited %d, want 5", code)
	}

	// A process killed from the host: 128+9, through kill --pid with the
	// sandbox PID from --internal-pid-file.
	internal := filepath.Join(dir, "internal.pid")
	o.must("exec", "--detach", "--pid-file", execPID, "--internal-pid-file", internal, "w1", "/bin/sleep", "1000")
	in, _ := os.ReadFile(internal)
	host, _ := os.ReadFile(execPID)
	if strings.TrimSpace(string(in)) == strings.TrimSpace(string(host)) || len(in) == 0 {
		t.Fatalf("internal pid %q, pid file %q", in, host)
	}
	o.must("kill", "--pid", strings.TrimSpace(string(in)), "w1", "KILL")
	if code := reap(t, execPID); code != 137 {
		t.Errorf("exec waiter of a killed process exited %d, want 137", code)
	}

	// SIGTERM to the exec waiter is relayed to its process (the runc shim
	// signals exec'd processes by the pid file's PID).
	o.must("exec", "--detach", "--pid-file", execPID, "w1", "/bin/sh", "-c", `trap "exit 3" TERM; touch /tmp/trapped; while :; do sleep 0.05; done`)
	for i := 0; o.run("exec", "w1", "/bin/sh", "-c", "test -e /tmp/trapped").code != 0; i++ {
		if i == 200 {
			t.Fatal("the exec'd shell never set its trap")
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, _ := os.ReadFile(execPID)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	syscall.Kill(pid, syscall.SIGTERM)
	if code := reap(t, execPID); code != 3 {
		t.Errorf("exec waiter after SIGTERM exited %d, want 3 (the trap's)", code)
	}

	// The waiter relays from the moment exec returns, not only once it
	// has got going: a SIGTERM at once ends the process (143), never the
	// waiter alone (which would leave the process running).
	for i := 0; i < 5; i++ {
		o.must("exec", "--detach", "--pid-file", execPID, "w1", "/bin/sleep", "1002")
		b, _ := os.ReadFile(execPID)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		syscall.Kill(pid, syscall.SIGTERM)
		if code := reap(t, execPID); code != 143 {
			t.Errorf("exec waiter signalled at once exited %d, want 143", code)
		}
		if r := o.must("ps", "w1"); strings.Contains(r.stdout, "sleep 1002") {
			t.Fatalf("the waiter died of the SIGTERM it should have relayed:\n%s", r.stdout)
		}
	}

	// init: the waiter exits with init's status; the sandbox still answers.
	o.must("kill", "w1", "TERM")
	if code := reap(t, initPID); code != 7 {
		t.Errorf("init waiter exited %d, want 7", code)
	}
	if r := o.must("wait", "w1"); !strings.Contains(r.stdout, `"exitStatus":7`) {
		t.Errorf("wait after the waiter: %s", r)
	}
	o.waitStatus("w1", "stopped")
	o.must("delete", "w1")
}

// reap waits for the process named in pidFile, a child of this test once
// runsc has exited (the test is a subreaper), and returns its exit code.
func reap(t *testing.T, pidFile string) int {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file %q: %v", b, err)
	}
	done := make(chan syscall.WaitStatus, 1)
	go func() {
		var ws syscall.WaitStatus
		for {
			_, err := syscall.Wait4(pid, &ws, 0, nil)
			if err != syscall.EINTR {
				break
			}
		}
		done <- ws
	}()
	select {
	case ws := <-done:
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	case <-time.After(30 * time.Second):
		t.Fatalf("process %d from %s did not exit", pid, pidFile)
		return 0
	}
}

// TestPIDFileUnwritable: a create whose pid file cannot be written fails
// with the reason and leaves no container, process or state behind.
func TestPIDFileUnwritable(t *testing.T) {
	o := newOCI(t)
	o.fails("writing pid file", "create", "--bundle", o.bundle(nil, "/bin/true"), "--pid-file", filepath.Join(t.TempDir(), "no", "such", "init.pid"), "p1")
	o.fails("does not exist", "state", "p1")
}
