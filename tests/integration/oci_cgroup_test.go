package integration

import (
	"encoding/json"
	"fmt"
	"math/rand"
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

// The host's cgroup layout, as the tests read it without Moat's code: a
// unified hierarchy at /sys/fs/cgroup, or v1 controllers under
// /sys/fs/cgroup/<controller>.
func cgroupV2() bool {
	_, err := os.Stat("/sys/fs/cgroup/cgroup.controllers")
	return err == nil
}

// cgroupFile returns the path of a cgroup's file: v1 under the
// controller's hierarchy, v2 in the unified one.
func cgroupFile(cg, ctrl, v1, v2 string) string {
	if cgroupV2() {
		return filepath.Join("/sys/fs/cgroup", cg, v2)
	}
	return filepath.Join("/sys/fs/cgroup", ctrl, cg, v1)
}

// readCgroup reads a cgroup file, trimmed.
func readCgroup(t *testing.T, cg, ctrl, v1, v2 string) string {
	t.Helper()
	b, err := os.ReadFile(cgroupFile(cg, ctrl, v1, v2))
	if err != nil {
		t.Fatalf("reading the container's cgroup: %v", err)
	}
	return strings.TrimSpace(string(b))
}

// cgroupDirs lists every directory named cg in the host's cgroup
// hierarchies.
func cgroupDirs(cg string) []string {
	var out []string
	cands, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup/*", cg))
	cands = append(cands, filepath.Join("/sys/fs/cgroup", cg))
	for _, d := range cands {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			out = append(out, d)
		}
	}
	return out
}

// testCgroupParent returns a fresh top-level cgroup name for one test
// (never made by the test itself) and checks at the end that nothing of
// it is left. Call it before newOCI, so that the check runs after the
// test's containers are force-deleted.
func testCgroupParent(t *testing.T) string {
	p := fmt.Sprintf("/moat-test-%d-%d", os.Getpid(), rand.Int63())
	t.Cleanup(func() {
		if left := cgroupDirs(p); len(left) > 0 {
			t.Errorf("cgroups left behind: %v", left)
		}
	})
	return p
}

func i64p(v int64) *int64   { return &v }
func u64p(v uint64) *uint64 { return &v }

// eventsStats runs runsc events --stats and decodes its line.
func (o *oci) eventsStats(id string) map[string]any {
	o.t.Helper()
	r := o.must("events", "--stats", id)
	var ev struct {
		Type string         `json:"type"`
		ID   string         `json:"id"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ev); err != nil || ev.Type != "stats" || ev.ID != id {
		o.t.Fatalf("events --stats %s: %v\n%s", id, err, r)
	}
	return ev.Data
}

// num digs a number out of decoded JSON by path.
func num(t *testing.T, m map[string]any, path ...string) uint64 {
	t.Helper()
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("stats: no %v in %v", path, m)
		}
		v = mm[k]
	}
	f, _ := v.(float64)
	return uint64(f)
}

// TestOCICgroupLimits: linux.resources land in the container's host
// cgroup, which holds the sandbox and the gofer; the sandbox reports the
// limits inside (meminfo, CPUs); events --stats reads the cgroup and its
// numbers move; update changes the limits (flags and --resources -);
// delete removes every directory create made.
func TestOCICgroupLimits(t *testing.T) {
	cg := testCgroupParent(t) + "/c1"
	o := newOCI(t)
	b := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{CgroupsPath: cg, Resources: &specs.LinuxResources{
			Memory: &specs.LinuxMemory{Limit: i64p(128 << 20)},
			CPU:    &specs.LinuxCPU{Quota: i64p(50000), Period: u64p(100000), Cpus: "0"},
			Pids:   &specs.LinuxPids{Limit: 32},
		}}
	}, "/bin/sh", "-c", "while :; do :; done")
	o.must("create", "--bundle", b, "c1")
	if got := readCgroup(t, cg, "memory", "memory.limit_in_bytes", "memory.max"); got != "134217728" {
		t.Errorf("memory limit %s", got)
	}
	if cgroupV2() {
		if got := readCgroup(t, cg, "cpu", "", "cpu.max"); got != "50000 100000" {
			t.Errorf("cpu.max %q", got)
		}
	} else if q, p := readCgroup(t, cg, "cpu", "cpu.cfs_quota_us", ""), readCgroup(t, cg, "cpu", "cpu.cfs_period_us", ""); q != "50000" || p != "100000" {
		t.Errorf("cpu quota %s period %s", q, p)
	}
	if got := readCgroup(t, cg, "cpuset", "cpuset.cpus", "cpuset.cpus"); got != "0" {
		t.Errorf("cpuset %q", got)
	}
	// The host backstop leaves the sentry room for its own threads; the
	// sentry itself enforces 32 (TestOCICgroupPids).
	if got := readCgroup(t, cg, "pids", "pids.max", "pids.max"); got != strconv.Itoa(2*32+256) {
		t.Errorf("host pids.max %s", got)
	}
	procs := readCgroup(t, cg, "memory", "cgroup.procs", "cgroup.procs")
	pid := int(o.state("c1")["pid"].(float64))
	if !strings.Contains("\n"+procs+"\n", fmt.Sprintf("\n%d\n", pid)) || len(strings.Fields(procs)) < 3 {
		t.Errorf("cgroup.procs %q: want the sandbox %d, the gofer and the stub", procs, pid)
	}

	o.must("start", "c1")
	if r := o.must("exec", "c1", "/bin/sh", "-c", "grep MemTotal /proc/meminfo; grep -c ^processor /proc/cpuinfo"); !strings.Contains(r.stdout, "131072 kB") || !strings.HasSuffix(r.stdout, "\n1\n") {
		t.Errorf("limits seen inside: %q", r.stdout)
	}
	s1 := o.eventsStats("c1")
	if got := num(t, s1, "memory", "usage", "limit"); got != 128<<20 {
		t.Errorf("stats memory limit %d", got)
	}
	if num(t, s1, "memory", "usage", "usage") == 0 || num(t, s1, "pids", "current") == 0 || num(t, s1, "pids", "limit") != 32 {
		t.Errorf("stats: %v", s1)
	}
	// The busy loop uses CPU: the counter moves.
	var s2 map[string]any
	for i := 0; i < 100; i++ {
		time.Sleep(50 * time.Millisecond)
		if s2 = o.eventsStats("c1"); num(t, s2, "cpu", "usage", "total") > num(t, s1, "cpu", "usage", "total") {
			break
		}
	}
	if num(t, s2, "cpu", "usage", "total") <= num(t, s1, "cpu", "usage", "total") {
		t.Errorf("cpu usage did not move: %v then %v", s1["cpu"], s2["cpu"])
	}

	o.must("update", "--cpu-quota", "20000", "--memory", "96m", "--pids-limit", "16", "c1")
	if got := readCgroup(t, cg, "memory", "memory.limit_in_bytes", "memory.max"); got != strconv.Itoa(96<<20) {
		t.Errorf("memory after update %s", got)
	}
	if cgroupV2() {
		if got := readCgroup(t, cg, "cpu", "", "cpu.max"); got != "20000 100000" {
			t.Errorf("cpu.max after update %q", got)
		}
	} else if got := readCgroup(t, cg, "cpu", "cpu.cfs_quota_us", ""); got != "20000" {
		t.Errorf("cpu quota after update %s", got)
	}
	if got := num(t, o.eventsStats("c1"), "pids", "limit"); got != 16 {
		t.Errorf("pids limit after update %d", got)
	}
	// containerd's runc shim: a JSON LinuxResources on stdin.
	if r := o.runIn(`{"cpu":{"quota":30000,"period":200000},"memory":{"limit":100663296,"reservation":33554432}}`, "update", "--resources", "-", "c1"); r.code != 0 {
		t.Fatalf("update -r -: %s", r)
	}
	if cgroupV2() {
		if got := readCgroup(t, cg, "cpu", "", "cpu.max"); got != "30000 200000" {
			t.Errorf("cpu.max after update -r %q", got)
		}
	} else if q, p := readCgroup(t, cg, "cpu", "cpu.cfs_quota_us", ""), readCgroup(t, cg, "cpu", "cpu.cfs_period_us", ""); q != "30000" || p != "200000" {
		t.Errorf("cpu after update -r: quota %s period %s", q, p)
	}
	if got := readCgroup(t, cg, "memory", "memory.soft_limit_in_bytes", "memory.low"); got != "33554432" {
		t.Errorf("memory reservation %s", got)
	}
	// Bad updates: a clear error, nothing changed.
	o.fails("cpuset.cpus", "update", "--cpuset-cpus", "4096", "c1")
	o.fails("invalid value for memory", "update", "--memory", "lots", "c1")
	o.fails("swap", "update", "--memory", "64m", "--memory-swap", "32m", "c1")
	if got := readCgroup(t, cg, "cpuset", "cpuset.cpus", "cpuset.cpus"); got != "0" {
		t.Errorf("cpuset after a refused update %q", got)
	}
	o.must("kill", "c1", "KILL")
	o.waitStatus("c1", "stopped")
	o.fails("not running", "update", "--memory", "64m", "c1")
	o.fails("not running", "events", "--stats", "c1")
	o.must("delete", "c1")
	if left := cgroupDirs(cg); len(left) > 0 {
		t.Errorf("cgroups left after delete: %v", left)
	}
}

// TestOCICgroupOOM: a container allocating past its memory limit has the
// allocating process OOM-killed by the host (the sandbox survives), and
// the events stream reports it.
func TestOCICgroupOOM(t *testing.T) {
	cg := testCgroupParent(t) + "/oom"
	o := newOCI(t)
	b := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{CgroupsPath: cg, Resources: &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: i64p(64 << 20)}}}
	}, "/bin/sleep", "1000")
	o.must("create", "--bundle", b, "oom")
	o.must("start", "oom")
	out := filepath.Join(t.TempDir(), "events")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ev := exec.Command(o.runsc, "--root="+o.root, "events", "--interval", "1s", "oom")
	ev.Stdout = f
	if err := ev.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { ev.Process.Kill(); ev.Wait() }()
	// The stream is up once its first stats line is out.
	waitFor(t, out, `"type":"stats"`)
	// dd's 200 MiB buffer is filled from /dev/zero: far past the limit.
	if r := o.run("exec", "oom", "/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=200M", "count=1"); r.code != 137 && !strings.Contains(r.stderr, "memory") {
		t.Errorf("allocating past the limit: %s", r)
	}
	waitFor(t, out, `{"type":"oom","id":"oom"}`)
	// The sandbox lives on: the stubs' raised oom_score_adj makes the
	// kernel kill an application process, never the sentry. (Memory the
	// victim held may take a moment to come back.)
	var r result
	for i := 0; i < 50; i++ {
		if r = o.run("exec", "oom", "echo", "alive"); r.stdout == "alive\n" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r.stdout != "alive\n" {
		t.Errorf("sandbox after the OOM kill: %s", r)
	}
	if st := o.state("oom")["status"]; st != "running" {
		t.Errorf("status after the OOM kill: %v", st)
	}
	// The stubs, not the sentry or the gofer, are the OOM killer's
	// choice.
	pid := int(o.state("oom")["pid"].(float64))
	sentry := readInt(t, fmt.Sprintf("/proc/%d/oom_score_adj", pid))
	kids, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, k := range kids {
		b, _ := os.ReadFile(k)
		for _, c := range strings.Fields(string(b)) {
			if adj := readInt(t, "/proc/"+c+"/oom_score_adj"); adj <= sentry {
				t.Errorf("stub %s has oom_score_adj %d, the sentry %d", c, adj, sentry)
			}
		}
	}
}

// readInt reads a file holding one integer.
func readInt(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return n
}

// waitFor waits until file holds want.
func waitFor(t *testing.T, file, want string) {
	t.Helper()
	for i := 0; i < 400; i++ {
		if b, _ := os.ReadFile(file); strings.Contains(string(b), want) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, _ := os.ReadFile(file)
	t.Fatalf("%s never showed %s:\n%s", file, want, b)
}

// TestOCICgroupPids: past the pids limit, fork fails with EAGAIN inside
// the sandbox and the sentry keeps serving; update raises the limit in
// the sentry too.
func TestOCICgroupPids(t *testing.T) {
	cg := testCgroupParent(t) + "/pids"
	o := newOCI(t)
	b := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{CgroupsPath: cg, Resources: &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: 10}}}
	}, "/bin/sleep", "1000")
	o.must("create", "--bundle", b, "p")
	o.must("start", "p")
	r := o.run("exec", "p", "/bin/sh", "-c", "for i in $(seq 40); do sleep 1000 & done")
	if r.code == 0 || !strings.Contains(r.stderr, "Resource temporarily unavailable") {
		t.Errorf("fork past the limit: %s", r)
	}
	// init, and the sleeps the shell started before it failed.
	if got := num(t, o.eventsStats("p"), "pids", "current"); got < 8 || got > 10 {
		t.Errorf("tasks at the limit: %d, want 8 to 10", got)
	}
	more := []string{"/bin/sh", "-c", "for i in 1 2 3 4 5; do sleep 1000 & done; echo more"}
	if r := o.run(append([]string{"exec", "p"}, more...)...); r.code == 0 {
		t.Errorf("forks past the limit succeeded: %s", r)
	}
	o.must("update", "--pids-limit", "30", "p")
	if r := o.must(append([]string{"exec", "p"}, more...)...); r.stdout != "more\n" {
		t.Errorf("forks after raising the limit: %s", r)
	}
	if st := o.state("p")["status"]; st != "running" {
		t.Errorf("status %v after the fork bomb", st)
	}
}

// TestOCIPauseResume: pause freezes a counter written to a bind-mounted
// host file, resume lets it go on; state and list say paused; wrong
// transitions get runc's errors; a paused container can be killed and
// deleted.
func TestOCIPauseResume(t *testing.T) {
	o := newOCI(t)
	vol := t.TempDir()
	counter := filepath.Join(vol, "n")
	b := o.bundle(func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/home", Type: "bind", Source: vol, Options: []string{"rbind", "rw"}})
	}, "/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /home/n.tmp; mv /home/n.tmp /home/n; sleep 0.02; done")
	read := func() int {
		b, _ := os.ReadFile(counter)
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return n
	}
	waitAbove := func(n int) int {
		for i := 0; i < 400; i++ {
			if v := read(); v > n {
				return v
			}
			time.Sleep(25 * time.Millisecond)
		}
		t.Fatalf("counter stuck at %d", read())
		return 0
	}
	o.must("create", "--bundle", b, "pz")
	o.fails("not paused", "resume", "pz")
	o.must("start", "pz")
	waitAbove(3)
	o.must("pause", "pz")
	if st := o.state("pz")["status"]; st != "paused" {
		t.Errorf("state after pause: %v", st)
	}
	if r := o.must("list", "--format", "json"); !strings.Contains(r.stdout, `"status":"paused"`) {
		t.Errorf("list after pause: %s", r.stdout)
	}
	frozen := read()
	time.Sleep(500 * time.Millisecond)
	if v := read(); v != frozen {
		t.Errorf("counter moved while paused: %d then %d", frozen, v)
	}
	o.fails("paused", "pause", "pz")
	o.fails("paused", "exec", "pz", "/bin/true")
	o.must("resume", "pz")
	if st := o.state("pz")["status"]; st != "running" {
		t.Errorf("state after resume: %v", st)
	}
	waitAbove(frozen + 3)
	o.fails("not paused", "resume", "pz")
	// Kill while paused: the container stops and can be deleted.
	o.must("pause", "pz")
	o.must("kill", "pz", "KILL")
	o.waitStatus("pz", "stopped")
	o.fails("stopped", "pause", "pz")
	o.fails("not paused", "resume", "pz")
	o.must("delete", "pz")
}

// TestOCICgroupCleanup: no cgroup is left after a create that fails on
// an impossible cpuset, after delete --force of a sandbox SIGKILLed from
// outside, or with a systemd cgroupsPath; a cgroup that existed before
// is joined and left in place.
func TestOCICgroupCleanup(t *testing.T) {
	parent := testCgroupParent(t)
	o := newOCI(t)

	bad := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{CgroupsPath: parent + "/bad", Resources: &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0-4095"}}}
	}, "/bin/true")
	o.fails("cpuset.cpus", "create", "--bundle", bad, "bad")
	if left := cgroupDirs(parent); len(left) > 0 {
		t.Errorf("failed create left %v", left)
	}
	if ents, _ := os.ReadDir(o.root); len(ents) != 0 {
		t.Errorf("failed create left state: %v", ents)
	}

	killed := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{CgroupsPath: parent + "/k", Resources: &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: i64p(256 << 20)}}}
	}, "/bin/sleep", "1000")
	o.must("create", "--bundle", killed, "k")
	o.must("start", "k")
	pid := int(o.state("k")["pid"].(float64))
	syscall.Kill(pid, syscall.SIGKILL)
	o.waitStatus("k", "stopped")
	o.must("delete", "--force", "k")
	if left := cgroupDirs(parent); len(left) > 0 {
		t.Errorf("delete --force of a killed sandbox left %v", left)
	}

	// Default path: /moat/<id>.
	id := fmt.Sprintf("dflt%d", rand.Int63())
	o.must("create", "--bundle", o.bundle(nil, "/bin/true"), id)
	if len(cgroupDirs("/moat/"+id)) == 0 {
		t.Errorf("no cgroup at /moat/%s", id)
	}
	o.must("delete", "--force", id)
	if left := cgroupDirs("/moat/" + id); len(left) > 0 {
		t.Errorf("left %v", left)
	}

	// systemd's slice:prefix:name, laid out as systemd would.
	slice := strings.TrimPrefix(parent, "/") + ".slice"
	slice = strings.ReplaceAll(slice, "-", "_")
	sd := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{CgroupsPath: slice + ":moat:sd", Resources: &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: 50}}}
	}, "/bin/true")
	r := o.run("--systemd-cgroup", "create", "--bundle", sd, "sd")
	if r.code != 0 {
		t.Fatalf("create with a systemd path: %s", r)
	}
	scope := "/" + slice + "/moat-sd.scope"
	if got := readCgroup(t, scope, "pids", "pids.max", "pids.max"); got != strconv.Itoa(2*50+256) {
		t.Errorf("systemd scope pids.max %s", got)
	}
	o.must("delete", "--force", "sd")
	if left := cgroupDirs("/" + slice); len(left) > 0 {
		t.Errorf("systemd cgroups left %v", left)
	}

	// A cgroup made by someone else is joined, and survives delete.
	own := parent + "/preexisting"
	var made []string
	for _, d := range []string{"/sys/fs/cgroup/memory", "/sys/fs/cgroup"} {
		if st, err := os.Stat(d + "/cgroup.procs"); err == nil && !st.IsDir() {
			if err := os.MkdirAll(d+own, 0o755); err != nil {
				t.Fatal(err)
			}
			made = append(made, d+own, d+parent)
			break
		}
	}
	defer func() {
		for _, d := range made {
			os.Remove(d)
		}
	}()
	j := o.bundle(func(s *specs.Spec) { s.Linux = &specs.Linux{CgroupsPath: own} }, "/bin/true")
	o.must("create", "--bundle", j, "j")
	o.must("delete", "--force", "j")
	if _, err := os.Stat(made[0]); err != nil {
		t.Errorf("a cgroup Moat did not make was removed: %v", err)
	}
}
