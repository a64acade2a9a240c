package proc

import (
	"os"
	"strings"
	"testing"
	"time"

	"moat/sentry/kernel"
	"moat/sentry/mm"
	"moat/sentry/vfs"
)

func TestParseAndFormatMeminfo(t *testing.T) {
	host := "MemTotal:       16314300 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\nHugePages_Total:       0\nbogus line\n"
	fields := parseMeminfo(host)
	if len(fields) != 4 || fields[3].KB || !fields[0].KB {
		t.Fatalf("parseMeminfo = %+v", fields)
	}
	// Without live figures the snapshot is reproduced byte for byte.
	if got := string(formatMeminfo(fields, LiveStats{})); got != strings.TrimSuffix(host, "bogus line\n") {
		t.Errorf("formatMeminfo(no live) =\n%q", got)
	}
	live := LiveStats{Valid: true, TotalRAM: 16314300 << 10, FreeRAM: 1500000 << 10}
	got := string(formatMeminfo(fields, live))
	for _, want := range []string{
		"MemTotal:       16314300 kB\n",
		"MemFree:         1500000 kB\n",
		"MemAvailable:    8500000 kB\n", // moved by the change in free memory
		"HugePages_Total:       0\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("formatMeminfo = %q, missing %q", got, want)
		}
	}
	// No snapshot: sysinfo alone.
	if got := string(formatMeminfo(nil, live)); !strings.HasPrefix(got, "MemTotal:       16314300 kB\n") {
		t.Errorf("formatMeminfo(nil) = %q", got)
	}
}

func TestHostMeminfoRoundTrip(t *testing.T) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Skip(err)
	}
	if got := string(formatMeminfo(parseMeminfo(string(b)), LiveStats{})); got != string(b) {
		t.Errorf("host meminfo does not round-trip:\n%s\nvs\n%s", got, b)
	}
}

func TestFormatCPUInfo(t *testing.T) {
	host := "processor\t: 0\nvendor_id\t: X\nphysical id\t: 1\nsiblings\t: 8\ncore id\t\t: 3\ncpu cores\t: 8\napicid\t\t: 6\n\n" +
		"processor\t: 1\nvendor_id\t: X\n\n"
	got := string(formatCPUInfo(host, 3))
	blocks := strings.Split(strings.TrimSuffix(got, "\n\n"), "\n\n")
	if len(blocks) != 3 {
		t.Fatalf("%d blocks, want 3:\n%s", len(blocks), got)
	}
	for i, want := range []string{"processor\t: 0\n", "processor\t: 1\n", "processor\t: 2\n"} {
		if !strings.HasPrefix(blocks[i], want) {
			t.Errorf("block %d = %q, want prefix %q", i, blocks[i], want)
		}
	}
	for _, want := range []string{"siblings\t: 3", "cpu cores\t: 3", "core id\t\t: 2", "apicid\t\t: 2", "physical id\t: 0"} {
		if !strings.Contains(blocks[2], want) {
			t.Errorf("block 2 = %q, missing %q", blocks[2], want)
		}
	}
	if got := string(formatCPUInfo("", 1)); !strings.HasPrefix(got, "processor\t: 0\n") {
		t.Errorf("formatCPUInfo(empty) = %q", got)
	}
}

func TestFormatUptimeLoadavgVersion(t *testing.T) {
	if got := string(formatUptime(1234560*time.Millisecond, 2*time.Second+50*time.Millisecond)); got != "1234.56 2.05\n" {
		t.Errorf("formatUptime = %q", got)
	}
	// sysinfo loads have 16 fractional bits: 0.5, 1.25, 2.0.
	if got := string(formatLoadavg([3]uint64{1 << 15, 5 << 14, 2 << 16}, 1, 3, 42)); got != "0.50 1.25 2.00 1/3 42\n" {
		t.Errorf("formatLoadavg = %q", got)
	}
	if got := string(formatVersion("6.1.0", "#1 SMP")); got != "Linux version 6.1.0 (moat@sandbox) #1 SMP\n" {
		t.Errorf("formatVersion = %q", got)
	}
}

func TestFormatProcStat(t *testing.T) {
	got := string(formatProcStat(procStat{CPUs: 2, Total: cpuTimes{User: 11, System: 4, Idle: 100}, BootTime: time.Unix(1700000000, 0), Processes: 7, Running: 1}))
	for _, want := range []string{
		"cpu  11 0 4 100 0 0 0 0 0 0\n",
		"cpu0 5 0 2 50 0 0 0 0 0 0\n",
		"cpu1 6 0 2 50 0 0 0 0 0 0\n",
		"btime 1700000000\n", "processes 7\n", "procs_running 1\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("formatProcStat = %q, missing %q", got, want)
		}
	}
}

func TestFormatStatus(t *testing.T) {
	s := &statusInfo{
		Name: "cat", Umask: 0o22, State: "R (running)", Tgid: 5, Pid: 6, PPid: 1, Pgid: 4, Sid: 3, ShdPnd: 1 << 14,
		UID: [4]uint32{1000, 1000, 1000, 1000}, GID: [4]uint32{10, 10, 10, 10}, FDSize: 64,
		Groups: []uint32{10, 20}, Threads: 2, SigQLimit: 63704, SigBlk: 1 << 9,
		CapBnd: 0x1ffffffffff, CPUs: 2,
		Mem: mm.Usage{VirtualSize: 3060 << 10, Resident: 1760 << 10},
	}
	got := string(formatStatus(s))
	for _, want := range []string{
		"Name:\tcat\nUmask:\t0022\nState:\tR (running)\nTgid:\t5\nNgid:\t0\nPid:\t6\nPPid:\t1\n",
		"Uid:\t1000\t1000\t1000\t1000\nGid:\t10\t10\t10\t10\nFDSize:\t64\nGroups:\t10 20 \n",
		"NStgid:\t5\nNSpid:\t6\nNSpgid:\t4\nNSsid:\t3\n", "ShdPnd:\t0000000000004000\n",
		"VmSize:\t    3060 kB\n", "VmRSS:\t    1760 kB\n", "Threads:\t2\n", "SigQ:\t0/63704\n",
		"SigBlk:\t0000000000000200\n", "CapBnd:\t000001ffffffffff\n",
		"Cpus_allowed:\t3\nCpus_allowed_list:\t0-1\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("formatStatus missing %q in\n%s", want, got)
		}
	}
	// The keys come in the order Linux uses (compare with the host's).
	if host, err := os.ReadFile("/proc/self/status"); err == nil {
		var keys []string
		for _, l := range strings.Split(string(host), "\n") {
			if k, _, ok := strings.Cut(l, ":"); ok {
				keys = append(keys, k)
			}
		}
		last := -1
		for _, l := range strings.Split(got, "\n") {
			k, _, ok := strings.Cut(l, ":")
			if !ok {
				continue
			}
			for i, hk := range keys {
				if hk == k {
					if i < last {
						t.Errorf("key %q out of the host's order", k)
					}
					last = i
				}
			}
		}
	}
	if got := string(formatStatus(&statusInfo{Name: "a\nb"})); !strings.Contains(got, "Name:\ta\\nb\n") || !strings.Contains(got, "Groups:\t \n") {
		t.Errorf("formatStatus escaping/empty groups:\n%s", got)
	}
}

func TestCPUMask(t *testing.T) {
	for _, c := range []struct {
		n          int
		mask, list string
	}{
		{1, "1", "0"}, {2, "3", "0-1"}, {5, "1f", "0-4"}, {8, "ff", "0-7"},
		{32, "ffffffff", "0-31"}, {40, "ff,ffffffff", "0-39"}, {65, "1,ffffffff,ffffffff", "0-64"},
	} {
		if got := cpuMask(c.n); got != c.mask {
			t.Errorf("cpuMask(%d) = %q, want %q", c.n, got, c.mask)
		}
		if got := cpuList(c.n); got != c.list {
			t.Errorf("cpuList(%d) = %q, want %q", c.n, got, c.list)
		}
	}
}

func TestFormatStat(t *testing.T) {
	s := &statInfo{PID: 7, Comm: "my prog", State: 'S', PPID: 1, PGRP: 7, SID: 7, UTime: 3, STime: 4, CUTime: 5, CSTime: 6, Threads: 1, Pending: 256,
		StartTime: 99, Mem: mm.Usage{VirtualSize: 8192, Resident: 4096, StartCode: 0x400000, EndCode: 0x401000, StartStack: 0x7ff000, StartBrk: 0x600000},
		RSSLimit: kernel.Infinity, ExitSignal: 17, ArgStart: 1, ArgEnd: 2, EnvStart: 3, EnvEnd: 4}
	got := string(formatStat(s))
	if !strings.HasPrefix(got, "7 (my prog) S 1 7 7 0 -1 ") || !strings.HasSuffix(got, "\n") {
		t.Fatalf("formatStat = %q", got)
	}
	// Fields after the command name, numbered as in proc(5).
	f := strings.Fields(got[strings.LastIndexByte(got, ')')+2:])
	if len(f) != 50 {
		t.Fatalf("formatStat has %d fields after comm, want 50: %q", len(f), got)
	}
	field := func(n int) string { return f[n-3] }
	for n, want := range map[int]string{
		3: "S", 14: "3", 15: "4", 16: "5", 17: "6", 18: "20", 31: "256", 20: "1", 22: "99", 23: "8192", 24: "1", 25: "18446744073709551615",
		26: "4194304", 27: "4198400", 28: "8384512", 38: "17", 47: "6291456", 48: "1", 49: "2", 50: "3", 51: "4", 52: "0",
	} {
		if field(n) != want {
			t.Errorf("field %d = %q, want %q", n, field(n), want)
		}
	}
	if got := string(formatStatm(mm.Usage{VirtualSize: 10 * pageSize, Resident: 4 * pageSize, RssFile: 3 * pageSize, Exe: pageSize, Data: 2 * pageSize})); got != "10 4 3 1 0 2 0\n" {
		t.Errorf("formatStatm = %q", got)
	}
}

func TestFormatLimits(t *testing.T) {
	got := string(formatLimits(kernel.DefaultLimits()))
	lines := strings.Split(got, "\n")
	if len(lines) != kernel.NumLimits+2 {
		t.Fatalf("%d lines:\n%s", len(lines), got)
	}
	if host, err := os.ReadFile("/proc/self/limits"); err == nil {
		hl := strings.Split(string(host), "\n")
		if lines[0] != hl[0] {
			t.Errorf("header %q, host has %q", lines[0], hl[0])
		}
		// Same names and column layout as the host's.
		for i := 1; i < len(hl) && i < len(lines); i++ {
			if len(hl[i]) > 25 && hl[i][:26] != lines[i][:26] {
				t.Errorf("line %d %q, host has %q", i, lines[i], hl[i])
			}
		}
	}
	if want := "Max open files            1024                 1048576              files     "; lines[8] != want {
		t.Errorf("nofile line %q, want %q", lines[8], want)
	}
	if want := "Max nice priority         0                    0                    "; lines[14] != want {
		t.Errorf("nice line %q, want %q", lines[14], want)
	}
}

func TestMountsFormat(t *testing.T) {
	ms := []mountEntry{
		{ID: 1, ParentID: 1, DevMinor: 3, Root: "/", Point: "/", FSType: "9p", Source: "none", Flags: vfs.MountFlags{ReadOnly: true}},
		{ID: 2, ParentID: 1, DevMinor: 4, Root: "/", Point: "/proc", FSType: "proc", Source: "proc", Flags: vfs.MountFlags{NoSuid: true, NoDev: true, NoExec: true}},
		{ID: 3, ParentID: 1, DevMinor: 5, Root: "/", Point: "/my dir", FSType: "tmpfs", Source: "shm"},
		{ID: 4, ParentID: 1, DevMinor: 6, Root: "/srv/a b", Point: "/data", FSType: "9p", Source: "/srv/a b", Flags: vfs.MountFlags{NoDev: true}},
	}
	wantMounts := "none / 9p ro,relatime 0 0\n" +
		"proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n" +
		"shm /my\\040dir tmpfs rw,relatime 0 0\n" +
		"/srv/a\\040b /data 9p rw,nodev,relatime 0 0\n"
	if got := string(formatMounts(ms)); got != wantMounts {
		t.Errorf("formatMounts =\n%s want\n%s", got, wantMounts)
	}
	wantInfo := "1 1 0:3 / / ro,relatime - 9p none ro\n" +
		"2 1 0:4 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n" +
		"3 1 0:5 / /my\\040dir rw,relatime - tmpfs shm rw\n" +
		"4 1 0:6 /srv/a\\040b /data rw,nodev,relatime - 9p /srv/a\\040b rw\n"
	if got := string(formatMountinfo(ms)); got != wantInfo {
		t.Errorf("formatMountinfo =\n%s want\n%s", got, wantInfo)
	}
}

func TestCmdlineFrom(t *testing.T) {
	env := func() []byte { return []byte("ENV=1\x00B=2\x00") }
	for _, c := range []struct{ args, want string }{
		{"", ""},
		{"ls\x00-l\x00", "ls\x00-l\x00"},
		{"title\x00\x00\x00x", "title"}, // setproctitle, NUL inside
		{"long title over arg", "long title over argENV=1"}, // runs on into env
	} {
		if got := string(cmdlineFrom([]byte(c.args), env)); got != c.want {
			t.Errorf("cmdlineFrom(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}

func TestFormatFDInfoAndUUID(t *testing.T) {
	if got := string(formatFDInfo(fdInfo{Pos: 5, Flags: 0o2000002, MntID: 3, Ino: 9})); got != "pos:\t5\nflags:\t02000002\nmnt_id:\t3\nino:\t9\n" {
		t.Errorf("formatFDInfo = %q", got)
	}
	u := formatUUID([16]byte{})
	if u != "00000000-0000-4000-8000-000000000000" {
		t.Errorf("formatUUID(zero) = %q", u)
	}
	if a, b := newUUID(), newUUID(); a == b || len(a) != 36 {
		t.Errorf("newUUID: %q, %q", a, b)
	}
}

func TestParseID(t *testing.T) {
	for s, want := range map[string]bool{"1": true, "0": true, "4194304": true, "": false, "01": false, "-1": false, "+1": false, "1a": false, "99999999999": false} {
		if _, ok := parseID(s); ok != want {
			t.Errorf("parseID(%q) ok = %v, want %v", s, ok, want)
		}
	}
}

func TestFormatSmapsRollup(t *testing.T) {
	got := string(formatSmapsRollup(mm.Usage{Start: 0x400000, End: 0x7ffffe032000, Resident: 3 << 20, RssAnon: 1 << 20, RssFile: 2 << 20}))
	lines := strings.Split(got, "\n")
	if want := "00400000-7ffffe032000 ---p 00000000 00:00 0"; !strings.HasPrefix(lines[0], want) || len(lines[0]) != 73+len("[rollup]") || !strings.HasSuffix(lines[0], " [rollup]") {
		t.Errorf("header %q", lines[0])
	}
	for _, want := range []string{"Rss:                3072 kB", "Anonymous:          1024 kB", "Private_Clean:      2048 kB", "Locked:                0 kB"} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("smaps_rollup lacks %q:\n%s", want, got)
		}
	}
	// Same keys as the host's, in the same order.
	if host, err := os.ReadFile("/proc/self/smaps_rollup"); err == nil {
		key := func(l string) string { k, _, _ := strings.Cut(l, ":"); return k }
		hl := strings.Split(strings.TrimSpace(string(host)), "\n")[1:]
		gl := lines[1 : len(lines)-1]
		if len(hl) == len(gl) {
			for i := range hl {
				if key(hl[i]) != key(gl[i]) {
					t.Errorf("line %d key %q, host has %q", i, key(gl[i]), key(hl[i]))
				}
			}
		}
	}
}
