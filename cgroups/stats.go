package cgroups

import (
	"strconv"
	"strings"
)

// Stats is a cgroup's usage in the shape of runc's events "data" (the
// fields runc's types.Stats has, under the same JSON names), so that
// containerd's runc shim and Docker read Moat's events like runc's.
type Stats struct {
	CPU    CPUStats    `json:"cpu"`
	Memory MemoryStats `json:"memory"`
	Pids   PidsStats   `json:"pids"`
	Blkio  BlkioStats  `json:"blkio"`
}

// CPUStats is CPU time in nanoseconds.
type CPUStats struct {
	Usage      CPUUsage   `json:"usage,omitempty"`
	Throttling Throttling `json:"throttling,omitempty"`
}

// CPUUsage is CPU time in nanoseconds.
type CPUUsage struct {
	Total  uint64   `json:"total,omitempty"`
	Percpu []uint64 `json:"percpu_usage,omitempty"`
	Kernel uint64   `json:"kernel"`
	User   uint64   `json:"user"`
}

// Throttling is the CFS bandwidth throttling count and time (ns).
type Throttling struct {
	Periods          uint64 `json:"periods,omitempty"`
	ThrottledPeriods uint64 `json:"throttled_periods,omitempty"`
	ThrottledTime    uint64 `json:"throttled_time,omitempty"`
}

// MemoryStats is memory usage in bytes.
type MemoryStats struct {
	Cache uint64            `json:"cache,omitempty"`
	Usage MemoryEntry       `json:"usage,omitempty"`
	Swap  MemoryEntry       `json:"swap,omitempty"`
	Raw   map[string]uint64 `json:"raw,omitempty"`
}

// MemoryEntry is one memory counter with its limit (bytes).
type MemoryEntry struct {
	Limit   uint64 `json:"limit"`
	Usage   uint64 `json:"usage,omitempty"`
	Max     uint64 `json:"max,omitempty"`
	Failcnt uint64 `json:"failcnt"`
}

// PidsStats counts tasks.
type PidsStats struct {
	Current uint64 `json:"current,omitempty"`
	Limit   uint64 `json:"limit,omitempty"`
}

// BlkioStats is block I/O done.
type BlkioStats struct {
	IoServiceBytesRecursive []BlkioEntry `json:"ioServiceBytesRecursive,omitempty"`
	IoServicedRecursive     []BlkioEntry `json:"ioServicedRecursive,omitempty"`
}

// BlkioEntry is one device's counter.
type BlkioEntry struct {
	Major uint64 `json:"major,omitempty"`
	Minor uint64 `json:"minor,omitempty"`
	Op    string `json:"op,omitempty"`
	Value uint64 `json:"value,omitempty"`
}

// unlimited is what "no limit" reads as (runc reports the v1 value).
const unlimited = ^uint64(0)

// Stats reads the cgroup's usage. Counters a host does not have are
// left zero.
func (c *Cgroup) Stats() (*Stats, error) {
	s := &Stats{}
	if c.Version == 2 {
		c.statsV2(s)
	} else {
		c.statsV1(s)
	}
	return s, nil
}

// userHZ is the unit of cpuacct.stat (USER_HZ ticks).
const userHZ = 100

func (c *Cgroup) statsV1(s *Stats) {
	u := func(ctrl, name string) uint64 {
		p, err := c.file(ctrl, name)
		if err != nil {
			return 0
		}
		v, _ := readUint(c.fs, p, unlimited)
		return v
	}
	s.CPU.Usage.Total = u("cpuacct", "cpuacct.usage")
	if v, err := c.read("cpuacct", "cpuacct.usage_percpu"); err == nil {
		for _, f := range strings.Fields(v) {
			n, _ := strconv.ParseUint(f, 10, 64)
			s.CPU.Usage.Percpu = append(s.CPU.Usage.Percpu, n)
		}
	}
	if p, err := c.file("cpuacct", "cpuacct.stat"); err == nil {
		if m, err := readKeyed(c.fs, p); err == nil {
			s.CPU.Usage.User = m["user"] * (1e9 / userHZ)
			s.CPU.Usage.Kernel = m["system"] * (1e9 / userHZ)
		}
	}
	if p, err := c.file("cpu", "cpu.stat"); err == nil {
		if m, err := readKeyed(c.fs, p); err == nil {
			s.CPU.Throttling = Throttling{Periods: m["nr_periods"], ThrottledPeriods: m["nr_throttled"], ThrottledTime: m["throttled_time"]}
		}
	}
	s.Memory.Usage = MemoryEntry{
		Usage: u("memory", "memory.usage_in_bytes"), Max: u("memory", "memory.max_usage_in_bytes"),
		Limit: u("memory", "memory.limit_in_bytes"), Failcnt: u("memory", "memory.failcnt"),
	}
	if c.has("memory", "memory.memsw.usage_in_bytes") {
		s.Memory.Swap = MemoryEntry{
			Usage: u("memory", "memory.memsw.usage_in_bytes"), Max: u("memory", "memory.memsw.max_usage_in_bytes"),
			Limit: u("memory", "memory.memsw.limit_in_bytes"), Failcnt: u("memory", "memory.memsw.failcnt"),
		}
	}
	if p, err := c.file("memory", "memory.stat"); err == nil {
		if m, err := readKeyed(c.fs, p); err == nil {
			s.Memory.Raw = m
			s.Memory.Cache = m["total_cache"]
			if s.Memory.Cache == 0 {
				s.Memory.Cache = m["cache"]
			}
		}
	}
	s.Pids = PidsStats{Current: u("pids", "pids.current"), Limit: u("pids", "pids.max")}
	if v, err := c.read("blkio", "blkio.throttle.io_service_bytes_recursive"); err == nil {
		s.Blkio.IoServiceBytesRecursive = parseBlkioV1(v)
	}
	if v, err := c.read("blkio", "blkio.throttle.io_serviced_recursive"); err == nil {
		s.Blkio.IoServicedRecursive = parseBlkioV1(v)
	}
}

// parseBlkioV1 parses "major:minor Op value" lines ("Total N" skipped).
func parseBlkioV1(s string) []BlkioEntry {
	var out []BlkioEntry
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		maj, min, ok := parseDevice(f[0])
		v, err := strconv.ParseUint(f[2], 10, 64)
		if !ok || err != nil {
			continue
		}
		out = append(out, BlkioEntry{Major: maj, Minor: min, Op: f[1], Value: v})
	}
	return out
}

func parseDevice(s string) (maj, min uint64, ok bool) {
	a, b, found := strings.Cut(s, ":")
	if !found {
		return 0, 0, false
	}
	maj, err1 := strconv.ParseUint(a, 10, 64)
	min, err2 := strconv.ParseUint(b, 10, 64)
	return maj, min, err1 == nil && err2 == nil
}

func (c *Cgroup) statsV2(s *Stats) {
	dir := c.Dirs[""]
	u := func(name string) uint64 {
		v, _ := readUint(c.fs, dir+"/"+name, unlimited)
		return v
	}
	if m, err := readKeyed(c.fs, dir+"/cpu.stat"); err == nil {
		s.CPU.Usage.Total = m["usage_usec"] * 1000
		s.CPU.Usage.User = m["user_usec"] * 1000
		s.CPU.Usage.Kernel = m["system_usec"] * 1000
		s.CPU.Throttling = Throttling{Periods: m["nr_periods"], ThrottledPeriods: m["nr_throttled"], ThrottledTime: m["throttled_usec"] * 1000}
	}
	events, _ := readKeyed(c.fs, dir+"/memory.events")
	s.Memory.Usage = MemoryEntry{Usage: u("memory.current"), Max: u("memory.peak"), Limit: u("memory.max"), Failcnt: events["max"]}
	if c.fs.Exists(dir + "/memory.swap.current") {
		// runc reports memory+swap here, as v1's memsw does.
		swapMax := u("memory.swap.max")
		limit := unlimited
		if s.Memory.Usage.Limit != unlimited && swapMax != unlimited {
			limit = s.Memory.Usage.Limit + swapMax
		}
		s.Memory.Swap = MemoryEntry{Usage: s.Memory.Usage.Usage + u("memory.swap.current"), Limit: limit}
	}
	if m, err := readKeyed(c.fs, dir+"/memory.stat"); err == nil {
		s.Memory.Raw = m
		s.Memory.Cache = m["file"]
	}
	s.Pids = PidsStats{Current: u("pids.current"), Limit: u("pids.max")}
	if b, err := c.fs.ReadFile(dir + "/io.stat"); err == nil {
		s.Blkio.IoServiceBytesRecursive, s.Blkio.IoServicedRecursive = parseIOStat(string(b))
	}
}

// parseIOStat parses io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 ...")
// into byte and operation counts per device, in runc's Read/Write shape.
func parseIOStat(s string) (bytes, ios []BlkioEntry) {
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		maj, min, ok := parseDevice(f[0])
		if !ok {
			continue
		}
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				continue
			}
			e := BlkioEntry{Major: maj, Minor: min, Value: n}
			switch k {
			case "rbytes":
				e.Op = "Read"
				bytes = append(bytes, e)
			case "wbytes":
				e.Op = "Write"
				bytes = append(bytes, e)
			case "rios":
				e.Op = "Read"
				ios = append(ios, e)
			case "wios":
				e.Op = "Write"
				ios = append(ios, e)
			}
		}
	}
	return bytes, ios
}

// OOMKills returns how many processes the kernel's OOM killer has killed
// in the cgroup: memory.oom_control's oom_kill on v1, memory.events'
// oom_kill on v2.
func (c *Cgroup) OOMKills() (uint64, error) {
	name, key := "memory.oom_control", "oom_kill"
	if c.Version == 2 {
		name = "memory.events"
	}
	p, err := c.file("memory", name)
	if err != nil {
		return 0, err
	}
	m, err := readKeyed(c.fs, p)
	if err != nil {
		return 0, err
	}
	return m[key], nil
}
