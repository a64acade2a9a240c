package sys

import (
	"errors"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/kernel"
	"moat/sentry/platform"
	"moat/sentry/vfs"
)

// The kernel's tasks cannot be built without a platform: these tests
// cover the files of a kernel without processes (cgroup.procs and
// pids.current of a running container: tests/integration TestOCISysfs).

type fakePlatform struct{}

func (fakePlatform) Name() string { return "fake" }
func (fakePlatform) NewAddressSpace() (platform.AddressSpace, platform.Thread, error) {
	return nil, nil, errors.New("no address spaces in tests")
}

type fakeExec struct{}

func (fakeExec) OpenExecutable(*kernel.Task, string) (kernel.ExecFile, linux.Errno) {
	return kernel.ExecFile{}, linux.ENOENT
}

type testCtx struct{ creds *auth.Credentials }

func (c testCtx) Credentials() *auth.Credentials { return c.creds }

var rootCtx = testCtx{auth.NewRoot()}

// env is a tmpfs root with sysfs at /sys (read-only), cgroup v2 at
// /sys/fs/cgroup and the cgroup v1 hierarchies at /v1/<name> (read-write
// mounts, to see what the files themselves refuse).
type env struct {
	t    *testing.T
	v    *vfs.VirtualFilesystem
	k    *kernel.Kernel
	root vfs.VirtualDentry
}

func newEnv(t *testing.T, cpus int) *env {
	t.Helper()
	v := vfs.New()
	if _, err := v.MountRoot(tmpfs.New(v, tmpfs.Options{RootMode: 0o755}), vfs.MountFlags{}); err != 0 {
		t.Fatalf("MountRoot: %v", err)
	}
	k, err := kernel.New(kernel.Config{Platform: fakePlatform{}, Syscalls: &kernel.SyscallTable{}, VFS: v, Exec: fakeExec{}, CPUs: cpus})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, v: v, k: k, root: v.Root()}
	e.mkdir("/sys")
	e.mount("/sys", New(k, v), vfs.MountFlags{ReadOnly: true})
	e.mount("/sys/fs/cgroup", NewCgroup2(k, v), vfs.MountFlags{})
	e.mkdir("/v1")
	for _, h := range V1Hierarchies {
		e.mkdir("/v1/" + h.Name)
		e.mount("/v1/"+h.Name, NewCgroup(k, v, h), vfs.MountFlags{})
	}
	return e
}

func (e *env) op(path string) *vfs.PathOp {
	return &vfs.PathOp{Root: e.root, Start: e.root, Path: path, Follow: true}
}

func (e *env) mkdir(path string) {
	e.t.Helper()
	if err := e.v.MkdirAt(rootCtx, e.op(path), 0o755); err != 0 {
		e.t.Fatalf("mkdir %s: %v", path, err)
	}
}

func (e *env) mount(path string, fs *vfs.Filesystem, flags vfs.MountFlags) {
	e.t.Helper()
	if _, err := e.v.MountAt(rootCtx, e.root, path, fs, flags); err != 0 {
		e.t.Fatalf("mount %s: %v", path, err)
	}
}

// read returns the contents of path.
func (e *env) read(path string) string {
	e.t.Helper()
	fd, err := e.v.OpenAt(rootCtx, e.op(path), unix.O_RDONLY, 0)
	if err != 0 {
		e.t.Fatalf("open %s: %v", path, err)
	}
	defer fd.DecRef()
	var out []byte
	buf := make([]byte, 3) // small, to read at offsets
	for {
		n, err := fd.Read(rootCtx, buf)
		if err != 0 {
			e.t.Fatalf("read %s: %v", path, err)
		}
		if n == 0 {
			return string(out)
		}
		out = append(out, buf[:n]...)
	}
}

// list returns the names in directory path.
func (e *env) list(path string) []string {
	e.t.Helper()
	fd, err := e.v.OpenAt(rootCtx, e.op(path), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != 0 {
		e.t.Fatalf("open %s: %v", path, err)
	}
	defer fd.DecRef()
	var names []string
	fd.Getdents(rootCtx, func(d vfs.Dirent) bool {
		if d.Name != "." && d.Name != ".." {
			names = append(names, d.Name)
		}
		return true
	})
	return names
}

func TestSysfsTree(t *testing.T) {
	e := newEnv(t, 2)
	if got, want := e.list("/sys"), []string{"block", "bus", "class", "dev", "devices", "firmware", "fs", "kernel", "module", "power"}; !slices.Equal(got, want) {
		t.Errorf("/sys: %v, want %v", got, want)
	}
	if got := e.list("/sys/devices/system/cpu"); !slices.Equal(got, []string{"online", "possible", "present", "offline", "cpu0", "cpu1"}) {
		t.Errorf("cpu: %v", got)
	}
	for _, f := range []string{"online", "possible", "present"} {
		if got := e.read("/sys/devices/system/cpu/" + f); got != "0-1\n" {
			t.Errorf("%s: %q", f, got)
		}
	}
	if got := e.read("/sys/devices/system/cpu/offline"); got != "\n" {
		t.Errorf("offline: %q", got)
	}
	st, err := e.v.StatFSAt(rootCtx, e.op("/sys"))
	if err != 0 || st.Type != linux.SYSFS_MAGIC {
		t.Errorf("statfs /sys: %#x %v", st.Type, err)
	}
	if st, _ := e.v.StatFSAt(rootCtx, e.op("/sys/fs/cgroup")); st.Type != linux.CGROUP2_SUPER_MAGIC {
		t.Errorf("statfs cgroup2: %#x", st.Type)
	}
	if st, _ := e.v.StatFSAt(rootCtx, e.op("/v1/memory")); st.Type != linux.CGROUP_SUPER_MAGIC {
		t.Errorf("statfs cgroup: %#x", st.Type)
	}
}

// TestCPUCountFollowsLimits: the CPU lists and cpuN directories follow
// the container's limits, and a reader that comes back to offset 0 (as
// Go's runtime does with pread) sees the new value.
func TestCPUCountFollowsLimits(t *testing.T) {
	e := newEnv(t, 4)
	fd, err := e.v.OpenAt(rootCtx, e.op("/sys/devices/system/cpu/online"), unix.O_RDONLY, 0)
	if err != 0 {
		t.Fatal(err)
	}
	defer fd.DecRef()
	pread := func() string {
		buf := make([]byte, 64)
		n, err := fd.PRead(rootCtx, buf, 0)
		if err != 0 {
			t.Fatal(err)
		}
		return string(buf[:n])
	}
	if got := pread(); got != "0-3\n" {
		t.Errorf("online: %q", got)
	}
	if _, err := e.v.StatAt(rootCtx, e.op("/sys/devices/system/cpu/cpu3"), linux.STATX_BASIC_STATS); err != 0 {
		t.Errorf("stat cpu3: %v", err)
	}
	e.k.SetResources(kernel.Resources{HostCPUs: 4, CPUQuota: 50000})
	if got := pread(); got != "0\n" {
		t.Errorf("online after a 0.5 CPU quota: %q", got)
	}
	if got := e.list("/sys/devices/system/cpu"); !slices.Equal(got, []string{"online", "possible", "present", "offline", "cpu0"}) {
		t.Errorf("cpu after the quota: %v", got)
	}
	if _, err := e.v.StatAt(rootCtx, e.op("/sys/devices/system/cpu/cpu3"), linux.STATX_BASIC_STATS); err != linux.ENOENT {
		t.Errorf("stat cpu3 after the quota: %v, want ENOENT", err)
	}
	e.k.SetResources(kernel.Resources{HostCPUs: 4, CpusetCPUs: 3})
	if got := e.read("/sys/devices/system/cpu/present"); got != "0-2\n" {
		t.Errorf("present with a 3-CPU cpuset: %q", got)
	}
}

// TestCgroupFiles: every limit file for no limits and for a container
// with all of them, in both layouts.
func TestCgroupFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *kernel.Resources
		want map[string]string
	}{
		{"none", nil, map[string]string{
			"/sys/fs/cgroup/cgroup.controllers":     "cpuset cpu memory pids\n",
			"/sys/fs/cgroup/cgroup.subtree_control": "\n",
			"/sys/fs/cgroup/cpu.max":                "max 100000\n",
			"/sys/fs/cgroup/cpu.weight":             "100\n",
			"/sys/fs/cgroup/cpuset.cpus.effective":  "0-1\n",
			"/sys/fs/cgroup/memory.max":             "max\n",
			"/sys/fs/cgroup/memory.low":             "0\n",
			"/sys/fs/cgroup/memory.high":            "max\n",
			"/sys/fs/cgroup/pids.max":               "max\n",
			"/sys/fs/cgroup/pids.current":           "0\n",
			"/sys/fs/cgroup/cgroup.procs":           "",
			"/v1/cpu,cpuacct/cpu.cfs_quota_us":      "-1\n",
			"/v1/cpu,cpuacct/cpu.cfs_period_us":     "100000\n",
			"/v1/cpu,cpuacct/cpu.shares":            "1024\n",
			"/v1/cpuset/cpuset.cpus":                "0-1\n",
			"/v1/cpuset/cpuset.effective_cpus":      "0-1\n",
			"/v1/memory/memory.limit_in_bytes":      "9223372036854771712\n",
			"/v1/memory/memory.soft_limit_in_bytes": "9223372036854771712\n",
			"/v1/pids/pids.max":                     "max\n",
			"/v1/pids/pids.current":                 "0\n",
			"/v1/pids/tasks":                        "",
		}},
		{"limited", &kernel.Resources{HostCPUs: 2, CpusetCPUs: 2, CPUQuota: 150000, CPUPeriod: 200000, CPUShares: 512,
			MemoryLimit: 64 << 20, MemoryReservation: 32 << 20, MemoryHigh: 48 << 20, PidsLimit: 40}, map[string]string{
			"/sys/fs/cgroup/cpu.max":                "150000 200000\n",
			"/sys/fs/cgroup/cpu.weight":             "20\n",
			"/sys/fs/cgroup/cpuset.cpus.effective":  "0\n",
			"/sys/fs/cgroup/memory.max":             "67108864\n",
			"/sys/fs/cgroup/memory.low":             "33554432\n",
			"/sys/fs/cgroup/memory.high":            "50331648\n",
			"/sys/fs/cgroup/pids.max":               "40\n",
			"/v1/cpu,cpuacct/cpu.cfs_quota_us":      "150000\n",
			"/v1/cpu,cpuacct/cpu.cfs_period_us":     "200000\n",
			"/v1/cpu,cpuacct/cpu.shares":            "512\n",
			"/v1/cpuset/cpuset.cpus":                "0\n",
			"/v1/memory/memory.limit_in_bytes":      "67108864\n",
			"/v1/memory/memory.soft_limit_in_bytes": "33554432\n",
			"/v1/pids/pids.max":                     "40\n",
			"/sys/devices/system/cpu/online":        "0\n",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 2)
			if tc.r != nil {
				e.k.SetResources(*tc.r)
			}
			for p, want := range tc.want {
				if got := e.read(p); got != want {
					t.Errorf("%s = %q, want %q", p, got, want)
				}
			}
		})
	}
}

func TestCgroupLayout(t *testing.T) {
	e := newEnv(t, 1)
	if got, want := e.list("/sys/fs/cgroup"), []string{"cgroup.controllers", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads",
		"cpu.max", "cpu.weight", "cpuset.cpus.effective", "memory.high", "memory.low", "memory.max", "pids.current", "pids.max"}; !slices.Equal(got, want) {
		t.Errorf("cgroup2: %v, want %v", got, want)
	}
	if got, want := e.list("/v1/memory"), []string{"cgroup.procs", "memory.limit_in_bytes", "memory.soft_limit_in_bytes", "tasks"}; !slices.Equal(got, want) {
		t.Errorf("memory: %v, want %v", got, want)
	}
	// /proc/self/cgroup lists what was mounted, highest ID first.
	want := []kernel.CgroupHierarchy{{ID: 4, Controllers: "pids"}, {ID: 3, Controllers: "memory"}, {ID: 2, Controllers: "cpuset"}, {ID: 1, Controllers: "cpu,cpuacct"}, {ID: 0}}
	if got := e.k.CgroupHierarchies(); !slices.Equal(got, want) {
		t.Errorf("hierarchies %v, want %v", got, want)
	}
}

// TestReadOnly: nothing can be written or made, on a read-only mount
// (EROFS) or a read-write one (EACCES: the files refuse).
func TestReadOnly(t *testing.T) {
	e := newEnv(t, 2)
	for _, tc := range []struct {
		path string
		want linux.Errno
	}{
		{"/sys/devices/system/cpu/online", linux.EROFS},
		{"/sys/fs/cgroup/memory.max", linux.EACCES},
		{"/v1/pids/pids.max", linux.EACCES},
		{"/v1/pids/cgroup.procs", linux.EACCES},
	} {
		if _, err := e.v.OpenAt(rootCtx, e.op(tc.path), unix.O_WRONLY, 0); err != tc.want {
			t.Errorf("open %s for writing: %v, want %v", tc.path, err, tc.want)
		}
	}
	if err := e.v.MkdirAt(rootCtx, e.op("/sys/kernel/x"), 0o755); err != linux.EROFS {
		t.Errorf("mkdir in sysfs: %v", err)
	}
	if err := e.v.MkdirAt(rootCtx, e.op("/sys/fs/cgroup/x"), 0o755); err == 0 {
		t.Errorf("mkdir in cgroup2 succeeded")
	}
}

func TestCPUWeight(t *testing.T) {
	for shares, want := range map[uint64]uint64{0: 100, 2: 1, 1024: 39, 512: 20, 262144: 10000, 1: 1, 1 << 30: 10000} {
		if got := cpuWeight(shares); got != want {
			t.Errorf("cpuWeight(%d) = %d, want %d", shares, got, want)
		}
	}
}
