package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// loopUntilTERM is an init that exits 7 on SIGTERM.
var loopUntilTERM = []string{"/bin/sh", "-c", `trap "echo got TERM; exit 7" TERM; echo started; while :; do sleep 0.05; done`}

// TestOCILifecycle walks a container through create, start, exec, kill,
// wait and delete, checking state, list and ps on the way.
func TestOCILifecycle(t *testing.T) {
	o := newOCI(t)
	bundle := o.bundle(func(s *specs.Spec) {
		s.Annotations = map[string]string{"org.example.key": "value"}
	}, loopUntilTERM...)
	pidFile := filepath.Join(t.TempDir(), "pid")
	o.must("create", "--bundle", bundle, "--pid-file", pidFile, "c1")

	st := o.state("c1")
	if st["ociVersion"] != specs.Version || st["id"] != "c1" || st["status"] != "created" || st["bundle"] != bundle {
		t.Errorf("state after create: %v", st)
	}
	if ann, _ := st["annotations"].(map[string]any); ann["org.example.key"] != "value" {
		t.Errorf("annotations: %v", st["annotations"])
	}
	// The pid file names a host process that waits for init and exits
	// with its status (what containerd's runc shim reaps).
	pid, _ := st["pid"].(float64)
	b, _ := os.ReadFile(pidFile)
	if cmdline, _ := os.ReadFile("/proc/" + strings.TrimSpace(string(b)) + "/cmdline"); pid <= 0 || len(b) == 0 || !strings.Contains(string(cmdline), "wait") {
		t.Errorf("pid %v, pid file %q (%q)", st["pid"], b, cmdline)
	}

	list := o.must("list")
	lines := strings.Split(strings.TrimSpace(list.stdout), "\n")
	if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "ID PID STATUS BUNDLE CREATED OWNER" ||
		!strings.HasPrefix(lines[1], "c1 ") || !strings.Contains(lines[1], " created ") {
		t.Errorf("list:\n%s", list.stdout)
	}
	if q := o.must("list", "-q"); q.stdout != "c1\n" {
		t.Errorf("list -q: %q", q.stdout)
	}
	var js []map[string]any
	if err := json.Unmarshal([]byte(o.must("list", "--format", "json").stdout), &js); err != nil || len(js) != 1 || js[0]["id"] != "c1" || js[0]["status"] != "created" {
		t.Errorf("list --format json: %v %v", js, err)
	}

	o.must("start", "c1")
	o.waitStatus("c1", "running")

	if r := o.runIn("from stdin\n", "exec", "c1", "/bin/sh", "-c", "cat; hostname; exit 5"); r.code != 5 || r.stdout != "from stdin\nmoat-test\n" {
		t.Errorf("exec: %s", r)
	}
	if r := o.run("exec", "--cwd", "/etc", "--env", "FOO=bar", "--user", "1000:1001", "c1", "/bin/sh", "-c", "echo $PWD $FOO $(id -u) $(id -g)"); r.code != 0 || r.stdout != "/etc bar 1000 1001\n" {
		t.Errorf("exec with flags: %s", r)
	}
	execPID := filepath.Join(t.TempDir(), "exec.pid")
	o.must("exec", "--detach", "--internal-pid-file", execPID, "c1", "/bin/sleep", "1000")
	b, _ = os.ReadFile(execPID)
	sleepPID := strings.TrimSpace(string(b))

	var pids []int
	if err := json.Unmarshal([]byte(o.must("ps", "--format", "json", "--sandbox-pids", "c1").stdout), &pids); err != nil || len(pids) < 2 || pids[0] != 1 {
		t.Errorf("ps --format json --sandbox-pids: %v %v", pids, err)
	}
	found := false
	for _, p := range pids {
		found = found || strconv.Itoa(p) == sleepPID
	}
	if !found {
		t.Errorf("ps lists %v, not the exec'd sleep %q", pids, sleepPID)
	}
	if r := o.must("ps", "c1"); !strings.HasPrefix(r.stdout, "UID") || !strings.Contains(r.stdout, "sleep") {
		t.Errorf("ps:\n%s", r.stdout)
	}

	o.must("kill", "c1") // SIGTERM
	if r := o.must("wait", "c1"); strings.TrimSpace(r.stdout) != `{"id":"c1","exitStatus":7}` {
		t.Errorf("wait: %s", r)
	}
	o.waitStatus("c1", "stopped")
	if st := o.state("c1"); st["pid"] != float64(0) {
		t.Errorf("stopped container has pid %v", st["pid"])
	}
	o.must("delete", "c1")
	o.fails("does not exist", "state", "c1")
}

// TestOCIDeleteForce deletes a running container and one whose sandbox
// was SIGKILLed from outside.
func TestOCIDeleteForce(t *testing.T) {
	o := newOCI(t)
	bundle := o.bundle(nil, "/bin/sleep", "1000")
	o.must("run", "--detach", "--bundle", bundle, "f1")
	o.fails("not stopped", "delete", "f1")
	o.must("delete", "--force", "f1")
	o.fails("does not exist", "state", "f1")

	o.must("run", "--detach", "--bundle", bundle, "f2")
	pid := int(o.state("f2")["pid"].(float64))
	if err := syscallKill(pid); err != nil {
		t.Fatal(err)
	}
	o.waitStatus("f2", "stopped")
	o.fails("not running", "kill", "f2", "KILL")
	o.must("delete", "--force", "f2")
	o.must("delete", "--force", "never-existed")

	// A created container is deleted without --force.
	o.must("create", "--bundle", bundle, "f3")
	o.must("delete", "f3")
}

// TestOCISpecVersionFeatures checks runsc spec, --version and features.
func TestOCISpecVersionFeatures(t *testing.T) {
	o := newOCI(t)
	v := o.must("--version").stdout
	if !strings.HasPrefix(v, "runsc version ") || !strings.Contains(v, "\nspec: 1.2.") {
		t.Errorf("--version: %q", v)
	}
	dir := t.TempDir()
	o.must("spec", "--bundle", dir)
	var s specs.Spec
	b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if err := json.Unmarshal(b, &s); err != nil || s.Version != specs.Version || s.Root.Path != "rootfs" || s.Process.Args[0] != "sh" {
		t.Errorf("spec wrote %s (%v)", b, err)
	}
	o.fails("exists", "spec", "--bundle", dir)
	rl := t.TempDir()
	o.must("spec", "--rootless", "--bundle", rl)
	var f map[string]any
	if err := json.Unmarshal([]byte(o.must("features").stdout), &f); err != nil || f["ociVersionMax"] != specs.Version {
		t.Errorf("features: %v %v", f, err)
	}
}

func syscallKill(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

// TestOCIExecProcessAndKillAll runs exec --process and kill --all.
func TestOCIExecProcessAndKillAll(t *testing.T) {
	o := newOCI(t)
	o.must("run", "--detach", "--bundle", o.bundle(nil, "/bin/sleep", "1000"), "a1")
	proc := filepath.Join(t.TempDir(), "process.json")
	b, _ := json.Marshal(&specs.Process{Args: []string{"/bin/sh", "-c", "echo $X; pwd; exit 4"}, Env: []string{"X=from-process"}, Cwd: "/usr"})
	os.WriteFile(proc, b, 0o644)
	if r := o.run("exec", "--process", proc, "a1"); r.code != 4 || r.stdout != "from-process\n/usr\n" {
		t.Errorf("exec --process: %s", r)
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	o.must("exec", "--detach", "--pid-file", pidFile, "a1", "/bin/sleep", "1000")
	pid, _ := os.ReadFile(pidFile)
	o.must("kill", "--pid", string(pid), "a1", "USR1")
	if r := o.must("wait", "--pid", string(pid), "a1"); strings.TrimSpace(r.stdout) != `{"id":"a1","exitStatus":138}` {
		t.Errorf("wait --pid after SIGUSR1: %s", r)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(o.must("events", "--stats", "a1").stdout), &ev); err != nil || ev["type"] != "stats" || ev["id"] != "a1" {
		t.Errorf("events --stats: %v %v", ev, err)
	}
	o.must("exec", "--detach", "a1", "/bin/sleep", "1000")
	o.must("kill", "--all", "a1", "9")
	if r := o.must("wait", "a1"); !strings.Contains(r.stdout, `"exitStatus":137`) {
		t.Errorf("wait after kill --all: %s", r)
	}
	o.waitStatus("a1", "stopped")
	o.must("delete", "a1")
}

// TestOCIExecIntoFreshSandbox execs right after the container starts, many
// times: a stray close of a reused descriptor in the sandbox (a finalizer
// of a file made from a well-known fd) once broke about one in five.
func TestOCIExecIntoFreshSandbox(t *testing.T) {
	o := newOCI(t)
	bundle := o.bundle(nil, "/bin/sleep", "1000")
	for i := 0; i < 15; i++ {
		o.must("run", "--detach", "--bundle", bundle, "x")
		if r := o.run("exec", "x", "/bin/busybox", "sh", "-c", "pwd"); r.code != 0 || r.stdout != "/\n" {
			t.Errorf("exec %d: %s", i, r)
		}
		o.must("delete", "--force", "x")
	}
}
