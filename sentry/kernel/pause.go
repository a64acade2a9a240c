package kernel

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Errors of Pause and Resume.
var (
	// ErrPaused: Pause of a kernel that is paused already.
	ErrPaused = errors.New("the sandbox is paused already")
	// ErrNotPaused: Resume of a kernel that is not paused.
	ErrNotPaused = errors.New("the sandbox is not paused")
)

// pauseTimeout bounds how long Pause waits for tasks to leave
// application code (a stub that does not stop within it is stuck in the
// host kernel).
const pauseTimeout = 10 * time.Second

// pauseState is the kernel-wide pause of runsc pause: while it holds, no
// task runs application code. A task running application code is
// interrupted and parks at its return to the sentry; a task inside a
// syscall finishes or keeps blocking as usual, and parks when it would
// return to application code; a task created meanwhile parks before its
// first instruction. Timers keep running and signals keep queueing:
// their effect (a signal frame, a restarted syscall) is prepared but
// runs only after Resume.
type pauseState struct {
	// mu guards paused and resumed.
	mu     sync.Mutex
	paused bool
	// resumed is closed by Resume; parked tasks wait on it.
	resumed chan struct{}

	// flag mirrors paused for the run loop's lock-free check.
	flag atomic.Bool
	// inApp counts tasks between enterApp and leaveApp (running
	// application code, or about to).
	inApp atomic.Int64
}

// Pause stops every task of the sandbox at its next return to user mode
// and returns once none runs application code.
func (k *Kernel) Pause() error {
	p := &k.pause
	p.mu.Lock()
	if p.paused {
		p.mu.Unlock()
		return ErrPaused
	}
	p.paused = true
	p.resumed = make(chan struct{})
	p.flag.Store(true)
	p.mu.Unlock()

	// A task that entered before the flag was set is kicked out of
	// application code; the platform's interrupt is sticky, so one that
	// is only about to enter returns at once.
	k.mu.Lock()
	tasks := make([]*Task, 0, len(k.tasks))
	for _, t := range k.tasks {
		tasks = append(tasks, t)
	}
	k.mu.Unlock()
	for _, t := range tasks {
		t.interrupt()
	}
	deadline := time.Now().Add(pauseTimeout)
	for p.inApp.Load() != 0 {
		if time.Now().After(deadline) {
			k.Resume()
			return errors.New("pausing the sandbox: tasks did not stop")
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// Resume lets every parked task run again.
func (k *Kernel) Resume() error {
	p := &k.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.paused {
		return ErrNotPaused
	}
	p.paused = false
	p.flag.Store(false)
	close(p.resumed)
	return nil
}

// Paused reports whether the kernel is paused.
func (k *Kernel) Paused() bool {
	p := &k.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// enterApp is called by a task before it switches to application code;
// leaveApp when it is back. If the kernel is paused, enterApp does not
// enter: it waits until Resume (or until the task must exit) and returns
// false, and the run loop goes round again, so signals that arrived
// meanwhile are delivered first.
//
// Preconditions:
// - Runs on the task goroutine.
func (k *Kernel) enterApp(t *Task) bool {
	p := &k.pause
	p.inApp.Add(1)
	if !p.flag.Load() {
		return true
	}
	p.inApp.Add(-1)
	p.mu.Lock()
	paused, resumed := p.paused, p.resumed
	p.mu.Unlock()
	for paused && !t.tg.isExiting() {
		select {
		case <-resumed:
			return false
		case <-t.wake:
		}
	}
	return false
}

// leaveApp ends what enterApp began.
func (k *Kernel) leaveApp() { k.pause.inApp.Add(-1) }
