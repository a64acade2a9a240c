package kernel

import (
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// ITIMER_VIRTUAL and ITIMER_PROF: timers that count the process's CPU
// time (user time; user and system time) and send SIGVTALRM or SIGPROF
// when it has used their value. The CPU time is the host's account of the
// process's stub (application code only, no sentry time), sampled every
// cpuTimerTick while a timer is armed, so a timer fires up to a tick
// late, as Linux's fire on a scheduler tick.

// cpuTimerTick is how often an armed CPU timer looks at the CPU time.
const cpuTimerTick = 4 * time.Millisecond

// Kinds of CPU timers.
const (
	ITimerVirtual = 1
	ITimerProf    = 2
)

// cpuITimer is one CPU-time interval timer.
type cpuITimer struct {
	// expiry is the CPU time at which it fires; 0 when disarmed.
	expiry, interval time.Duration
}

// processCPU returns tg's CPU time of kind (user, or user+system).
func (tg *ThreadGroup) processCPU(kind int) time.Duration {
	tg.mu.Lock()
	var t *Task
	for o := range tg.tasks {
		t = o
		break
	}
	// A process whose threads are gone (a zombie) keeps what its
	// last thread saw at exit.
	user, total := time.Duration(tg.userTime), time.Duration(tg.userTime+tg.sysTime)
	tg.mu.Unlock()
	if t == nil {
		if kind == ITimerVirtual {
			return user
		}
		return total
	}
	u, s := t.CPUTime()
	if kind == ITimerVirtual {
		return u
	}
	return u + s
}

// CPUTimer returns the CPU time left before the ITIMER_VIRTUAL or
// ITIMER_PROF timer fires (0: disarmed) and its interval.
func (tg *ThreadGroup) CPUTimer(kind int) (left, interval time.Duration) {
	now := tg.processCPU(kind)
	tg.mu.Lock()
	defer tg.mu.Unlock()
	it := tg.cpuTimers[kind-1]
	if it.expiry == 0 {
		return 0, it.interval
	}
	return max(it.expiry-now, time.Microsecond), it.interval
}

// SetCPUTimer arms the ITIMER_VIRTUAL or ITIMER_PROF timer to fire after
// value of CPU time (disarms if 0), then every interval; it returns the
// previous setting.
func (tg *ThreadGroup) SetCPUTimer(kind int, value, interval time.Duration) (oldLeft, oldInterval time.Duration) {
	oldLeft, oldInterval = tg.CPUTimer(kind)
	now := tg.processCPU(kind)
	tg.mu.Lock()
	defer tg.mu.Unlock()
	it := &tg.cpuTimers[kind-1]
	it.interval = interval
	it.expiry = 0
	if value > 0 {
		it.expiry = now + value
		if !tg.cpuTimerRunning {
			tg.cpuTimerRunning = true
			go tg.runCPUTimers()
		}
	}
	return oldLeft, oldInterval
}

// runCPUTimers samples the CPU time while a CPU timer is armed and the
// process lives, and fires the timers.
func (tg *ThreadGroup) runCPUTimers() {
	tick := time.NewTicker(cpuTimerTick)
	defer tick.Stop()
	for range tick.C {
		user, prof := tg.processCPU(ITimerVirtual), tg.processCPU(ITimerProf)
		var fire []int
		tg.mu.Lock()
		if tg.exiting {
			tg.cpuTimerRunning = false
			tg.mu.Unlock()
			return
		}
		armed := false
		for i, now := range [2]time.Duration{user, prof} {
			it := &tg.cpuTimers[i]
			if it.expiry == 0 {
				continue
			}
			if now >= it.expiry {
				fire = append(fire, i+1)
				it.expiry = 0
				if it.interval > 0 {
					it.expiry = now + it.interval
				}
			}
			armed = armed || it.expiry != 0
		}
		if !armed {
			tg.cpuTimerRunning = false
		}
		tg.mu.Unlock()
		for _, kind := range fire {
			sig := unix.SIGVTALRM
			if kind == ITimerProf {
				sig = unix.SIGPROF
			}
			tg.SendGroupSignal(linux.NewSignalInfo(int(sig), linux.SI_KERNEL), FromKernel)
		}
		if !armed {
			return
		}
	}
}
