package proc

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// unlimitedMemory is where cgroup v1 memory limits mean "no limit" (the
// page-rounded LONG_MAX Linux reports).
const unlimitedMemory = 1 << 62

// cgroupMemoryLimit returns the memory limit (bytes) of the calling
// process's cgroup, or 0 if there is none or it cannot be read. It reads
// /proc/self/cgroup and the limit file of cgroup v2 (memory.max) or v1
// (memory.limit_in_bytes), looking at the process's own cgroup directory
// first and then at the hierarchy's root (which is the process's own
// cgroup under a cgroup namespace).
func cgroupMemoryLimit(readFile func(string) ([]byte, error)) uint64 {
	b, err := readFile("/proc/self/cgroup")
	if err != nil {
		return 0
	}
	var candidates []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		switch {
		case f[0] == "0" && f[1] == "":
			candidates = append(candidates,
				path.Join("/sys/fs/cgroup", f[2], "memory.max"), "/sys/fs/cgroup/memory.max")
		case hasController(f[1], "memory"):
			candidates = append(candidates,
				path.Join("/sys/fs/cgroup/memory", f[2], "memory.limit_in_bytes"), "/sys/fs/cgroup/memory/memory.limit_in_bytes")
		}
	}
	for _, c := range candidates {
		b, err := readFile(c)
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(b))
		if s == "max" {
			return 0
		}
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v >= unlimitedMemory {
			return 0
		}
		return v
	}
	return 0
}

// hasController reports whether the comma-separated list has c.
func hasController(list, c string) bool {
	for _, x := range strings.Split(list, ",") {
		if x == c {
			return true
		}
	}
	return false
}

// limitedMeminfo renders /proc/meminfo for a sandbox whose memory is
// limited to limit bytes, of which used are in use: what programs that
// size themselves from MemTotal and MemAvailable (JVMs, Go, Node) need.
func limitedMeminfo(limit, used uint64) []MeminfoField {
	free := uint64(0)
	if used < limit {
		free = limit - used
	}
	return []MeminfoField{
		{"MemTotal", limit / 1024, true}, {"MemFree", free / 1024, true}, {"MemAvailable", free / 1024, true},
		{"Buffers", 0, true}, {"Cached", 0, true}, {"SwapCached", 0, true},
		{"SwapTotal", 0, true}, {"SwapFree", 0, true}, {"Shmem", 0, true},
	}
}

// cgroupControllers are the controllers /proc/cgroups lists: those whose
// limits the sandbox's cgroup file systems report (sentry/fs/sys), in
// Linux's order.
var cgroupControllers = []string{"cpuset", "cpu", "cpuacct", "memory", "pids"}

// genCgroups renders /proc/cgroups: each controller with the ID of the
// cgroup v1 hierarchy it is mounted in (0: none, or cgroup v2), one
// cgroup, enabled. JVMs read it to find their cgroup version.
func (fs *filesystem) genCgroups(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
	return []byte(formatCgroups(fs.k.CgroupHierarchies())), 0
}

// formatCgroups renders /proc/cgroups for the mounted hierarchies hs.
func formatCgroups(hs []kernel.CgroupHierarchy) string {
	var b strings.Builder
	b.WriteString("#subsys_name\thierarchy\tnum_cgroups\tenabled\n")
	for _, c := range cgroupControllers {
		id := 0
		for _, h := range hs {
			if h.ID > 0 && hasController(h.Controllers, c) {
				id = h.ID
			}
		}
		fmt.Fprintf(&b, "%s\t%d\t1\t1\n", c, id)
	}
	return b.String()
}
