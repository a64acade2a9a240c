package e2e

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"moat/tests/e2e/e2eutil"
	"moat/tests/testutil"
)

// runtime is the runtime type ctr asks containerd for.
const runtime = "io.containerd.runsc.v1"

// forEachContainerd runs f against a private daemon of each containerd
// version, with the busybox image imported.
func forEachContainerd(t *testing.T, f func(t *testing.T, c *e2eutil.Containerd, image string)) {
	for _, v := range e2eutil.Versions {
		t.Run("containerd-"+string(v), func(t *testing.T) {
			c := e2eutil.StartContainerd(t, v, e2eutil.Options{})
			f(t, c, c.ImportBusybox(t))
		})
	}
}

// run is `ctr run --rm --runtime io.containerd.runsc.v1 [flags] image id args...`.
func run(flags []string, image, id string, args ...string) []string {
	a := append([]string{"run", "--rm", "--runtime", runtime}, flags...)
	return append(append(a, image, id), args...)
}

// waitStatus polls `ctr task ls` until the task has status want.
func waitStatus(t *testing.T, c *e2eutil.Containerd, id, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		r := c.Ctr(t, "tasks", "ls")
		last = r.Stdout
		for _, line := range strings.Split(r.Stdout, "\n") {
			if f := strings.Fields(line); len(f) >= 3 && f[0] == id && f[2] == want {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("task %s never became %s; ctr tasks ls:\n%s", id, want, last)
}

func TestCtrRunExitCodes(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		for _, tc := range []struct {
			name   string
			args   []string
			code   int
			stdout string
		}{
			{"true", []string{"true"}, 0, ""},
			{"echo", []string{"echo", "hello from moat"}, 0, "hello from moat\n"},
			{"exit-3", []string{"sh", "-c", "echo out; echo err >&2; exit 3"}, 3, "out\n"},
			{"missing-file", []string{"cat", "/nonexistent"}, 1, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.Ctr(t, run(nil, image, "exit-"+tc.name, tc.args...)...)
				if r.ExitCode != tc.code || r.Stdout != tc.stdout {
					t.Fatalf("ctr run %v: want exit %d stdout %q, got %s", tc.args, tc.code, tc.stdout, r)
				}
			})
		}
		t.Run("null-io", func(t *testing.T) {
			r := c.Ctr(t, run([]string{"--null-io"}, image, "nullio", "sh", "-c", "echo lost; exit 9")...)
			if r.ExitCode != 9 || r.Stdout != "" {
				t.Fatalf("ctr run --null-io: want exit 9 and no output, got %s", r)
			}
		})
		t.Run("kill-9", func(t *testing.T) {
			done := make(chan testutil.Result, 1)
			go func() { done <- c.Ctr(t, run(nil, image, "kill9", "sleep", "1000")...) }()
			waitStatus(t, c, "kill9", "RUNNING")
			if r := c.Ctr(t, "tasks", "kill", "-s", "SIGKILL", "kill9"); r.ExitCode != 0 {
				t.Fatalf("ctr tasks kill: %s", r)
			}
			if r := <-done; r.ExitCode != 137 {
				t.Fatalf("ctr run after SIGKILL: want exit 137, got %s", r)
			}
		})
	})
}

// ctrStdin runs ctr args and writes input to its stdin once ready says
// the process runs, then closes it: ctr ends the process's stdin
// (CloseIO) when its own ends, which it notices only if that happens
// after the process started (with runc as with Moat).
func ctrStdin(t *testing.T, c *e2eutil.Containerd, ready func(), input string, args ...string) testutil.Result {
	t.Helper()
	a := c.CtrCmd(args...)
	cmd := exec.Command(a[0], a[1:]...)
	cmd.Env = c.Env()
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	ready()
	io.WriteString(in, input)
	in.Close()
	var werr error
	select {
	case werr = <-done:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		werr = <-done
	}
	r := testutil.Result{Stdout: stdout.String(), Stderr: stderr.String()}
	if ee, ok := werr.(*exec.ExitError); ok {
		r.ExitCode = testutil.ExitCode(ee.Sys().(syscall.WaitStatus))
	}
	return r
}

func TestCtrRunStdin(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		in := "first line\nsecond line\n" + strings.Repeat("x", 100000) + "\n"
		r := ctrStdin(t, c, func() { waitStatus(t, c, "stdin", "RUNNING") }, in, run(nil, image, "stdin", "cat")...)
		if r.ExitCode != 0 || r.Stdout != in {
			t.Fatalf("ctr run cat: want exit 0 and stdin echoed (%d bytes), got exit %d, %d bytes, stderr %q",
				len(in), r.ExitCode, len(r.Stdout), r.Stderr)
		}
		r = ctrStdin(t, c, func() { waitStatus(t, c, "stdin2", "RUNNING") }, "3 4\n", run(nil, image, "stdin2", "sh", "-c", "read a b; exit $((a+b))")...)
		if r.ExitCode != 7 {
			t.Fatalf("ctr run sh read: want exit 7, got %s", r)
		}
	})
}

// TestCtrCreateFails: runsc's error reaches ctr, and a failed create
// leaves nothing behind (the daemon's teardown checks).
func TestCtrCreateFails(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		r := c.Ctr(t, run(nil, image, "noprog", "/no/such/program")...)
		if r.ExitCode == 0 || !strings.Contains(r.Stderr, "no such file") && !strings.Contains(r.Stderr, "No such file") {
			t.Fatalf("ctr run of a missing program: want a failure naming the missing file, got %s", r)
		}
		if r := c.Ctr(t, "containers", "ls", "-q"); strings.Contains(r.Stdout, "noprog") {
			t.Fatalf("container left after a failed run --rm: %s", r.Stdout)
		}
	})
}

// TestCtrRuntimeConfig: the TOML file named by --runtime-config-path sets
// runsc's root, its log (with %ID%) and a runsc flag.
func TestCtrRuntimeConfig(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		root := filepath.Join(c.Dir, "runsc-root")
		logs := filepath.Join(c.Dir, "logs")
		if err := os.MkdirAll(logs, 0o755); err != nil {
			t.Fatal(err)
		}
		cfg := filepath.Join(c.Dir, "runsc.toml")
		toml := fmt.Sprintf("root = %q\nlog_path = %q\nlog_level = \"debug\"\n\n[runsc_config]\nplatform = \"ptrace\"\n",
			root, filepath.Join(logs, "runsc-%ID%.log"))
		if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
			t.Fatal(err)
		}
		flags := []string{"-d", "--runtime-config-path", cfg}
		if r := c.Ctr(t, "run", "--runtime", runtime, "-d", "--runtime-config-path", cfg, image, "cfg", "sleep", "1000"); r.ExitCode != 0 {
			t.Fatalf("ctr run %v: %s", flags, r)
		}
		waitStatus(t, c, "cfg", "RUNNING")
		if _, err := os.Stat(filepath.Join(root, c.Namespace, "cfg", "state.json")); err != nil {
			t.Errorf("runsc state not under the configured root: %v", err)
		}
		if b, err := os.ReadFile(filepath.Join(logs, "runsc-cfg.log")); err != nil || len(b) == 0 {
			t.Errorf("runsc log runsc-cfg.log missing or empty: %v", err)
		}
		c.Ctr(t, "tasks", "kill", "-s", "SIGKILL", "cfg")
		waitStatus(t, c, "cfg", "STOPPED")
		if r := c.Ctr(t, "tasks", "delete", "cfg"); r.ExitCode != 0 {
			t.Fatalf("ctr tasks delete: %s", r)
		}
		c.Ctr(t, "containers", "delete", "cfg")
		if ents, _ := os.ReadDir(filepath.Join(root, c.Namespace)); len(ents) != 0 {
			t.Errorf("runsc state left under the configured root: %v", ents)
		}
	})
}

// startDetached runs `ctr run -d ... sleep 1000` and waits until it runs.
func startDetached(t *testing.T, c *e2eutil.Containerd, image, id string, args ...string) {
	t.Helper()
	if len(args) == 0 {
		args = []string{"sleep", "1000"}
	}
	a := append([]string{"run", "-d", "--runtime", runtime, image, id}, args...)
	if r := c.Ctr(t, a...); r.ExitCode != 0 {
		t.Fatalf("ctr run -d: %s", r)
	}
	waitStatus(t, c, id, "RUNNING")
}

// removeTask deletes a stopped task and its container.
func removeTask(t *testing.T, c *e2eutil.Containerd, id string) {
	t.Helper()
	if r := c.Ctr(t, "tasks", "delete", id); r.ExitCode != 0 {
		t.Fatalf("ctr tasks delete %s: %s", id, r)
	}
	if r := c.Ctr(t, "containers", "delete", id); r.ExitCode != 0 {
		t.Fatalf("ctr containers delete %s: %s", id, r)
	}
}

// waitExec polls `ctr tasks ps id` until exec execID is listed and
// returns that listing.
func waitExec(t *testing.T, c *e2eutil.Containerd, id, execID string) testutil.Result {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := c.Ctr(t, "tasks", "ps", id)
		if strings.Contains(r.Stdout, execID) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("ctr tasks ps never listed exec %s: %s", execID, r)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestCtrExec(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		startDetached(t, c, image, "ex")
		r := c.Ctr(t, "tasks", "exec", "--exec-id", "e1", "ex", "sh", "-c", "echo in-exec; echo err >&2; exit 5")
		if r.ExitCode != 5 || r.Stdout != "in-exec\n" || r.Stderr != "err\n" {
			t.Fatalf("ctr tasks exec: want exit 5, stdout in-exec, stderr err; got exit %d, stdout %q, stderr %q", r.ExitCode, r.Stdout, r.Stderr)
		}
		r = ctrStdin(t, c, func() { waitExec(t, c, "ex", "e2") }, "piped through exec\n", "tasks", "exec", "--exec-id", "e2", "ex", "cat")
		if r.ExitCode != 0 || r.Stdout != "piped through exec\n" {
			t.Fatalf("ctr tasks exec cat: got %s", r)
		}
		// An exec'd process sees init: they share the container.
		r = c.Ctr(t, "tasks", "exec", "--exec-id", "e3", "ex", "sh", "-c", "tr '\\0' ' ' </proc/1/cmdline")
		if r.ExitCode != 0 || r.Stdout != "sleep 1000 " {
			t.Fatalf("exec'd ps does not see init's sleep: %s", r)
		}
		// A long exec, then ps from the host side and a kill of the exec.
		done := make(chan testutil.Result, 1)
		go func() { done <- c.Ctr(t, "tasks", "exec", "--exec-id", "e4", "ex", "sleep", "999") }()
		r = waitExec(t, c, "ex", "e4")
		if len(strings.Split(strings.TrimSpace(r.Stdout), "\n")) != 3 {
			t.Errorf("ctr tasks ps: want a header, init and the exec, got:\n%s", r.Stdout)
		}
		if r := c.Ctr(t, "tasks", "kill", "--exec-id", "e4", "-s", "SIGKILL", "ex"); r.ExitCode != 0 {
			t.Fatalf("ctr tasks kill --exec-id: %s", r)
		}
		if r := <-done; r.ExitCode != 137 {
			t.Fatalf("killed exec: want exit 137, got %s", r)
		}
		// Exec into a missing program fails with runsc's message.
		r = c.Ctr(t, "tasks", "exec", "--exec-id", "e5", "ex", "/no/such/program")
		if r.ExitCode == 0 || !strings.Contains(strings.ToLower(r.Stderr), "no such file") {
			t.Fatalf("exec of a missing program: want a failure naming the missing file, got %s", r)
		}
		c.Ctr(t, "tasks", "kill", "-s", "SIGKILL", "ex")
		waitStatus(t, c, "ex", "STOPPED")
		removeTask(t, c, "ex")
	})
}

func TestCtrKillDelete(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		// As init, sh gets SIGTERM from the host only through a handler.
		startDetached(t, c, image, "kd", "sh", "-c", "trap 'exit 42' TERM; sleep 1000 & wait")
		// A running task cannot be deleted without --force.
		if r := c.Ctr(t, "tasks", "delete", "kd"); r.ExitCode == 0 {
			t.Fatalf("ctr tasks delete of a running task succeeded: %s", r)
		}
		if r := c.Ctr(t, "tasks", "kill", "kd"); r.ExitCode != 0 {
			t.Fatalf("ctr tasks kill: %s", r)
		}
		waitStatus(t, c, "kd", "STOPPED")
		r := c.Ctr(t, "tasks", "delete", "kd")
		if r.ExitCode != 0 || !strings.Contains(r.Stdout+r.Stderr, "42") {
			t.Fatalf("ctr tasks delete: want exit status 42 reported, got %s", r)
		}
		if r := c.Ctr(t, "containers", "delete", "kd"); r.ExitCode != 0 {
			t.Fatalf("ctr containers delete: %s", r)
		}

		// kill --all, then delete --force of a running task.
		startDetached(t, c, image, "kd2", "sh", "-c", "sleep 1000 & sleep 1000")
		if r := c.Ctr(t, "tasks", "kill", "--all", "-s", "SIGKILL", "kd2"); r.ExitCode != 0 {
			t.Fatalf("ctr tasks kill --all: %s", r)
		}
		waitStatus(t, c, "kd2", "STOPPED")
		removeTask(t, c, "kd2")
		startDetached(t, c, image, "kd3")
		if r := c.Ctr(t, "tasks", "delete", "--force", "kd3"); r.ExitCode != 0 {
			t.Fatalf("ctr tasks delete --force: %s", r)
		}
		c.Ctr(t, "containers", "delete", "kd3")
		if r := c.Ctr(t, "tasks", "ls", "-q"); strings.TrimSpace(r.Stdout) != "" {
			t.Fatalf("tasks left: %s", r.Stdout)
		}
	})
}

// TestCtrTaskSurvivesCreated: a created task (ctr container create + task
// start is two steps in ctr run -d; here `tasks start -d` after create)
// can be killed and deleted before it starts.
func TestCtrMetricsPids(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		startDetached(t, c, image, "met", "sh", "-c", "sleep 1000 & sleep 1000 & wait")
		r := c.Ctr(t, "tasks", "metrics", "met")
		if r.ExitCode != 0 || !strings.Contains(r.Stdout, "memory.usage_in_bytes") || !strings.Contains(r.Stdout, "pids.current") {
			t.Fatalf("ctr tasks metrics: %s", r)
		}
		for _, line := range strings.Split(r.Stdout, "\n") {
			if f := strings.Fields(line); len(f) == 2 && f[0] == "pids.current" && f[1] != "3" {
				t.Errorf("pids.current = %s, want 3 (sh and two sleeps)", f[1])
			}
		}
		r = c.Ctr(t, "tasks", "ps", "met")
		if r.ExitCode != 0 || len(strings.Split(strings.TrimSpace(r.Stdout), "\n")) != 4 {
			t.Fatalf("ctr tasks ps: want a header and 3 processes, got %s", r)
		}
		c.Ctr(t, "tasks", "kill", "-s", "SIGKILL", "met")
		waitStatus(t, c, "met", "STOPPED")
		removeTask(t, c, "met")
	})
}

// waitSize waits (5 s at most) until the terminal has a size: ctr resizes
// it only once the process has started.
const waitSize = `for i in $(seq 50); do stty -a 2>/dev/null | grep -q rows && break; sleep 0.1; done`

// TestCtrRunTTY: `ctr run -t` gives the container a terminal (runsc's
// --console-socket), sized like ctr's own (ResizePty), with input typed
// into it and the exit code kept.
func TestCtrRunTTY(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		args := c.CtrCmd(run([]string{"-t"}, image, "tty", "sh", "-c", "[ -t 0 ] && echo stdin-is-a-tty; "+waitSize+"; stty -a | head -1; read line; echo got:$line; exit 4")...)
		r, err := e2eutil.RunInPty(args, c.Env(), "typed\r", 40, 100, 2*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		out := strings.ReplaceAll(r.Stdout, "\r", "")
		for _, want := range []string{"stdin-is-a-tty\n", "rows 40; columns 100;", "got:typed\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("ctr run -t: output lacks %q", want)
			}
		}
		if r.ExitCode != 4 || t.Failed() {
			t.Fatalf("ctr run -t: want exit 4 and the lines above, got %s", r)
		}
		// exec -t into a running container.
		startDetached(t, c, image, "ttyexec")
		args = c.CtrCmd("tasks", "exec", "-t", "--exec-id", "te", "ttyexec", "sh", "-c", "[ -t 1 ] && echo exec-tty; "+waitSize+"; stty -a | head -1; exit 6")
		r, err = e2eutil.RunInPty(args, c.Env(), "", 30, 70, 2*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		out = strings.ReplaceAll(r.Stdout, "\r", "")
		if r.ExitCode != 6 || !strings.Contains(out, "exec-tty\n") || !strings.Contains(out, "rows 30; columns 70;") {
			t.Fatalf("ctr tasks exec -t: want exit 6, exec-tty and rows 30; columns 70, got %s", r)
		}
		c.Ctr(t, "tasks", "kill", "-s", "SIGKILL", "ttyexec")
		waitStatus(t, c, "ttyexec", "STOPPED")
		removeTask(t, c, "ttyexec")
	})
}

// taskPID returns the PID `ctr tasks ls` shows for id.
func taskPID(t *testing.T, c *e2eutil.Containerd, id string) int {
	t.Helper()
	r := c.Ctr(t, "tasks", "ls")
	for _, line := range strings.Split(r.Stdout, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == id {
			pid, err := strconv.Atoi(f[1])
			if err == nil {
				return pid
			}
		}
	}
	t.Fatalf("no PID for task %s in:\n%s", id, r.Stdout)
	return 0
}

// TestCtrSandboxKilled: when the sandbox process dies (SIGKILL from
// outside), the task exits with 137 and ctr run returns it.
func TestCtrSandboxKilled(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		done := make(chan testutil.Result, 1)
		go func() { done <- c.Ctr(t, run(nil, image, "sbkill", "sleep", "1000")...) }()
		waitStatus(t, c, "sbkill", "RUNNING")
		pid := taskPID(t, c, "sbkill")
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if !strings.Contains(string(cmdline), "boot") {
			t.Fatalf("task PID %d is not the sandbox: %q", pid, cmdline)
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if r := <-done; r.ExitCode != 137 {
			t.Fatalf("ctr run after its sandbox was killed: want exit 137, got %s", r)
		}
	})
}

// TestCtrPauseResume: a paused container does not run (its counter stays)
// until it is resumed.
func TestCtrPauseResume(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		startDetached(t, c, image, "pr", "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i >/counter; usleep 20000; done")
		counter := filepath.Join(c.Dir, "state", "io.containerd.runtime.v2.task", c.Namespace, "pr", "rootfs", "counter")
		read := func() string {
			b, _ := os.ReadFile(counter)
			return strings.TrimSpace(string(b))
		}
		waitChange := func(what string) {
			t.Helper()
			first := read()
			deadline := time.Now().Add(30 * time.Second)
			for read() == first {
				if time.Now().After(deadline) {
					t.Fatalf("%s: the counter stays at %q", what, first)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		waitChange("running")
		if r := c.Ctr(t, "tasks", "pause", "pr"); r.ExitCode != 0 {
			t.Fatalf("ctr tasks pause: %s", r)
		}
		waitStatus(t, c, "pr", "PAUSED")
		paused := read()
		time.Sleep(500 * time.Millisecond) // 25 iterations of the loop if it ran
		if now := read(); now != paused {
			t.Fatalf("the counter moved from %s to %s while paused", paused, now)
		}
		if r := c.Ctr(t, "tasks", "resume", "pr"); r.ExitCode != 0 {
			t.Fatalf("ctr tasks resume: %s", r)
		}
		waitStatus(t, c, "pr", "RUNNING")
		waitChange("resumed")
		c.Ctr(t, "tasks", "kill", "-s", "SIGKILL", "pr")
		waitStatus(t, c, "pr", "STOPPED")
		removeTask(t, c, "pr")
	})
}

// shimProcesses counts the shim processes serving namespace ns.
func shimProcesses(ns string) int {
	n := 0
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		b, _ := os.ReadFile(d)
		s := string(b)
		if strings.Contains(s, "containerd-shim-runsc-v1") && strings.Contains(s, "\x00"+ns+"\x00") && !strings.HasSuffix(s, "\x00delete\x00") {
			n++
		}
	}
	return n
}

// TestCtrPodOneShim: containers whose CRI annotations name the same
// sandbox are served by one shim (the pod's) and run in one sandbox; the
// shim exits once the last of them is deleted.
func TestCtrPodOneShim(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		pod := func(kind string) []string {
			return []string{"--annotation", "io.kubernetes.cri.container-type=" + kind, "--annotation", "io.kubernetes.cri.sandbox-id=pod1"}
		}
		run := func(id, kind string) {
			a := append(append([]string{"run", "-d", "--runtime", runtime}, pod(kind)...), image, id, "sleep", "1000")
			if r := c.Ctr(t, a...); r.ExitCode != 0 {
				t.Fatalf("ctr run %s: %s", id, r)
			}
			waitStatus(t, c, id, "RUNNING")
		}
		run("pod1", "sandbox")
		run("member", "container")
		if n := shimProcesses(c.Namespace); n != 1 {
			t.Fatalf("want one shim for the pod's two containers, found %d", n)
		}
		// runsc put the member into the pod's sandbox: one sandbox process.
		if a, b := taskPID(t, c, "pod1"), taskPID(t, c, "member"); a != b {
			t.Fatalf("the pod's containers run in different sandboxes: PIDs %d and %d", a, b)
		}
		r := c.Ctr(t, "tasks", "exec", "--exec-id", "x", "member", "echo", "in-member")
		if r.ExitCode != 0 || r.Stdout != "in-member\n" {
			t.Fatalf("exec in the member: %s", r)
		}
		c.Ctr(t, "tasks", "kill", "-s", "SIGKILL", "member")
		waitStatus(t, c, "member", "STOPPED")
		removeTask(t, c, "member")
		waitStatus(t, c, "pod1", "RUNNING")
		if n := shimProcesses(c.Namespace); n != 1 {
			t.Fatalf("the pod's shim should serve the sandbox still, found %d shims", n)
		}
		c.Ctr(t, "tasks", "kill", "-s", "SIGKILL", "pod1")
		waitStatus(t, c, "pod1", "STOPPED")
		removeTask(t, c, "pod1")
		deadline := time.Now().Add(15 * time.Second)
		for shimProcesses(c.Namespace) != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the pod's shim did not exit after its last container was deleted")
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCtrOOM: a container over its memory limit is OOM-killed in its
// cgroup: ctr run exits 137 and containerd gets /tasks/oom.
func TestCtrOOM(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		var events syncBuffer
		args := c.CtrCmd("events")
		ev := exec.Command(args[0], args[1:]...)
		ev.Env = c.Env()
		ev.Stdout, ev.Stderr = &events, &events
		if err := ev.Start(); err != nil {
			t.Fatal(err)
		}
		defer ev.Wait()
		defer ev.Process.Kill()
		r := c.Ctr(t, run([]string{"--memory-limit", "33554432"}, image, "oom",
			"sh", "-c", `x=$(head -c 100000000 /dev/zero | tr '\0' x); echo survived ${#x}`)...)
		if r.ExitCode != 137 || strings.Contains(r.Stdout, "survived") {
			t.Fatalf("a container over its 32 MiB limit: want exit 137, got %s", r)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(events.String(), `/tasks/oom {"container_id":"oom"`) {
			if time.Now().After(deadline) {
				t.Fatalf("no /tasks/oom event for oom; ctr events:\n%s", events.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
