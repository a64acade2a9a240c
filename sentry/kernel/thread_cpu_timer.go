package kernel

import (
	"sync"
	"sync/atomic"
	"time"
)

// Timers and sleeps on a thread's CPU-time clock. Only a task's own
// goroutine can read its thread's clock (the platform has the stub thread
// read it: ThreadCPUTime), so each is a watch that the measured task
// checks itself whenever it comes back from application code (run calls
// pollThreadCPU). While a task has watches, a ticker kicks it out of
// application code every cpuTimerTick: a watch fires up to a tick late,
// as Linux's CPU timers fire on a scheduler tick. A thread that does not
// run uses no CPU time and needs no check.

// ThreadCPUWatch waits for a thread's CPU clock to reach a target.
type ThreadCPUWatch struct {
	// target is the clock value to reach, once resolved; until then
	// (armed by another task, which cannot read the clock) rel is the
	// time from the measured task's next check.
	target   time.Duration
	rel      time.Duration
	resolved bool
	// fire runs on the measured task's goroutine with its clock value,
	// or at its exit with exited set, without locks held.
	fire func(now time.Duration, exited bool)
}

// threadCPUWatches holds a kernel's watches by measured task.
type threadCPUWatches struct {
	// armed counts watches, so that tasks without any skip the lock.
	armed atomic.Int32
	// mu guards tasks and their contents.
	mu    sync.Mutex
	tasks map[*Task]*taskCPUWatches
}

type taskCPUWatches struct {
	watches map[*ThreadCPUWatch]struct{}
	// last is the clock at the task's last check.
	last time.Duration
}

// armThreadCPU arms w on t's thread CPU clock: after d of that time, or
// when it reaches d if abs. caller is the arming task: only t itself can
// read the clock now; for another caller a relative watch starts at t's
// next check (which the arming kicks off).
func (t *Task) armThreadCPU(caller *Task, w *ThreadCPUWatch, d time.Duration, abs bool) {
	switch {
	case abs:
		w.target, w.resolved = d, true
	case caller == t:
		now, _ := t.ThreadCPUTime()
		w.target, w.resolved = now+d, true
	default:
		w.rel = d
	}
	tc := &t.k.threadCPU
	tc.mu.Lock()
	if tc.tasks == nil {
		tc.tasks = map[*Task]*taskCPUWatches{}
	}
	tw := tc.tasks[t]
	if tw == nil {
		tw = &taskCPUWatches{watches: map[*ThreadCPUWatch]struct{}{}}
		tc.tasks[t] = tw
		go t.tickThreadCPU(tw)
	}
	tw.watches[w] = struct{}{}
	tc.armed.Add(1)
	tc.mu.Unlock()
	if caller != t {
		t.kickApp()
	}
}

// disarmThreadCPU removes w; it reports false if w already fired.
func (t *Task) disarmThreadCPU(w *ThreadCPUWatch) bool {
	tc := &t.k.threadCPU
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tw := tc.tasks[t]
	if tw == nil {
		return false
	}
	if _, ok := tw.watches[w]; !ok {
		return false
	}
	delete(tw.watches, w)
	tc.armed.Add(-1)
	if len(tw.watches) == 0 {
		delete(tc.tasks, t)
	}
	return true
}

// threadCPULeft is the CPU time t still has to use before w fires: exact
// for t itself, from t's last check for another caller.
func (t *Task) threadCPULeft(caller *Task, w *ThreadCPUWatch) time.Duration {
	tc := &t.k.threadCPU
	var now time.Duration
	if caller == t {
		now, _ = t.ThreadCPUTime()
	} else {
		tc.mu.Lock()
		if tw := tc.tasks[t]; tw != nil {
			now = tw.last
		}
		tc.mu.Unlock()
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if !w.resolved {
		return w.rel
	}
	return max(w.target-now, 1)
}

// kickApp makes t leave application code soon, if it runs it.
func (t *Task) kickApp() {
	if th := t.thread; th != nil && t.inApp.Load() {
		th.Interrupt()
	}
}

// tickThreadCPU kicks t out of application code every cpuTimerTick while
// tw holds its watches.
func (t *Task) tickThreadCPU(tw *taskCPUWatches) {
	tc := &t.k.threadCPU
	tick := time.NewTicker(cpuTimerTick)
	defer tick.Stop()
	for range tick.C {
		tc.mu.Lock()
		live := tc.tasks[t] == tw
		tc.mu.Unlock()
		if !live {
			return
		}
		t.kickApp()
	}
}

// pollThreadCPU fires the watches on t's clock that it has reached.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) pollThreadCPU() {
	tc := &t.k.threadCPU
	if tc.armed.Load() == 0 {
		return
	}
	tc.mu.Lock()
	tw := tc.tasks[t]
	tc.mu.Unlock()
	if tw == nil {
		return
	}
	now, ok := t.ThreadCPUTime()
	if !ok {
		return
	}
	var due []*ThreadCPUWatch
	tc.mu.Lock()
	tw.last = now
	for w := range tw.watches {
		if !w.resolved {
			w.target, w.resolved = now+w.rel, true
		}
		if now >= w.target {
			due = append(due, w)
			delete(tw.watches, w)
			tc.armed.Add(-1)
		}
	}
	if len(tw.watches) == 0 && tc.tasks[t] == tw {
		delete(tc.tasks, t)
	}
	tc.mu.Unlock()
	for _, w := range due {
		w.fire(now, false)
	}
}

// exitThreadCPU ends the watches on the exiting task's clock: sleepers
// wake, timers stop (Linux's posix_cpu_timers_exit).
func (t *Task) exitThreadCPU() {
	tc := &t.k.threadCPU
	if tc.armed.Load() == 0 {
		return
	}
	tc.mu.Lock()
	tw := tc.tasks[t]
	delete(tc.tasks, t)
	var all []*ThreadCPUWatch
	if tw != nil {
		for w := range tw.watches {
			all = append(all, w)
		}
		tc.armed.Add(-int32(len(all)))
	}
	tc.mu.Unlock()
	for _, w := range all {
		w.fire(0, true)
	}
}

// SleepThreadCPU implements clock_nanosleep(2) on the CPU clock of m,
// another thread of the caller's process: it blocks until m has used d of
// CPU time (until its clock reads d if abs), m exits, or a signal
// arrives; it returns the CPU time left when interrupted.
//
// Preconditions:
// - Runs on the task goroutine; m != t.
func (t *Task) SleepThreadCPU(m *Task, d time.Duration, abs bool) (left time.Duration, interrupted bool) {
	done := make(chan struct{})
	w := &ThreadCPUWatch{fire: func(time.Duration, bool) { close(done) }}
	m.armThreadCPU(t, w, d, abs)
	if !t.BlockOn(done) {
		return 0, false
	}
	left = m.threadCPULeft(t, w)
	if !m.disarmThreadCPU(w) {
		return 0, false // it fired meanwhile
	}
	return left, true
}

// SleepProcessCPU implements clock_nanosleep(2) on the CPU clock of
// process tg: it blocks until tg has used target of CPU time (sampled
// every cpuTimerTick) or a signal arrives, and returns the CPU time left
// when interrupted.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) SleepProcessCPU(tg *ThreadGroup, target time.Duration) (left time.Duration, interrupted bool) {
	for {
		now := tg.processCPU(ITimerProf)
		if now >= target {
			return 0, false
		}
		if _, interrupted := t.Sleep(cpuTimerTick); interrupted {
			return target - now, true
		}
	}
}

// CPUClock returns the CPU time (user and system) process tg has used.
func (tg *ThreadGroup) CPUClock() time.Duration { return tg.processCPU(ITimerProf) }

// CPUClock names what a CPU-time clock measures: a process, or a thread.
type CPUClock struct {
	Process *ThreadGroup
	Thread  *Task
}
