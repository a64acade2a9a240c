package ptrace

import (
	"encoding/binary"
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

// threadClockAddr is where ThreadCPUTime has the stub store its timespec:
// in the scratch page, past the recvmsg buffers of receiveFD.
const threadClockAddr = stubScratch + 3072

// ThreadCPUTime returns the CPU time of this stub thread alone: the thread
// reads its own CLOCK_THREAD_CPUTIME_ID (an injected clock_gettime), since
// Linux lets no other process read a thread's clock.
//
// Preconditions:
// - Called on the OS thread that traces t.
func (t *thread) ThreadCPUTime() (time.Duration, error) {
	as := t.as
	as.scratchMu.Lock()
	defer as.scratchMu.Unlock()
	if _, err := t.inject(unix.SYS_CLOCK_GETTIME, unix.CLOCK_THREAD_CPUTIME_ID, threadClockAddr); err != nil {
		return 0, err
	}
	var b [16]byte
	if _, err := as.ReadAt(threadClockAddr, b[:]); err != nil {
		return 0, err
	}
	sec := int64(binary.LittleEndian.Uint64(b[0:]))
	nsec := int64(binary.LittleEndian.Uint64(b[8:]))
	return time.Duration(sec)*time.Second + time.Duration(nsec), nil
}
