package cgroups

import (
	"math"
	"reflect"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func i64(v int64) *int64   { return &v }
func u64(v uint64) *uint64 { return &v }
func u16(v uint16) *uint16 { return &v }
func boolp(v bool) *bool   { return &v }

func TestResolvePath(t *testing.T) {
	for _, c := range []struct {
		in      string
		systemd bool
		want    string
		err     string
	}{
		{"", false, "/moat/c1", ""},
		{"/a/b", false, "/a/b", ""},
		{"/a/../b/", false, "/b", ""},
		{"a/b", false, "a/b", ""},
		{"../../x", false, "x", ""},
		{"/", false, "", "root cgroup"},
		{"/a/..", false, "", "root cgroup"},
		{"", true, "/system.slice/moat-c1.scope", ""},
		{"system.slice:docker:abc", true, "/system.slice/docker-abc.scope", ""},
		{"kubepods-besteffort-pod1.slice:cri-containerd:abc", true, "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-abc.scope", ""},
		{":x:y", true, "/system.slice/x-y.scope", ""},
		{"user.slice::y", true, "/user.slice/y.scope", ""},
		{"-.slice:p:n", true, "/p-n.scope", ""},
		{"system.slice:p:sub.slice", true, "/system.slice/sub.slice", ""},
		{"/a/b", true, "", "slice:prefix:name"},
		{"a-.slice:p:n", true, "", "invalid systemd slice"},
		{"a--b.slice:p:n", true, "", "invalid systemd slice"},
		{"nosuffix:p:n", true, "", "invalid systemd slice"},
		{"system.slice:p:", true, "", "bad unit name"},
	} {
		got, err := ResolvePath(c.in, "c1", c.systemd)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ResolvePath(%q, %v) = %q, %v; want error with %q", c.in, c.systemd, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ResolvePath(%q, %v) = %q, %v; want %q", c.in, c.systemd, got, err, c.want)
		}
	}
}

const hybridMountinfo = `25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw
33 25 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755
34 33 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 33 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
36 33 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
37 33 0:32 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
38 33 0:33 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
39 33 0:34 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
40 33 0:35 / /sys/fs/cgroup/cpu,cpuset rw,relatime - cgroup cgroup rw,cpuset
`

const unifiedMountinfo = `25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw
26 25 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
`

func TestDiscover(t *testing.T) {
	fs := newFakeFS(nil)
	fs.files["/proc/self/mountinfo"] = hybridMountinfo
	fs.files["/proc/self/cgroup"] = "8:pids:/\n4:memory:/svc/x\n1:cpu:/\n0::/\n"
	h, err := Discover(fs)
	if err != nil {
		t.Fatal(err)
	}
	if h.Version != 1 || h.V1["memory"].Mountpoint != "/sys/fs/cgroup/memory" || h.V1["cpuset"].Mountpoint != "/sys/fs/cgroup/cpu,cpuset" || h.Unified == nil {
		t.Fatalf("hybrid host: %+v", h)
	}
	if _, ok := h.V1["name=systemd"]; ok {
		t.Errorf("the name=systemd hierarchy is not a controller")
	}
	if h.Own["memory"] != "/svc/x" || h.Own[""] != "/" {
		t.Errorf("own cgroups %v", h.Own)
	}
	c, err := New(fs, h, "rel/c1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Dirs["memory"] != "/sys/fs/cgroup/memory/svc/x/rel/c1" || c.Dirs["cpu"] != "/sys/fs/cgroup/cpu/rel/c1" {
		t.Errorf("relative dirs %v", c.Dirs)
	}

	fs.files["/proc/self/mountinfo"] = unifiedMountinfo
	fs.files["/proc/self/cgroup"] = "0::/user.slice/x\n"
	h, err = Discover(fs)
	if err != nil || h.Version != 2 || h.Unified.Mountpoint != "/sys/fs/cgroup" {
		t.Fatalf("unified host: %+v, %v", h, err)
	}
	c, err = New(fs, h, "/moat/c1")
	if err != nil || !reflect.DeepEqual(c.Dirs, map[string]string{"": "/sys/fs/cgroup/moat/c1"}) {
		t.Errorf("v2 dirs %v, %v", c.Dirs, err)
	}
	fs.files["/proc/self/mountinfo"] = "25 30 0:23 / /sys rw - sysfs sysfs rw\n"
	if _, err := Discover(fs); err == nil {
		t.Errorf("no cgroup mount: no error")
	}
}

func TestUnescapeOctal(t *testing.T) {
	if got := unescapeOctal(`/a\040b\134c`); got != `/a b\c` {
		t.Errorf("got %q", got)
	}
}

// v2Files are the files the fake kernel gives a new v2 cgroup.
var v2Files = map[string]string{
	"cgroup.controllers": "cpuset cpu io memory pids", "cgroup.subtree_control": "", "cgroup.procs": "",
	"memory.max": "max", "memory.low": "0", "memory.swap.max": "max", "memory.current": "0",
	"cpu.weight": "100", "cpu.max": "max 100000", "cpu.max.burst": "0", "cpu.idle": "0",
	"cpuset.cpus": "", "cpuset.mems": "", "pids.max": "max", "io.weight": "default 100", "io.max": "",
	"memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n",
}

func newV2(t *testing.T) (*fakeFS, *Cgroup) {
	fs := newFakeFS(v2Files)
	fs.dirs["/sys/fs/cgroup"] = true
	fs.files["/sys/fs/cgroup/cgroup.controllers"] = "cpuset cpu io memory hugetlb pids rdma misc"
	fs.files["/sys/fs/cgroup/cgroup.subtree_control"] = "cpu memory"
	fs.files["/proc/self/mountinfo"] = unifiedMountinfo
	fs.files["/proc/self/cgroup"] = "0::/\n"
	h, err := Discover(fs)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(fs, h, "/moat/c1")
	if err != nil {
		t.Fatal(err)
	}
	return fs, c
}

func TestV2CreateSetDestroy(t *testing.T) {
	fs, c := newV2(t)
	if err := c.Create(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"/sys/fs/cgroup/moat", "/sys/fs/cgroup/moat/c1"}; !reflect.DeepEqual(c.Created, want) {
		t.Errorf("created %v, want %v", c.Created, want)
	}
	// The root enables what it lacks; the new parent enables all it has.
	if got := fs.writes[0]; got != "/sys/fs/cgroup/cgroup.subtree_control=+cpuset +io +pids +hugetlb" {
		t.Errorf("first write %q", got)
	}
	if got := fs.files["/sys/fs/cgroup/moat/cgroup.subtree_control"]; got != "+cpu +cpuset +io +memory +pids" {
		t.Errorf("moat subtree_control %q", got)
	}
	fs.writes = nil
	err := c.Set(&specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: i64(64 << 20), Reservation: i64(32 << 20), Swap: i64(96 << 20)},
		CPU:     &specs.LinuxCPU{Shares: u64(1024), Quota: i64(50000), Cpus: "0", Mems: "0"},
		Pids:    &specs.LinuxPids{Limit: 10},
		BlockIO: &specs.LinuxBlockIO{Weight: u16(500), ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Rate: 1048576}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := "/sys/fs/cgroup/moat/c1/"
	want := []string{
		d + "memory.swap.max=33554432", d + "memory.max=67108864", d + "memory.low=33554432",
		d + "cpu.weight=39", d + "cpu.max=50000 100000", d + "cpuset.cpus=0", d + "cpuset.mems=0",
		d + "pids.max=276", d + "io.weight=4950", d + "io.max=8:0 rbps=1048576",
	}
	if !reflect.DeepEqual(fs.writes, want) {
		t.Errorf("writes\n%v\nwant\n%v", fs.writes, want)
	}

	// An update of the period alone keeps the quota; swap alone uses the
	// current limit.
	fs.writes = nil
	if err := c.Set(&specs.LinuxResources{CPU: &specs.LinuxCPU{Period: u64(200000)}, Memory: &specs.LinuxMemory{Swap: i64(128 << 20)}}); err != nil {
		t.Fatal(err)
	}
	if want := []string{d + "memory.swap.max=67108864", d + "cpu.max=50000 200000"}; !reflect.DeepEqual(fs.writes, want) {
		t.Errorf("update writes %v, want %v", fs.writes, want)
	}

	if err := c.AddProcess(42); err != nil || fs.files[d+"cgroup.procs"] != "42" {
		t.Fatalf("AddProcess: %v, procs %q", err, fs.files[d+"cgroup.procs"])
	}
	if err := c.Destroy(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fs.killed, []int{42}) {
		t.Errorf("killed %v, want the process left in the cgroup", fs.killed)
	}
	if got := fs.dirList("/sys/fs/cgroup/moat"); len(got) != 0 {
		t.Errorf("left behind: %v", got)
	}
}

func TestV2Unified(t *testing.T) {
	fs, c := newV2(t)
	if err := c.Create(); err != nil {
		t.Fatal(err)
	}
	err := c.Set(&specs.LinuxResources{Unified: map[string]string{"memory.high": "1"}})
	if err == nil || !strings.Contains(err.Error(), "memory.high") {
		t.Errorf("missing unified file: %v", err)
	}
	fs.files["/sys/fs/cgroup/moat/c1/memory.high"] = "max"
	if err := c.Set(&specs.LinuxResources{Unified: map[string]string{"memory.high": "1000"}}); err != nil || fs.files["/sys/fs/cgroup/moat/c1/memory.high"] != "1000" {
		t.Errorf("unified: %v", err)
	}
	if err := c.Set(&specs.LinuxResources{Unified: map[string]string{"../x": "1"}}); err == nil {
		t.Errorf("unified key with a slash accepted")
	}
	if err := c.Set(&specs.LinuxResources{CPU: &specs.LinuxCPU{RealtimeRuntime: i64(5)}}); err == nil {
		t.Errorf("realtime on v2 accepted")
	}
}

func TestDestroyOnlyWhatWasCreated(t *testing.T) {
	fs, c := newV2(t)
	fs.mkdirAll("/sys/fs/cgroup/moat")
	fs.mkdirAll("/sys/fs/cgroup/moat/other")
	if err := c.Create(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"/sys/fs/cgroup/moat/c1"}; !reflect.DeepEqual(c.Created, want) {
		t.Fatalf("created %v", c.Created)
	}
	if err := c.Destroy(); err != nil {
		t.Fatal(err)
	}
	if got := fs.dirList("/sys/fs/cgroup/moat"); !reflect.DeepEqual(got, []string{"/sys/fs/cgroup/moat", "/sys/fs/cgroup/moat/other"}) {
		t.Errorf("after destroy: %v", got)
	}
	// A joined cgroup (not created) is neither emptied nor removed.
	_, c2 := newV2(t)
	c2.fs = fs
	fs.files["/sys/fs/cgroup/moat/other/cgroup.procs"] = "7"
	c2.Dirs[""] = "/sys/fs/cgroup/moat/other"
	c2.mounts["/sys/fs/cgroup/moat/other"] = "/sys/fs/cgroup"
	if err := c2.Create(); err != nil || len(c2.Created) != 0 {
		t.Fatalf("create of existing: %v %v", err, c2.Created)
	}
	if err := c2.Destroy(); err != nil || len(fs.killed) != 0 || !fs.dirs["/sys/fs/cgroup/moat/other"] {
		t.Errorf("destroy of a joined cgroup: %v, killed %v", err, fs.killed)
	}
}

// v1Files are the files the fake kernel gives a new v1 cgroup (all
// controllers in one fake tree for brevity).
var v1Files = map[string]string{
	"cgroup.procs": "", "cpuset.cpus": "", "cpuset.mems": "",
	"memory.limit_in_bytes": "9223372036854771712", "memory.memsw.limit_in_bytes": "9223372036854771712",
	"memory.soft_limit_in_bytes": "9223372036854771712", "memory.swappiness": "60", "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
	"cpu.shares": "1024", "cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1", "pids.max": "max",
	"blkio.bfq.weight": "100", "blkio.throttle.write_iops_device": "",
}

func newV1(t *testing.T) (*fakeFS, *Cgroup) {
	fs := newFakeFS(v1Files)
	fs.files["/proc/self/mountinfo"] = `33 25 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw
34 33 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
36 33 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
37 33 0:32 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
38 33 0:33 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset
39 33 0:34 / /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio
`
	fs.files["/proc/self/cgroup"] = "1:cpu:/\n"
	for _, d := range []string{"/sys", "/sys/fs", "/sys/fs/cgroup", "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/cpuset", "/sys/fs/cgroup/blkio"} {
		fs.dirs[d] = true
	}
	fs.files["/sys/fs/cgroup/cpuset/cpuset.cpus"] = "0-3"
	fs.files["/sys/fs/cgroup/cpuset/cpuset.mems"] = "0"
	h, err := Discover(fs)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(fs, h, "/moat/c1")
	if err != nil {
		t.Fatal(err)
	}
	return fs, c
}

func TestV1CreateSet(t *testing.T) {
	fs, c := newV1(t)
	if err := c.Create(); err != nil {
		t.Fatal(err)
	}
	if len(c.Created) != 10 {
		t.Errorf("created %v", c.Created)
	}
	if got := fs.files["/sys/fs/cgroup/cpuset/moat/c1/cpuset.cpus"]; got != "0-3" {
		t.Errorf("new cpuset inherits cpus: %q", got)
	}
	fs.writes = nil
	err := c.Set(&specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: i64(64 << 20), Swap: i64(128 << 20), Reservation: i64(1 << 20), Swappiness: u64(0), DisableOOMKiller: boolp(false)},
		CPU:     &specs.LinuxCPU{Shares: u64(512), Quota: i64(20000), Period: u64(50000), Cpus: "1-2"},
		Pids:    &specs.LinuxPids{Limit: -1},
		BlockIO: &specs.LinuxBlockIO{Weight: u16(300), ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 253, Minor: 1}, Rate: 10}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, cpu := "/sys/fs/cgroup/memory/moat/c1/", "/sys/fs/cgroup/cpu/moat/c1/"
	want := []string{
		m + "memory.limit_in_bytes=67108864", m + "memory.memsw.limit_in_bytes=134217728", m + "memory.soft_limit_in_bytes=1048576", m + "memory.swappiness=0",
		cpu + "cpu.shares=512", cpu + "cpu.cfs_period_us=50000", cpu + "cpu.cfs_quota_us=20000", "/sys/fs/cgroup/cpuset/moat/c1/cpuset.cpus=1-2",
		"/sys/fs/cgroup/pids/moat/c1/pids.max=max",
		"/sys/fs/cgroup/blkio/moat/c1/blkio.bfq.weight=300", "/sys/fs/cgroup/blkio/moat/c1/blkio.throttle.write_iops_device=253:1 10",
	}
	if !reflect.DeepEqual(fs.writes, want) {
		t.Errorf("writes\n%v\nwant\n%v", fs.writes, want)
	}
	// Raising memory above memory+swap: memsw goes first.
	fs.writes = nil
	fs.fail[m+"memory.limit_in_bytes"] = syscall.EINVAL
	err = c.Set(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: i64(256 << 20), Swap: i64(512 << 20)}})
	if err == nil {
		t.Errorf("a limit the host refuses: no error")
	} else if !strings.Contains(err.Error(), "memory.limit_in_bytes") {
		t.Errorf("error does not name the file: %v", err)
	}
	if len(fs.writes) == 0 || fs.writes[0] != m+"memory.memsw.limit_in_bytes=536870912" {
		t.Errorf("memsw not tried first: %v", fs.writes)
	}
	delete(fs.fail, m+"memory.limit_in_bytes")
	// Bad values.
	for _, r := range []*specs.LinuxResources{
		{Memory: &specs.LinuxMemory{Limit: i64(100), Swap: i64(50)}},
		{Memory: &specs.LinuxMemory{Swappiness: u64(101)}},
		{BlockIO: &specs.LinuxBlockIO{Weight: u16(5)}},
		{Unified: map[string]string{"memory.high": "1"}},
		{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 1}}},
	} {
		if err := c.Set(r); err == nil {
			t.Errorf("Set(%+v): no error", r)
		}
	}
	fs.files["/sys/fs/cgroup/cpu/moat/c1/cgroup.procs"] = "5 6"
	if err := c.Destroy(); err != nil {
		t.Fatal(err)
	}
	if got := fs.dirList("/sys/fs/cgroup/cpu/moat"); len(got) != 0 {
		t.Errorf("left %v", got)
	}
}

func TestStatsV2(t *testing.T) {
	fs, c := newV2(t)
	c.Create()
	d := "/sys/fs/cgroup/moat/c1/"
	fs.files[d+"cpu.stat"] = "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\nnr_periods 10\nnr_throttled 3\nthrottled_usec 700\n"
	fs.files[d+"memory.current"] = "4096\n"
	fs.files[d+"memory.max"] = "8192\n"
	fs.files[d+"memory.peak"] = "6000\n"
	fs.files[d+"memory.swap.current"] = "100\n"
	fs.files[d+"memory.swap.max"] = "max\n"
	fs.files[d+"memory.events"] = "low 0\nhigh 0\nmax 5\noom 2\noom_kill 1\n"
	fs.files[d+"memory.stat"] = "anon 1000\nfile 3000\n"
	fs.files[d+"pids.current"] = "7\n"
	fs.files[d+"io.stat"] = "8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n"
	s, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.CPU.Usage, CPUUsage{Total: 2500000, User: 2000000, Kernel: 500000}) || s.CPU.Throttling.ThrottledTime != 700000 {
		t.Errorf("cpu %+v", s.CPU)
	}
	if s.Memory.Usage != (MemoryEntry{Usage: 4096, Max: 6000, Limit: 8192, Failcnt: 5}) || s.Memory.Cache != 3000 {
		t.Errorf("memory %+v", s.Memory)
	}
	if s.Memory.Swap.Usage != 4196 || s.Memory.Swap.Limit != unlimited {
		t.Errorf("swap %+v", s.Memory.Swap)
	}
	if s.Pids.Current != 7 || s.Pids.Limit != unlimited {
		t.Errorf("pids %+v", s.Pids)
	}
	wantIO := []BlkioEntry{{8, 0, "Read", 10}, {8, 0, "Write", 20}}
	if !reflect.DeepEqual(s.Blkio.IoServiceBytesRecursive, wantIO) {
		t.Errorf("io %+v", s.Blkio)
	}
	if n, err := c.OOMKills(); err != nil || n != 1 {
		t.Errorf("OOMKills = %d, %v", n, err)
	}
}

func TestStatsV1(t *testing.T) {
	fs, c := newV1(t)
	fs.files["/proc/self/mountinfo"] += "40 33 0:35 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct\n"
	fs.dirs["/sys/fs/cgroup/cpuacct"] = true
	h, _ := Discover(fs)
	c, _ = New(fs, h, "/moat/c1")
	if err := c.Create(); err != nil {
		t.Fatal(err)
	}
	a, m := "/sys/fs/cgroup/cpuacct/moat/c1/", "/sys/fs/cgroup/memory/moat/c1/"
	fs.files[a+"cpuacct.usage"] = "123456789\n"
	fs.files[a+"cpuacct.usage_percpu"] = "100 200 \n"
	fs.files[a+"cpuacct.stat"] = "user 7\nsystem 3\n"
	fs.files[m+"memory.usage_in_bytes"] = "1048576\n"
	fs.files[m+"memory.max_usage_in_bytes"] = "2097152\n"
	fs.files[m+"memory.failcnt"] = "4\n"
	fs.files[m+"memory.limit_in_bytes"] = "4194304\n"
	fs.files[m+"memory.stat"] = "cache 10\nrss 20\ntotal_cache 30\n"
	fs.files[m+"memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"
	fs.files["/sys/fs/cgroup/pids/moat/c1/pids.current"] = "3"
	fs.files["/sys/fs/cgroup/blkio/moat/c1/blkio.throttle.io_service_bytes_recursive"] = "8:0 Read 4096\n8:0 Write 0\nTotal 4096\n"
	s, _ := c.Stats()
	if s.CPU.Usage.Total != 123456789 || !reflect.DeepEqual(s.CPU.Usage.Percpu, []uint64{100, 200}) || s.CPU.Usage.User != 70000000 || s.CPU.Usage.Kernel != 30000000 {
		t.Errorf("cpu %+v", s.CPU.Usage)
	}
	if s.Memory.Usage != (MemoryEntry{Usage: 1 << 20, Max: 2 << 20, Limit: 4 << 20, Failcnt: 4}) || s.Memory.Cache != 30 || s.Memory.Raw["rss"] != 20 {
		t.Errorf("memory %+v", s.Memory)
	}
	if s.Pids.Current != 3 || s.Pids.Limit != unlimited {
		t.Errorf("pids %+v", s.Pids)
	}
	if len(s.Blkio.IoServiceBytesRecursive) != 2 || s.Blkio.IoServiceBytesRecursive[0].Value != 4096 {
		t.Errorf("blkio %+v", s.Blkio)
	}
	if n, err := c.OOMKills(); err != nil || n != 2 {
		t.Errorf("OOMKills = %d, %v", n, err)
	}
}

func TestConversions(t *testing.T) {
	for _, c := range []struct{ shares, weight uint64 }{{0, 0}, {2, 1}, {1024, 39}, {262144, 10000}, {1, 1}, {1 << 20, 10000}} {
		if got := SharesToWeight(c.shares); got != c.weight {
			t.Errorf("SharesToWeight(%d) = %d, want %d", c.shares, got, c.weight)
		}
	}
	for _, c := range []struct {
		w    uint16
		want uint64
	}{{10, 1}, {1000, 10000}, {500, 4950}} {
		if got := BlkioToIOWeight(c.w); got != c.want {
			t.Errorf("BlkioToIOWeight(%d) = %d, want %d", c.w, got, c.want)
		}
	}
	for _, c := range []struct {
		swap, mem int64
		want      string
		bad       bool
	}{{0, 100, "", false}, {-1, 100, "max", false}, {300, 100, "200", false}, {100, 100, "0", false}, {50, 100, "", true}, {100, -1, "", true}, {100, 0, "", true}} {
		got, err := SwapV2(c.swap, c.mem)
		if got != c.want || (err != nil) != c.bad {
			t.Errorf("SwapV2(%d, %d) = %q, %v", c.swap, c.mem, got, err)
		}
	}
	for _, c := range []struct {
		r    *specs.LinuxResources
		want int
	}{
		{nil, 4},
		{&specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "1,3"}}, 2},
		{&specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0-7"}}, 4},
		{&specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: i64(150000)}}, 2},
		{&specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: i64(50000), Period: u64(100000)}}, 1},
		{&specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: i64(-1)}}, 4},
	} {
		if got := CPUs(c.r, 4); got != c.want {
			t.Errorf("CPUs(%+v) = %d, want %d", c.r, got, c.want)
		}
	}
	if HostPidsLimit(10) != 276 || HostPidsLimit(math.MaxInt64/2) != -1 || pidsValue(&specs.LinuxPids{Limit: math.MaxInt64}) != "max" {
		t.Errorf("HostPidsLimit")
	}
	if ParseCPUList("0-3,6") != 5 || ParseCPUList("x") != 0 || ParseCPUList("3-1") != 0 {
		t.Errorf("ParseCPUList")
	}
}

func TestSetupAndOpen(t *testing.T) {
	dir := t.TempDir()
	fs, _ := newV2(t)
	c, err := Setup(fs, dir, "", "c1", false, &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: 5}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := Open(fs, dir)
	if err != nil || o == nil || !reflect.DeepEqual(o.Created, c.Created) || o.Version != 2 {
		t.Fatalf("Open: %+v, %v", o, err)
	}
	// A cpuset the host refuses: nothing is left, not even the record.
	fs.fail["/sys/fs/cgroup/moat/c2/cpuset.cpus"] = syscall.EINVAL
	if _, err := Setup(fs, dir, "/moat/c2", "c2", false, &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "99"}}); err == nil || !strings.Contains(err.Error(), "cpuset.cpus") {
		t.Errorf("impossible cpuset: %v", err)
	}
	if fs.dirs["/sys/fs/cgroup/moat/c2"] {
		t.Errorf("failed setup left its cgroup")
	}
	if o, _ := Open(fs, dir); o != nil {
		t.Errorf("failed setup left its record")
	}
	if err := c.Destroy(); err != nil {
		t.Fatal(err)
	}
	if len(fs.dirList("/sys/fs/cgroup/moat")) != 0 {
		t.Errorf("left %v", fs.dirList("/sys/fs/cgroup/moat"))
	}
}
