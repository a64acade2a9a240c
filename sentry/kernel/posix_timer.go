package kernel

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// POSIX timers (timer_create(2) and friends) of a process. Each timer is a
// Go timer on the sandbox's clock that queues its signal when it expires;
// overruns are counted while the previous signal is still pending.

// sigevent notify values.
const (
	SigevSignal   = 0
	SigevNone     = 1
	SigevThreadID = 4
)

// PosixTimer is one timer_create timer.
type PosixTimer struct {
	tg     *ThreadGroup
	id     int32
	clock  int32
	notify int
	signo  int
	value  uint64 // sigev_value, delivered in si_value
	target *Task  // for SIGEV_THREAD_ID
	// measured is the thread whose CPU clock a
	// CLOCK_THREAD_CPUTIME_ID timer counts (thread_cpu_timer.go);
	// cpuTG the process a CLOCK_PROCESS_CPUTIME_ID timer counts.
	measured *Task
	cpuTG    *ThreadGroup

	// mu guards the fields below.
	mu       sync.Mutex
	timer    *time.Timer
	expiry   time.Time
	interval time.Duration
	// cpuExpiry is the process CPU time at which a CPU-clock timer
	// fires; cpuArmed says it is armed (its sampler runs).
	cpuExpiry time.Duration
	cpuArmed  bool
	// watch is an armed thread CPU timer's watch on measured's clock.
	watch   *ThreadCPUWatch
	overrun int
	// pending is set while the timer's signal is queued and not yet taken.
	pending bool
	gen     uint64
}

// posixTimers is the per-process table.
type posixTimers struct {
	mu     sync.Mutex
	timers map[int32]*PosixTimer
	next   int32
}

// maxPosixTimers bounds a process's timers.
const maxPosixTimers = 4096

// CreateTimer implements timer_create(2); cpu is what a CPU-clock timer
// counts (the caller's process when cpu.Process is nil).
func (tg *ThreadGroup) CreateTimer(clock int32, cpu CPUClock, notify, signo int, value uint64, target *Task) (int32, linux.Errno) {
	measured, cpuTG := cpu.Thread, cpu.Process
	if cpuTG == nil {
		cpuTG = tg
	}
	switch clock {
	case unix.CLOCK_REALTIME, unix.CLOCK_MONOTONIC, unix.CLOCK_BOOTTIME, unix.CLOCK_REALTIME_ALARM, unix.CLOCK_BOOTTIME_ALARM:
	case unix.CLOCK_PROCESS_CPUTIME_ID:
		// Sampled like ITIMER_PROF (itimer_cpu.go).
	case unix.CLOCK_THREAD_CPUTIME_ID:
		// Checked by the thread itself (thread_cpu_timer.go).
		if measured == nil || measured.tg != tg {
			return 0, linux.EINVAL
		}
	default:
		return 0, linux.EINVAL
	}
	switch notify {
	case SigevNone:
	case SigevSignal, SigevThreadID:
		if signo < 1 || signo > linux.NumSignals {
			return 0, linux.EINVAL
		}
	default:
		return 0, linux.EINVAL
	}
	pt := &tg.posixTimers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	if pt.timers == nil {
		pt.timers = map[int32]*PosixTimer{}
	}
	if len(pt.timers) >= maxPosixTimers {
		return 0, linux.EAGAIN
	}
	id := pt.next
	for pt.timers[id] != nil {
		id++
	}
	pt.next = id + 1
	pt.timers[id] = &PosixTimer{tg: tg, id: id, clock: clock, notify: notify, signo: signo, value: value, target: target, measured: measured, cpuTG: cpuTG}
	return id, 0
}

// Timer returns timer id of the process.
func (tg *ThreadGroup) Timer(id int32) (*PosixTimer, linux.Errno) {
	pt := &tg.posixTimers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	if t := pt.timers[id]; t != nil {
		return t, 0
	}
	return nil, linux.EINVAL
}

// DeleteTimer implements timer_delete(2).
func (tg *ThreadGroup) DeleteTimer(id int32) linux.Errno {
	pt := &tg.posixTimers
	pt.mu.Lock()
	t := pt.timers[id]
	delete(pt.timers, id)
	pt.mu.Unlock()
	if t == nil {
		return linux.EINVAL
	}
	t.mu.Lock()
	t.stopLocked()
	t.mu.Unlock()
	return 0
}

// deleteAllTimers stops every timer (exit, exec).
func (tg *ThreadGroup) deleteAllTimers() {
	pt := &tg.posixTimers
	pt.mu.Lock()
	ts := pt.timers
	pt.timers = nil
	pt.mu.Unlock()
	for _, t := range ts {
		t.mu.Lock()
		t.stopLocked()
		t.mu.Unlock()
	}
}

func (t *PosixTimer) stopLocked() {
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	t.cpuArmed = false
	if t.watch != nil {
		t.measured.disarmThreadCPU(t.watch)
		t.watch = nil
	}
	t.gen++
}

// Get implements timer_gettime(2) for caller.
func (t *PosixTimer) Get(caller *Task) (left, interval time.Duration) {
	if t.clock == unix.CLOCK_THREAD_CPUTIME_ID {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.watch == nil {
			return 0, t.interval
		}
		return t.measured.threadCPULeft(caller, t.watch), t.interval
	}
	if t.clock == unix.CLOCK_PROCESS_CPUTIME_ID {
		now := t.cpuTG.processCPU(ITimerProf)
		t.mu.Lock()
		defer t.mu.Unlock()
		if !t.cpuArmed {
			return 0, t.interval
		}
		return max(t.cpuExpiry-now, 1), t.interval
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer == nil {
		return 0, t.interval
	}
	return max(time.Until(t.expiry), 1), t.interval
}

// Set implements timer_settime(2) for caller; value is relative to now,
// or for a thread CPU timer absolute if abs.
func (t *PosixTimer) Set(caller *Task, value, interval time.Duration, abs bool) (oldLeft, oldInterval time.Duration) {
	oldLeft, oldInterval = t.Get(caller)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopLocked()
	t.interval = interval
	t.overrun = 0
	switch {
	case value <= 0:
	case t.clock == unix.CLOCK_THREAD_CPUTIME_ID:
		t.armThreadLocked(caller, value, abs)
	default:
		t.armLocked(value)
	}
	return oldLeft, oldInterval
}

// armThreadLocked arms a thread CPU timer; it re-arms itself with its
// interval when it fires, on the measured task's goroutine.
func (t *PosixTimer) armThreadLocked(caller *Task, d time.Duration, abs bool) {
	gen := t.gen
	w := &ThreadCPUWatch{}
	w.fire = func(now time.Duration, exited bool) {
		t.mu.Lock()
		if gen != t.gen || t.watch != w {
			t.mu.Unlock()
			return
		}
		t.watch = nil
		if !exited && t.interval > 0 {
			t.armThreadLocked(t.measured, now+t.interval, true)
		}
		t.mu.Unlock()
		if !exited {
			t.fire(gen)
		}
	}
	t.watch = w
	t.measured.armThreadCPU(caller, w, d, abs)
}

func (t *PosixTimer) armLocked(d time.Duration) {
	gen := t.gen
	if t.clock == unix.CLOCK_PROCESS_CPUTIME_ID {
		t.cpuExpiry = t.cpuTG.processCPU(ITimerProf) + d
		t.cpuArmed = true
		go t.sampleCPU(gen, t.cpuExpiry)
		return
	}
	t.expiry = time.Now().Add(d)
	t.timer = time.AfterFunc(d, func() { t.fire(gen) })
}

// sampleCPU waits until the process has used expiry of CPU time, then
// fires the timer (unless it was changed meanwhile or the process exits).
func (t *PosixTimer) sampleCPU(gen uint64, expiry time.Duration) {
	tick := time.NewTicker(cpuTimerTick)
	defer tick.Stop()
	for range tick.C {
		t.mu.Lock()
		stale := gen != t.gen
		t.mu.Unlock()
		if stale || t.tg.isExiting() || t.cpuTG.isExiting() {
			return
		}
		if t.cpuTG.processCPU(ITimerProf) >= expiry {
			t.fire(gen)
			return
		}
	}
}

// fire runs when the timer expires.
func (t *PosixTimer) fire(gen uint64) {
	t.mu.Lock()
	if gen != t.gen {
		t.mu.Unlock()
		return
	}
	t.timer = nil
	t.cpuArmed = false
	if t.interval > 0 && t.clock != unix.CLOCK_THREAD_CPUTIME_ID {
		t.armLocked(t.interval)
	}
	if t.pending {
		t.overrun++
		t.mu.Unlock()
		return
	}
	if t.notify == SigevNone {
		t.mu.Unlock()
		return
	}
	t.pending = true
	t.mu.Unlock()
	t.mu.Lock()
	value := t.value
	t.mu.Unlock()
	info := linux.NewSignalInfo(t.signo, linux.SI_TIMER)
	info.SetTimer(t.id, value)
	if t.notify == SigevThreadID && t.target != nil {
		t.target.SendSignal(info, FromKernel)
	} else {
		t.tg.SendGroupSignal(info, FromKernel)
	}
	// The signal is considered taken once queued: overruns count
	// expirations while it is pending, approximated here by the time
	// until the next expiry check.
	t.mu.Lock()
	t.pending = false
	t.mu.Unlock()
}

// Overrun implements timer_getoverrun(2).
func (t *PosixTimer) Overrun() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.overrun
}

// Clock returns the timer's clock ID.
func (t *PosixTimer) Clock() int32 { return t.clock }

// SetValue sets the sigev_value the timer's signal carries.
func (t *PosixTimer) SetValue(v uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.value = v
}
