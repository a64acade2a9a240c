package e2eutil

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// RunscStateRoot is the shim's default runsc --root; the namespace is
// appended to it.
const RunscStateRoot = "/run/moat/containerd"

// CheckNoLeaks fails t if anything of a daemon run remains once the
// daemon has stopped: a process whose command line names dir or namespace
// (shim, runsc sandbox or gofer; given 15 s to exit), a mount under dir,
// runsc state under RunscStateRoot/namespace, or a cgroup named namespace
// (containerd's default cgroups path is /namespace/id). Leaked processes
// are killed and mounts unmounted after they are reported.
func CheckNoLeaks(t testing.TB, dir, namespace string) {
	t.Helper()
	var procs []string
	deadline := time.Now().Add(15 * time.Second)
	for {
		procs = ProcessesNaming(dir, namespace)
		if len(procs) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, p := range procs {
		t.Errorf("leaked process: %s", p)
		pid, _ := strconv.Atoi(strings.Fields(p)[0])
		syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, m := range MountsUnder(dir) {
		t.Errorf("leaked mount: %s", m)
		syscall.Unmount(m, syscall.MNT_DETACH)
	}
	state := filepath.Join(RunscStateRoot, namespace)
	if ents, err := os.ReadDir(state); err == nil {
		for _, e := range ents {
			t.Errorf("leaked runsc state: %s", filepath.Join(state, e.Name()))
		}
		os.RemoveAll(state)
	}
	cgs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", namespace))
	more, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", namespace))
	for _, cg := range append(cgs, more...) {
		t.Errorf("leaked cgroup: %s", cg)
	}
}

// CheckNoCgroupsBelow fails t if a cgroup is left below parent (a cgroup
// parent such as kubelet gives a pod) in any hierarchy, then removes
// parent itself: runtimes remove the cgroups they made, not the parents
// those needed.
func CheckNoCgroupsBelow(t testing.TB, parent string) {
	t.Helper()
	cgs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", parent))
	more, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", parent))
	for _, cg := range append(cgs, more...) {
		ents, _ := os.ReadDir(cg)
		for _, e := range ents {
			if e.IsDir() {
				t.Errorf("leaked cgroup: %s", filepath.Join(cg, e.Name()))
			}
		}
		if err := syscall.Rmdir(cg); err != nil {
			t.Errorf("removing the cgroup parent %s: %v", cg, err)
		}
	}
}

// ProcessesNaming lists "PID cmdline" of live processes whose command line
// contains one of the markers.
func ProcessesNaming(markers ...string) []string {
	var out []string
	self := strconv.Itoa(os.Getpid())
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid := filepath.Base(d)
		if pid == self {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil || len(b) == 0 {
			continue
		}
		cmd := strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
		if st, err := os.ReadFile(filepath.Join(d, "stat")); err == nil {
			if i := strings.LastIndexByte(string(st), ')'); i > 0 && strings.HasPrefix(string(st[i:]), ") Z") {
				continue // a zombie: exited, its parent has not reaped it yet
			}
		}
		for _, m := range markers {
			if m != "" && strings.Contains(cmd, m) {
				out = append(out, pid+" "+cmd)
				break
			}
		}
	}
	return out
}

// MountsUnder lists the mount points at or below dir, deepest first.
func MountsUnder(dir string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := fields[4]
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append([]string{mp}, out...)
		}
	}
	return out
}
