package proc

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// HostInfo is what /proc needs from the host's /proc, read once at boot.
type HostInfo struct {
	// Meminfo is the host's /proc/meminfo, in order.
	Meminfo []MeminfoField
	// CPUInfo is the host's /proc/cpuinfo text.
	CPUInfo string
	// OvercommitMemory is /proc/sys/vm/overcommit_memory ("0" if unknown).
	OvercommitMemory string
	// Release and Version are the host kernel's uname release and
	// version, which the sandbox reports as its own (as uname(2) does).
	// If empty, they are read with uname(2) when needed.
	Release, Version string
	// MemoryLimit is the sandbox's memory limit in bytes (0: none). When
	// it is below the host's memory, meminfo reports the limit as
	// MemTotal. SnapshotHost reads it from the process's cgroup; the boot
	// code may set it from the container's spec instead.
	MemoryLimit uint64
}

// MeminfoField is one line of /proc/meminfo.
type MeminfoField struct {
	Name string
	// Value is the number; KB says whether the line has a "kB" unit.
	Value uint64
	KB    bool
}

// SnapshotHost reads the host files procfs reproduces. The boot code calls
// it before pivot_root, while the host's /proc is still reachable, and
// passes the result to New. A file that cannot be read is left empty; the
// error says which one failed.
func SnapshotHost() (*HostInfo, error) {
	h := &HostInfo{OvercommitMemory: "0"}
	var firstErr error
	keep := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		h.Meminfo = parseMeminfo(string(b))
	} else {
		keep(err)
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		h.CPUInfo = string(b)
	} else {
		keep(err)
	}
	if b, err := os.ReadFile("/proc/sys/vm/overcommit_memory"); err == nil {
		h.OvercommitMemory = strings.TrimSpace(string(b))
	} else {
		keep(err)
	}
	h.MemoryLimit = cgroupMemoryLimit(os.ReadFile)
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		h.Release, h.Version = unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Version[:])
	} else {
		keep(err)
	}
	return h, firstErr
}

// parseMeminfo parses /proc/meminfo text; malformed lines are skipped.
func parseMeminfo(text string) []MeminfoField {
	var out []MeminfoField
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			continue
		}
		out = append(out, MeminfoField{Name: name, Value: v, KB: len(f) > 1 && f[1] == "kB"})
	}
	return out
}

// LiveStats are host figures read at the time a file is generated, from
// sysinfo(2), which the sentry keeps after it loses /proc.
type LiveStats struct {
	// Valid is false if sysinfo failed.
	Valid bool
	// Memory figures in bytes.
	TotalRAM, FreeRAM, SharedRAM, BufferRAM, TotalSwap, FreeSwap uint64
	// Loads are the 1, 5 and 15 minute load averages, fixed point with 16
	// fractional bits (as sysinfo reports them).
	Loads [3]uint64
}

// readLiveStats calls sysinfo(2).
func readLiveStats() LiveStats {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return LiveStats{}
	}
	u := uint64(si.Unit)
	if u == 0 {
		u = 1
	}
	return LiveStats{
		Valid:     true,
		TotalRAM:  si.Totalram * u,
		FreeRAM:   si.Freeram * u,
		SharedRAM: si.Sharedram * u,
		BufferRAM: si.Bufferram * u,
		TotalSwap: si.Totalswap * u,
		FreeSwap:  si.Freeswap * u,
		Loads:     [3]uint64{si.Loads[0], si.Loads[1], si.Loads[2]},
	}
}
