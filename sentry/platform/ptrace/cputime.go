package ptrace

import (
	"time"

	"golang.org/x/sys/unix"
)

// Dynamic CPU clock IDs (see clock_getcpuclockid(3)): ~pid << 3 | kind,
// with bit 2 set for a per-thread clock.
const (
	cpuClockProf = 0 // user + system
	cpuClockVirt = 1 // user only
)

func cpuClock(pid int, kind int32, perThread bool) time.Duration {
	id := (^int32(pid))<<3 | kind
	if perThread {
		id |= 4
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(id, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// CPUTime returns the user and system CPU time the stub has used running
// application code. Linux only lets a process read the per-thread clocks
// of its own threads, so this is the stub process's clock (one stub thread
// per address space today).
func (t *thread) CPUTime() (user, sys time.Duration) {
	u := cpuClock(t.as.pid, cpuClockVirt, false)
	total := cpuClock(t.as.pid, cpuClockProf, false)
	return u, max(total-u, 0)
}
