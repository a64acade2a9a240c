package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/tests/testutil"
)

// buildCgroupCPU builds testdata/cgroupcpu (CGO_ENABLED=0, static) into
// a directory of its own, which the tests bind-mount at /tmp/gm.
func buildCgroupCPU(t *testing.T) string {
	t.Helper()
	gotool, err := exec.LookPath("go")
	if err != nil {
		gotool = "/usr/local/go/bin/go"
	}
	dir := t.TempDir()
	cmd := exec.Command(gotool, "build", "-trimpath", "-o", filepath.Join(dir, "cgroupcpu"), "./testdata/cgroupcpu")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./testdata/cgroupcpu: %v\n%s", err, out)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sysfsView runs script (lines of "echo key=value") in the container and
// returns the values by key.
func (o *oci) sysfsView(id, script string) map[string]string {
	o.t.Helper()
	r := o.must("exec", id, "/bin/sh", "-c", script)
	m := map[string]string{}
	for _, line := range strings.Split(r.stdout, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

// cpuList is how Linux prints CPUs 0..n-1.
func cpuList(n int) string {
	if n == 1 {
		return "0"
	}
	return "0-" + strconv.Itoa(n-1)
}

// sysfsCommon reads what both cgroup layouts share: the CPU count as
// sysfs, affinity, cpuinfo and a Go program see it, and meminfo.
const sysfsCommon = `
echo online=$(cat /sys/devices/system/cpu/online)
echo possible=$(cat /sys/devices/system/cpu/possible)
echo present=$(cat /sys/devices/system/cpu/present)
echo cpudirs=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)
echo nproc=$(nproc)
echo nprocall=$(nproc --all)
echo cpuinfo=$(grep -c ^processor /proc/cpuinfo)
echo memtotal=$(grep MemTotal /proc/meminfo | tr -s ' ')
echo selfcgroup=$(cat /proc/self/cgroup | tr '\n' ' ')
echo proccgroups=$(tail -n +2 /proc/cgroups | cut -f1,2,4 | tr '\t\n' ': ')
echo go=$(/tmp/gm/cgroupcpu)
echo sysfs=$(stat -f -c %T /sys)
echo top=$(ls /sys | tr '\n' ' ')
`

// sysfsV1 reads the cgroup v1 layout.
const sysfsV1 = sysfsCommon + `
echo hier=$(ls /sys/fs/cgroup | tr '\n' ' ')
echo mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
echo quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)
echo period=$(cat /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us)
echo shares=$(cat /sys/fs/cgroup/cpuacct/cpu.shares)
echo cpuset=$(cat /sys/fs/cgroup/cpuset/cpuset.cpus)
echo pidsmax=$(cat /sys/fs/cgroup/pids/pids.max)
echo pidscur=$(cat /sys/fs/cgroup/pids/pids.current)
echo procs=$(cat /sys/fs/cgroup/pids/cgroup.procs | tr '\n' ' ')
echo mountinfo=$(grep ' /sys/fs/cgroup/cpu,cpuacct ' /proc/self/mountinfo | cut -d' ' -f4-)
echo write=$(echo 1 2>&1 >/sys/fs/cgroup/pids/pids.max)
echo mkdir=$(mkdir /sys/fs/cgroup/memory/x 2>&1)
`

// sysfsV2 reads the cgroup v2 layout.
const sysfsV2 = sysfsCommon + `
echo controllers=$(cat /sys/fs/cgroup/cgroup.controllers)
echo mem=$(cat /sys/fs/cgroup/memory.max)
echo cpumax=$(cat /sys/fs/cgroup/cpu.max)
echo weight=$(cat /sys/fs/cgroup/cpu.weight)
echo cpuset=$(cat /sys/fs/cgroup/cpuset.cpus.effective)
echo pidsmax=$(cat /sys/fs/cgroup/pids.max)
echo pidscur=$(cat /sys/fs/cgroup/pids.current)
echo procs=$(cat /sys/fs/cgroup/cgroup.procs | tr '\n' ' ')
echo cgfs=$(stat -f -c %t /sys/fs/cgroup)
echo write=$(echo 1 2>&1 >/sys/fs/cgroup/memory.max)
echo mkdir=$(mkdir /sys/fs/cgroup/x 2>&1)
`

// TestOCISysfs runs a container with memory, CPU quota and pids limits
// and /sys and /sys/fs/cgroup mounted as the default spec does (cgroup,
// the v1 layout) and as cgroup2: sysfs's CPU lists, nproc, cpuinfo and
// a CGO_ENABLED=0 Go program's GOMAXPROCS agree with the quota, the
// cgroup files show the limits and the container's processes, /proc/
// self/cgroup and mountinfo lead Go's runtime to them, writes fail, and
// runsc update changes what all of them show (a running Go program's
// GOMAXPROCS follows it).
func TestOCISysfs(t *testing.T) {
	gm := buildCgroupCPU(t)
	for _, tc := range []struct{ name, typ, script string }{
		{"v1", "cgroup", sysfsV1},
		{"v2", "cgroup2", sysfsV2},
	} {
		t.Run(tc.name, func(t *testing.T) { testSysfs(t, gm, tc.typ, tc.script) })
	}
}

func testSysfs(t *testing.T, gm, typ, script string) {
	cg := testCgroupParent(t) + "/c1"
	o := newOCI(t)
	ro := []string{"nosuid", "noexec", "nodev", "ro"}
	b := o.bundle(func(s *specs.Spec) {
		s.Mounts = append(s.Mounts,
			specs.Mount{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: ro},
			specs.Mount{Destination: "/sys/fs/cgroup", Type: typ, Source: "cgroup", Options: append(ro, "relatime")},
			specs.Mount{Destination: "/tmp/gm", Type: "bind", Source: gm, Options: []string{"rbind", "ro"}},
		)
		s.Linux = &specs.Linux{CgroupsPath: cg, Resources: &specs.LinuxResources{
			Memory: &specs.LinuxMemory{Limit: i64p(128 << 20)},
			CPU:    &specs.LinuxCPU{Quota: i64p(150000), Period: u64p(100000), Shares: u64p(512)},
			Pids:   &specs.LinuxPids{Limit: 40},
		}}
	}, "/bin/sleep", "1000")
	o.must("create", "--bundle", b, "c1")
	o.must("start", "c1")

	host := runtime.NumCPU()
	n := min(host, 2) // ceil(150000/100000)
	v := o.sysfsView("c1", script)
	t.Logf("%s view: %v", typ, v)
	checkCPUs(t, v, n, "150000/100000")
	want := map[string]string{
		"memtotal": "MemTotal: 131072 kB",
		"pidsmax":  "40",
		"sysfs":    "sysfs",
		"top":      "block bus class dev devices firmware fs kernel module power",
		"mkdir":    "mkdir: can't create directory '/sys/fs/cgroup/" + map[string]string{"cgroup": "memory/x", "cgroup2": "x"}[typ] + "': Read-only file system",
	}
	if typ == "cgroup" {
		for k, w := range map[string]string{
			"hier":        "cpu cpu,cpuacct cpuacct cpuset memory pids",
			"mem":         "134217728",
			"quota":       "150000",
			"period":      "100000",
			"shares":      "512",
			"cpuset":      cpuList(n),
			"selfcgroup":  "4:pids:/ 3:memory:/ 2:cpuset:/ 1:cpu,cpuacct:/",
			"proccgroups": "cpuset:2:1 cpu:1:1 cpuacct:1:1 memory:3:1 pids:4:1",
			"mountinfo":   "/ /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime - cgroup cgroup ro,cpu,cpuacct",
			"write":       "/bin/sh: can't create /sys/fs/cgroup/pids/pids.max: Read-only file system",
		} {
			want[k] = w
		}
	} else {
		for k, w := range map[string]string{
			"controllers": "cpuset cpu memory pids",
			"mem":         "134217728",
			"cpumax":      "150000 100000",
			"weight":      "20", // 1 + (512-2)*9999/262142, as on a v2 host
			"cpuset":      cpuList(n),
			"selfcgroup":  "0::/",
			"proccgroups": "cpuset:0:1 cpu:0:1 cpuacct:0:1 memory:0:1 pids:0:1",
			"cgfs":        "63677270", // CGROUP2_SUPER_MAGIC
			"write":       "/bin/sh: can't create /sys/fs/cgroup/memory.max: Read-only file system",
		} {
			want[k] = w
		}
	}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %q, want %q", k, v[k], w)
		}
	}
	// init (sleep), the shell running the script and what it runs at
	// the time: pids.current counts them, cgroup.procs lists them by
	// their PIDs in the container (init is 1).
	if c, _ := strconv.Atoi(v["pidscur"]); c < 3 {
		t.Errorf("pids.current = %q, want at least init, the shell and cat", v["pidscur"])
	}
	if procs := strings.Fields(v["procs"]); len(procs) < 3 || procs[0] != "1" {
		t.Errorf("cgroup.procs = %q, want 1 and the shell's processes", v["procs"])
	}

	// runsc update: a Go program already running follows the new quota
	// (its runtime re-reads the cgroup and the CPU count), and every file
	// shows the new limits.
	n2 := 1
	watch := make(chan result, 1)
	if host >= 2 {
		go func() { watch <- o.run("exec", "c1", "/tmp/gm/cgroupcpu", "watch", strconv.Itoa(n2)) }()
		time.Sleep(2 * time.Second) // let it start under the old limits
	}
	o.must("update", "--cpu-quota", "50000", "--memory", "96m", "--pids-limit", "20", "c1")
	v = o.sysfsView("c1", script)
	checkCPUs(t, v, n2, "50000/100000")
	after := map[string]string{"memtotal": "MemTotal: 98304 kB", "pidsmax": "20", "mem": strconv.Itoa(96 << 20), "cpuset": "0"}
	if typ == "cgroup" {
		after["quota"], after["period"] = "50000", "100000"
	} else {
		after["cpumax"] = "50000 100000"
	}
	for k, w := range after {
		if v[k] != w {
			t.Errorf("after update: %s = %q, want %q", k, v[k], w)
		}
	}
	if host >= 2 {
		r := <-watch
		// NumCPU is what the program saw at its start.
		if !strings.HasPrefix(r.stdout, "ready\ngomaxprocs=1 ") || !strings.Contains(r.stdout, " limit=50000/100000 ") {
			t.Errorf("a running Go program after update: %s", r)
		}
	}
	// Removing the limits: "max" and the host's CPUs again.
	o.must("update", "--cpu-quota", "-1", "--memory", "-1", "--pids-limit", "-1", "c1")
	v = o.sysfsView("c1", script)
	if v["online"] != cpuList(host) || v["pidsmax"] != "max" || strings.Contains(v["memtotal"], "98304") {
		t.Errorf("after removing the limits: %v", v)
	}
	if typ == "cgroup2" && (v["cpumax"] != "max 100000" || v["mem"] != "max") {
		t.Errorf("after removing the limits: cpu.max %q memory.max %q", v["cpumax"], v["mem"])
	}
	if typ == "cgroup" && (v["quota"] != "-1" || v["mem"] != "9223372036854771712") {
		t.Errorf("after removing the limits: quota %q limit %q", v["quota"], v["mem"])
	}
	o.must("delete", "--force", "c1")

	// Go's runtime itself opens the file the test program found, at its
	// start (strace of the sandbox: the openat succeeds).
	logs := t.TempDir()
	b2 := o.bundle(func(s *specs.Spec) {
		s.Mounts = append(s.Mounts,
			specs.Mount{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: ro},
			specs.Mount{Destination: "/sys/fs/cgroup", Type: typ, Source: "cgroup", Options: ro},
			specs.Mount{Destination: "/tmp/gm", Type: "bind", Source: gm, Options: []string{"rbind", "ro"}},
		)
		s.Linux = &specs.Linux{CgroupsPath: cg + "-go", Resources: &specs.LinuxResources{
			CPU: &specs.LinuxCPU{Quota: i64p(100000), Period: u64p(100000)},
		}}
	}, "/tmp/gm/cgroupcpu")
	r := o.must("--strace", "--debug-log="+logs+"/", "run", "--bundle", b2, "c2")
	if !strings.HasPrefix(r.stdout, "gomaxprocs=1 numcpu=1 limit=100000/100000 ") {
		t.Errorf("Go program with a 1-CPU quota: %s", r)
	}
	file := strings.TrimSpace(r.stdout[strings.Index(r.stdout, "file=")+5:])
	// The runtime opens it at its start and keeps it; the program opens
	// it once more.
	opens := 0
	ents, _ := os.ReadDir(logs)
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(logs, e.Name()))
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "] openat(-100, \""+file+"\", ") && strings.Contains(line, ") = 0x") {
				opens++
			}
		}
	}
	if opens != 2 {
		t.Errorf("successful opens of %s in the strace log: %d, want 2 (Go's runtime and the program)", file, opens)
	}
}

// checkCPUs checks that sysfs, affinity, cpuinfo and Go agree on n CPUs
// and that Go's way to its cgroup's CPU limit finds limit.
func checkCPUs(t *testing.T, v map[string]string, n int, limit string) {
	t.Helper()
	for _, k := range []string{"online", "possible", "present"} {
		if v[k] != cpuList(n) {
			t.Errorf("/sys/devices/system/cpu/%s = %q, want %q", k, v[k], cpuList(n))
		}
	}
	for _, k := range []string{"cpudirs", "nproc", "nprocall", "cpuinfo"} {
		if v[k] != strconv.Itoa(n) {
			t.Errorf("%s = %q, want %d", k, v[k], n)
		}
	}
	if g := "gomaxprocs=" + strconv.Itoa(n) + " numcpu=" + strconv.Itoa(n) + " limit=" + limit + " "; !strings.HasPrefix(v["go"], g) {
		t.Errorf("Go program: %q, want %q...", v["go"], g)
	}
}

// TestOCISysfsRuntimes runs the host's Java and Node.js (the root file
// system is the host's /, read-only) in a container with a 512 MiB
// memory limit, a one-CPU quota and a pids limit, under both cgroup
// layouts: the JVM's container support and Node's os.availableParallelism
// and process.constrainedMemory report the limits. Both are on this kind
// of machine; tests/integration/debian-packages.txt has the JVM.
func TestOCISysfsRuntimes(t *testing.T) {
	var missing []string
	for _, p := range []string{"/usr/bin/java", "/usr/bin/node"} {
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		if testutil.RequireSandbox() {
			t.Fatalf("missing %v (scripts/deps.sh installs the JVM; Node.js comes with the machine)", missing)
		}
		t.Skipf("missing %v", missing)
	}
	script := `java -XshowSettings:system -version 2>&1; node -e 'console.log("node", require("os").availableParallelism(), process.constrainedMemory())'`
	for _, typ := range []string{"cgroup", "cgroup2"} {
		t.Run(typ, func(t *testing.T) {
			cg := testCgroupParent(t) + "/r1"
			o := newOCI(t)
			b := o.bundle(func(s *specs.Spec) {
				s.Root.Path = "/"
				s.Process.Env = append(s.Process.Env, "HOME=/tmp")
				ro := []string{"nosuid", "noexec", "nodev", "ro"}
				s.Mounts = append(s.Mounts,
					specs.Mount{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: ro},
					specs.Mount{Destination: "/sys/fs/cgroup", Type: typ, Source: "cgroup", Options: ro},
				)
				s.Linux = &specs.Linux{CgroupsPath: cg, Resources: &specs.LinuxResources{
					Memory: &specs.LinuxMemory{Limit: i64p(512 << 20)},
					CPU:    &specs.LinuxCPU{Quota: i64p(100000), Period: u64p(100000)},
					Pids:   &specs.LinuxPids{Limit: 200},
				}}
			}, "/bin/sh", "-c", script)
			r := o.must("run", "--bundle", b, "r1")
			for _, want := range []string{
				"Provider: cgroupv" + map[string]string{"cgroup": "1", "cgroup2": "2"}[typ],
				"Effective CPU Count: 1\n",
				"CPU Quota: 100000us\n",
				"Memory Limit: 512.00M\n",
				"Maximum Processes Limit: 200\n",
				"node 1 536870912\n",
			} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("no %q in:\n%s", want, r.stdout)
				}
			}
		})
	}
}
