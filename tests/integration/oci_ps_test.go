package integration

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestOCIPsHostPIDs: `runsc ps --format json` lists host PIDs, as runc's
// does, so that dockerd's `docker top` (the host's `ps -ef`, rows kept by
// PID) shows the container's processes: each is a host process in the
// sandbox's cgroup and PID namespace whose /proc/PID/cmdline is the
// program's argv and whose comm is its name. --sandbox-pids gives the
// sandbox's own PIDs.
func TestOCIPsHostPIDs(t *testing.T) {
	o := newOCI(t)
	o.must("run", "--detach", "--bundle", o.bundle(nil, "/bin/sh", "-c", "sleep 1000 & exec sleep 1001"), "c1")
	o.must("exec", "--detach", "c1", "/bin/sleep", "999")
	sandbox := int(o.state("c1")["pid"].(float64))

	// busybox's shell runs applets as /proc/self/exe and they rename
	// themselves (prctl PR_SET_NAME) as on Linux: all three are "sleep".
	want := map[string]string{"sleep\x001000": "sleep", "sleep\x001001": "sleep", "/bin/sleep\x00999": "sleep"}
	var pids []int
	for i := 0; ; i++ {
		pids = nil
		if err := json.Unmarshal([]byte(o.must("ps", "--format", "json", "c1").stdout), &pids); err != nil {
			t.Fatal(err)
		}
		if len(pids) == 3 || i == 50 {
			break
		}
		o.must("exec", "c1", "/bin/sleep", "0.1")
	}
	if len(pids) != 3 {
		t.Fatalf("ps --format json: %v, want the three sleeps", pids)
	}
	cgroup, _ := os.ReadFile("/proc/" + strconv.Itoa(sandbox) + "/cgroup")
	pidns, _ := os.Readlink("/proc/" + strconv.Itoa(sandbox) + "/ns/pid")
	for _, pid := range pids {
		proc := "/proc/" + strconv.Itoa(pid)
		// A process listed while it is still starting (the shell's exec
		// of sleep 1001, an applet before its prctl) shows its name a
		// moment later, as on Linux: wait for it, for at most 10 s.
		var args string
		var comm []byte
		for i := 0; i < 100; i++ {
			cmdline, _ := os.ReadFile(proc + "/cmdline")
			args = strings.TrimRight(string(cmdline), "\x00")
			comm, _ = os.ReadFile(proc + "/comm")
			if name, ok := want[args]; ok && strings.TrimSpace(string(comm)) == name {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if name, ok := want[args]; !ok || strings.TrimSpace(string(comm)) != name {
			t.Errorf("host process %d: cmdline %q comm %q, want one of %q", pid, args, comm, want)
		}
		delete(want, args)
		if cg, _ := os.ReadFile(proc + "/cgroup"); len(cgroup) == 0 || string(cg) != string(cgroup) {
			t.Errorf("host process %d is in cgroup %q, the sandbox in %q", pid, cg, cgroup)
		}
		if ns, _ := os.Readlink(proc + "/ns/pid"); pidns == "" || ns != pidns {
			t.Errorf("host process %d is in PID namespace %q, the sandbox in %q", pid, ns, pidns)
		}
		// What dockerd's `docker top` prints: the host's ps.
		if ps, err := exec.LookPath("ps"); err == nil {
			out, _ := exec.Command(ps, "-o", "args=", "-p", strconv.Itoa(pid)).Output()
			if got := strings.TrimSpace(string(out)); got != strings.ReplaceAll(args, "\x00", " ") {
				t.Errorf("host ps -p %d: %q, want %q", pid, got, strings.ReplaceAll(args, "\x00", " "))
			}
		}
	}

	var inside []int
	if err := json.Unmarshal([]byte(o.must("ps", "--format", "json", "--sandbox-pids", "c1").stdout), &inside); err != nil || len(inside) != 3 || inside[0] != 1 {
		t.Errorf("ps --format json --sandbox-pids: %v %v", inside, err)
	}
	// pidmap pairs the two: the same host PIDs, each with its process's
	// sandbox PID (init, PID 1, is the shell's exec'd sleep 1001).
	var pairs []struct {
		HostPID    int `json:"hostPid"`
		SandboxPID int `json:"sandboxPid"`
	}
	if err := json.Unmarshal([]byte(o.must("ps", "--format", "pidmap", "c1").stdout), &pairs); err != nil || len(pairs) != 3 {
		t.Fatalf("ps --format pidmap: %v %v", pairs, err)
	}
	for i, p := range pairs {
		if p.HostPID != pids[i] || p.SandboxPID != inside[i] {
			t.Errorf("ps --format pidmap: %v, want host PIDs %v with sandbox PIDs %v", pairs, pids, inside)
		}
		cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(p.HostPID) + "/cmdline")
		if args := strings.TrimRight(string(cmdline), "\x00"); p.SandboxPID == 1 && args != "sleep\x001001" {
			t.Errorf("ps --format pidmap: sandbox PID 1 at host PID %d runs %q, want sleep 1001", p.HostPID, args)
		}
	}
	// The table stays the sandbox's view.
	if r := o.must("ps", "c1"); !strings.Contains(r.stdout, "sleep 1000") || !strings.Contains(r.stdout, "/bin/sleep 999") {
		t.Errorf("ps:\n%s", r.stdout)
	}
	o.must("delete", "--force", "c1")
}
