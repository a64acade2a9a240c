package proc

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file renders the system-wide files of /proc from plain values.

// clockTicks is USER_HZ, the unit of times in /proc/stat and /proc/PID/stat.
const clockTicks = 100

// toTicks converts a duration to clock ticks.
func toTicks(d time.Duration) uint64 {
	if d < 0 {
		return 0
	}
	return uint64(d / (time.Second / clockTicks))
}

// formatMeminfo renders /proc/meminfo: the host's fields at boot, with the
// figures sysinfo(2) reports now replacing their boot values. Without a
// snapshot it reports what sysinfo knows.
func formatMeminfo(snap []MeminfoField, live LiveStats) []byte {
	kb := func(b uint64) uint64 { return b / 1024 }
	if len(snap) == 0 {
		if !live.Valid {
			return nil
		}
		snap = []MeminfoField{
			{"MemTotal", 0, true}, {"MemFree", 0, true}, {"MemAvailable", kb(live.FreeRAM + live.BufferRAM), true},
			{"Buffers", 0, true}, {"Cached", 0, true}, {"SwapTotal", 0, true}, {"SwapFree", 0, true},
			{"Shmem", 0, true},
		}
	}
	var snapFree uint64
	for _, f := range snap {
		if f.Name == "MemFree" {
			snapFree = f.Value
		}
	}
	var b strings.Builder
	for _, f := range snap {
		v := f.Value
		if live.Valid {
			switch f.Name {
			case "MemTotal":
				v = kb(live.TotalRAM)
			case "MemFree":
				v = kb(live.FreeRAM)
			case "Buffers":
				v = kb(live.BufferRAM)
			case "Shmem":
				v = kb(live.SharedRAM)
			case "SwapTotal":
				v = kb(live.TotalSwap)
			case "SwapFree":
				v = kb(live.FreeSwap)
			case "MemAvailable":
				// Move the boot estimate by the change in free memory.
				a := int64(v) + int64(kb(live.FreeRAM)) - int64(snapFree)
				v = uint64(max(a, 0))
				v = min(v, kb(live.TotalRAM))
			}
		}
		unit := ""
		if f.KB {
			unit = " kB"
		}
		fmt.Fprintf(&b, "%-16s%8d%s\n", f.Name+":", v, unit)
	}
	return []byte(b.String())
}

// formatCPUInfo renders /proc/cpuinfo for n CPUs from the host's text:
// the first n processor blocks (repeated if the host has fewer), numbered
// 0..n-1 and described as one package of n cores.
func formatCPUInfo(host string, n int) []byte {
	var blocks []string
	for _, blk := range strings.Split(host, "\n\n") {
		if strings.TrimSpace(blk) != "" {
			blocks = append(blocks, strings.Trim(blk, "\n"))
		}
	}
	if len(blocks) == 0 {
		blocks = []string{"processor\t: 0\nvendor_id\t: unknown"}
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		for _, line := range strings.Split(blocks[i%len(blocks)], "\n") {
			key, _, found := strings.Cut(line, ":")
			if found {
				prefix := line[:len(key)+1]
				switch strings.TrimSpace(key) {
				case "processor", "core id", "apicid", "initial apicid":
					line = prefix + " " + strconv.Itoa(i)
				case "siblings", "cpu cores":
					line = prefix + " " + strconv.Itoa(n)
				case "physical id":
					line = prefix + " 0"
				}
			}
			b.WriteString(line)
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// formatUptime renders /proc/uptime: seconds since boot and the idle time
// summed over CPUs, to the hundredth.
func formatUptime(up, idle time.Duration) []byte {
	cs := func(d time.Duration) string {
		c := max(d, 0) / (10 * time.Millisecond)
		return fmt.Sprintf("%d.%02d", c/100, c%100)
	}
	return []byte(cs(up) + " " + cs(idle) + "\n")
}

// formatLoadavg renders /proc/loadavg from sysinfo load figures (16
// fractional bits), the runnable and total task counts and the last PID.
func formatLoadavg(loads [3]uint64, running, total int, lastPID int32) []byte {
	var b strings.Builder
	for _, l := range loads {
		l += (1 << 16) / 200 // round to the nearest hundredth
		fmt.Fprintf(&b, "%d.%02d ", l>>16, ((l&0xffff)*100)>>16)
	}
	fmt.Fprintf(&b, "%d/%d %d\n", running, total, lastPID)
	return []byte(b.String())
}

// cpuTimes are the /proc/stat figures, in clock ticks.
type cpuTimes struct {
	User, System, Idle uint64
}

// procStat is the content of /proc/stat.
type procStat struct {
	CPUs int
	// Total is the sum over CPUs; the per-CPU lines divide it evenly.
	Total     cpuTimes
	BootTime  time.Time
	Processes uint64
	Running   int
}

// formatProcStat renders /proc/stat.
func formatProcStat(s procStat) []byte {
	var b strings.Builder
	line := func(name string, c cpuTimes) {
		fmt.Fprintf(&b, "%s %d 0 %d %d 0 0 0 0 0 0\n", name, c.User, c.System, c.Idle)
	}
	line("cpu ", s.Total)
	n := uint64(max(s.CPUs, 1))
	for i := uint64(0); i < n; i++ {
		share := func(v uint64) uint64 {
			if i == n-1 {
				return v/n + v%n
			}
			return v / n
		}
		line(fmt.Sprintf("cpu%d", i), cpuTimes{share(s.Total.User), share(s.Total.System), share(s.Total.Idle)})
	}
	fmt.Fprintf(&b, "intr 0\nctxt 0\nbtime %d\nprocesses %d\nprocs_running %d\nprocs_blocked 0\n",
		s.BootTime.Unix(), s.Processes, s.Running)
	b.WriteString("softirq 0 0 0 0 0 0 0 0 0 0 0\n")
	return []byte(b.String())
}

// formatVersion renders /proc/version from uname's release and version.
func formatVersion(release, version string) []byte {
	return []byte(fmt.Sprintf("Linux version %s (moat@sandbox) %s\n", release, version))
}

// filesystemsText is /proc/filesystems: the file system types the sentry
// implements.
const filesystemsText = "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tdevpts\nnodev\toverlay\n"
