package e2e

import (
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"moat/tests/e2e/e2eutil"
)

// TestCtrPsHostPIDs: `ctr task ps` lists host PIDs, as with runc, so that
// a host tool given them (dockerd's `docker top` through a runtimeType
// runtime filters the host's ps by them) finds the container's processes:
// the same container under runc's shim and under Moat's gives the same
// commands at the listed PIDs, and the exec'd process carries its exec ID
// in both.
func TestCtrPsHostPIDs(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		rts := ctrRuntimes(t, c)
		want := psRows(t, c, image, "ps-runc", rts[0].flags...)
		got := psRows(t, c, image, "ps-runsc", rts[1].flags...)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("ctr task ps: the commands at the listed host PIDs differ\nrunc:\n%s\nrunsc:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
		}
	})
}

// ctrRuntime is a runtime for `ctr run`: its name and the flags that
// select it.
type ctrRuntime struct {
	name  string
	flags []string
}

// ctrRuntimes are runc's shim of c's version (ctr takes a shim's path as
// the runtime; the container gets no cgroup, since runc leaves the
// parents of those it makes) and Moat's, in that order.
func ctrRuntimes(t *testing.T, c *e2eutil.Containerd) []ctrRuntime {
	runcShim, err := e2eutil.RuncShim(c.Version)
	e2eutil.Require(t, err)
	return []ctrRuntime{
		{"runc", []string{"--runtime", runcShim, "--cgroup", ""}},
		{"runsc", []string{"--runtime", runtime}},
	}
}

// psRows runs a container with an exec'd process with the runtime flags
// and returns, sorted, "<command line of the host PID> <exec ID or ->"
// for each row of `ctr task ps`.
func psRows(t *testing.T, c *e2eutil.Containerd, image, id string, flags ...string) []string {
	t.Helper()
	runtime := strings.Join(flags, " ")
	args := append(append([]string{"run", "-d"}, flags...), image, id, "sh", "-c", "sleep 1000 & sleep 1001 & wait")
	if r := c.Ctr(t, args...); r.ExitCode != 0 {
		t.Fatalf("ctr run -d %s: %s", runtime, r)
	}
	defer func() {
		c.Ctr(t, "tasks", "kill", "-s", "SIGKILL", id)
		waitStatus(t, c, id, "STOPPED")
		removeTask(t, c, id)
	}()
	waitStatus(t, c, id, "RUNNING")
	if r := c.Ctr(t, "tasks", "exec", "-d", "--exec-id", "e1", id, "sleep", "1002"); r.ExitCode != 0 {
		t.Fatalf("ctr tasks exec -d: %s", r)
	}
	r := waitExec(t, c, id, "e1")
	var rows []string
	for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n")[1:] {
		f := strings.Fields(line)
		pid, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("ctr task ps: row %q", line)
		}
		b, err := os.ReadFile("/proc/" + f[0] + "/cmdline")
		if err != nil || pid <= 0 {
			t.Errorf("ctr task ps under %s: PID %d is not a host process: %v\n%s", runtime, pid, err, r.Stdout)
			continue
		}
		// The INFO column: &ProcessDetails{ExecID:e1,} (1.6), exec_id:"e1" (2.x).
		exec := "-"
		if info := strings.Join(f[1:], " "); strings.Contains(info, "ExecID:e1") || strings.Contains(info, `exec_id:"e1"`) {
			exec = "e1"
		}
		rows = append(rows, strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))+" "+exec)
	}
	sort.Strings(rows)
	want := []string{"sh -c sleep 1000 & sleep 1001 & wait -", "sleep 1000 -", "sleep 1001 -", "sleep 1002 e1"}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("ctr task ps under %s: want rows\n%s\ngot\n%s\n(ps: %s)", runtime, strings.Join(want, "\n"), strings.Join(rows, "\n"), r.Stdout)
	}
	return rows
}
