package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

func TestCtrRunStdin(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		in := "first line\nsecond line\n" + strings.Repeat("x", 100000) + "\n"
		r := c.CtrStdin(t, in, run(nil, image, "stdin", "cat")...)
		if r.ExitCode != 0 || r.Stdout != in {
			t.Fatalf("ctr run cat: want exit 0 and stdin echoed (%d bytes), got exit %d, %d bytes, stderr %q",
				len(in), r.ExitCode, len(r.Stdout), r.Stderr)
		}
		r = c.CtrStdin(t, "3 4\n", run(nil, image, "stdin2", "sh", "-c", "read a b; exit $((a+b))")...)
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
