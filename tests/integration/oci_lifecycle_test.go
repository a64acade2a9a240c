package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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
	pid, _ := st["pid"].(float64)
	b, _ := os.ReadFile(pidFile)
	if pid <= 0 || strings.TrimSpace(string(b)) != strconv.Itoa(int(pid)) {
		t.Errorf("pid %v, pid file %q", st["pid"], b)
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
	o.must("exec", "--detach", "--pid-file", execPID, "c1", "/bin/sleep", "1000")
	b, _ = os.ReadFile(execPID)
	sleepPID := strings.TrimSpace(string(b))

	var pids []int
	if err := json.Unmarshal([]byte(o.must("ps", "--format", "json", "c1").stdout), &pids); err != nil || len(pids) < 2 || pids[0] != 1 {
		t.Errorf("ps --format json: %v %v", pids, err)
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

// TestOCIRun checks run's exit codes, output, --detach and --keep.
func TestOCIRun(t *testing.T) {
	o := newOCI(t)
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"/bin/sh", "-c", "echo hello; exit 42"}, 42, "hello\n"},
		{[]string{"/bin/true"}, 0, ""},
		// init cannot kill itself (PID namespace rule); a child can die.
		{[]string{"/bin/sh", "-c", "sleep 10 & kill -9 $!; wait $!; exit $?"}, 137, ""},
	} {
		r := o.run("run", "--bundle", o.bundle(nil, tc.args...), "r1")
		if r.code != tc.code || r.stdout != tc.out {
			t.Errorf("run %q: want %d %q, got %s", tc.args, tc.code, tc.out, r)
		}
		if ents, _ := os.ReadDir(o.root); len(ents) != 0 {
			t.Errorf("run %q left state behind", tc.args)
		}
	}

	o.must("run", "--detach", "--bundle", o.bundle(nil, loopUntilTERM...), "d1")
	o.waitStatus("d1", "running")
	o.must("kill", "d1", "SIGTERM")
	if r := o.must("wait", "d1"); !strings.Contains(r.stdout, `"exitStatus":7`) {
		t.Errorf("wait: %s", r)
	}
	o.must("delete", "d1")

	if r := o.run("run", "--keep", "--bundle", o.bundle(nil, "/bin/sh", "-c", "exit 3"), "k1"); r.code != 3 {
		t.Errorf("run --keep: %s", r)
	}
	o.waitStatus("k1", "stopped")
	o.must("delete", "k1")
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

// TestOCIMountThroughSymlink mounts on a destination that is a symlink
// pointing far above the root: it resolves inside the container's root,
// and nothing happens on the host outside the bundle's rootfs.
func TestOCIMountThroughSymlink(t *testing.T) {
	o := newOCI(t)
	rootfs := t.TempDir()
	for _, d := range []string{"bin", "proc", "dev", "tmp"} {
		os.Mkdir(filepath.Join(rootfs, d), 0o755)
	}
	bb, err := os.ReadFile(filepath.Join(o.rootfs, "bin", "busybox"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(rootfs, "bin", "busybox"), bb, 0o755)
	outside := t.TempDir() // a host directory the link aims at
	os.Symlink("../../../../../../../.."+outside, filepath.Join(rootfs, "evil"))
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "marker"), []byte("m\n"), 0o644)
	bundle := o.bundle(func(s *specs.Spec) {
		s.Root = &specs.Root{Path: rootfs}
		// No tmpfs on /tmp: outside's name starts with /tmp.
		s.Mounts = append(s.Mounts[:2], specs.Mount{Destination: "/evil", Type: "bind", Source: src, Options: []string{"rbind", "ro"}})
	}, "/bin/busybox", "cat", "/evil/marker", outside+"/marker")
	if r := o.run("run", "--bundle", bundle, "m1"); r.code != 0 || r.stdout != "m\nm\n" {
		t.Errorf("run: %s", r)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("the host directory behind the symlink changed: %v", ents)
	}
	if _, err := os.Stat(filepath.Join(rootfs, outside)); err != nil {
		t.Errorf("the mount point was not created inside the rootfs: %v", err)
	}
}

// TestOCINetworkNamespacePath checks that the sandbox joins the network
// namespace the spec names (Docker, CRI) instead of making its own.
func TestOCINetworkNamespacePath(t *testing.T) {
	o := newOCI(t)
	holder := exec.Command("unshare", "--net", "sleep", "1000")
	if err := holder.Start(); err != nil {
		t.Skipf("unshare: %v", err)
	}
	defer func() {
		holder.Process.Kill()
		holder.Wait()
	}()
	nsPath := fmt.Sprintf("/proc/%d/ns/net", holder.Process.Pid)
	var want string
	for i := 0; i < 100; i++ { // until unshare has exec'd sleep
		want, _ = os.Readlink(nsPath)
		self, _ := os.Readlink("/proc/self/ns/net")
		if want != "" && want != self {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	bundle := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: nsPath}}}
	}, "/bin/sleep", "1000")
	o.must("create", "--bundle", bundle, "n1")
	pid := int(o.state("n1")["pid"].(float64))
	got, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	if got != want {
		t.Errorf("sandbox network namespace %q, want %q", got, want)
	}
	o.must("delete", "n1")

	bad := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: "/nonexistent/ns"}}}
	}, "/bin/true")
	o.fails("network namespace", "create", "--bundle", bad, "n2")
}

// TestOCIHostSettings checks what the spec sets on the host processes:
// oomScoreAdj on the sandbox (and so on its stubs); namespaced sysctls
// are accepted.
func TestOCIHostSettings(t *testing.T) {
	o := newOCI(t)
	adj := 123
	bundle := o.bundle(func(s *specs.Spec) {
		s.Process.OOMScoreAdj = &adj
		s.Linux = &specs.Linux{Sysctl: map[string]string{"net.ipv4.ip_unprivileged_port_start": "0", "kernel.shmmax": "1000"}}
	}, "/bin/sleep", "1000")
	o.must("create", "--bundle", bundle, "h1")
	pid := int(o.state("h1")["pid"].(float64))
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/oom_score_adj", pid))
	if strings.TrimSpace(string(b)) != "123" {
		t.Errorf("sandbox oom_score_adj %q, want 123", b)
	}
	o.must("delete", "h1")
}

// TestOCIRunForwardsSignals sends SIGTERM to runsc run and to runsc exec:
// each reaches its process, whose exit code comes back.
func TestOCIRunForwardsSignals(t *testing.T) {
	o := newOCI(t)
	trap := func(code int) []string {
		return []string{"/bin/sh", "-c", fmt.Sprintf(`trap "exit %d" TERM; echo ready; while :; do sleep 0.05; done`, code)}
	}
	start := func(args ...string) (*exec.Cmd, string) {
		out := filepath.Join(t.TempDir(), "out")
		f, _ := os.Create(out)
		defer f.Close()
		cmd := exec.Command(o.runsc, append([]string{"--root=" + o.root}, args...)...)
		cmd.Stdout = f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, out
	}
	waitReady := func(out string) {
		for i := 0; i < 400; i++ {
			if b, _ := os.ReadFile(out); strings.Contains(string(b), "ready") {
				return
			}
			time.Sleep(25 * time.Millisecond)
		}
		t.Fatalf("%s never said ready", out)
	}
	run, out := start("run", "--bundle", o.bundle(nil, trap(9)...), "s1")
	waitReady(out)
	ex, exOut := start(append([]string{"exec", "s1"}, trap(4)...)...)
	waitReady(exOut)
	ex.Process.Signal(syscall.SIGTERM)
	if err := ex.Wait(); ex.ProcessState.ExitCode() != 4 {
		t.Errorf("exec after SIGTERM: %v", err)
	}
	run.Process.Signal(syscall.SIGTERM)
	if err := run.Wait(); run.ProcessState.ExitCode() != 9 {
		t.Errorf("run after SIGTERM: %v", err)
	}
}
