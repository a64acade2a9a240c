package kernel

import (
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Parking: a cheaper way for a task to wait.
//
// A task goroutine is locked to its OS thread (the tracer of its stub
// thread). When it waits on a Go channel, the wake-up goes through Go's
// scheduler: the waker makes the goroutine runnable on its own P, an idle
// M is woken to pick it up, finds it locked to another M and wakes that
// one in turn. Two host thread wake-ups per hand-over, each a cross-CPU
// interrupt on a virtual machine, on the path of every pipe, futex and
// signal ping-pong between tasks.
//
// A parked task sleeps in the host futex of its own parkWord instead, and
// the waker wakes that OS thread directly: one wake-up. It works only for
// waits whose every wake source calls unpark: interrupt (signals, exit,
// stops, pause), futex wakes, and files that Notify a vfs.Queue whenever
// they close their channel (BlockOnQueue). Everything else keeps waiting
// on channels (task_block.go).
//
// The futex wait is an ordinary blocking system call for Go, like the
// tracer's wait4 while application code runs: the P stays with the thread
// and comes back at once on wake-up unless the runtime has handed it to
// other work meanwhile.

// parkWord states.
const (
	parkRunning  = 0
	parkSleeping = 1
	parkNotified = 2
)

// unpark ends the task's park, or makes its next one return at once. Any
// goroutine may call it, after making the change the task waits for.
func (t *Task) unpark() {
	if t.parkWord.Swap(parkNotified) == parkSleeping {
		futexWakeWord(&t.parkWord)
	}
}

// prepareToPark starts a round of a parked wait: notifications from here
// on end the next park; the caller then checks what it waits for.
func (t *Task) prepareToPark() {
	t.parkWord.Store(parkRunning)
	select {
	case <-t.wake: // the same notification as unpark's; drop it
	default:
	}
}

// park sleeps until unpark is called (since prepareToPark), the timeout
// passes (negative: none) or the host interrupts the sleep.
//
// Preconditions:
// - Runs on the task goroutine, after prepareToPark.
func (t *Task) park(timeout time.Duration) {
	if !t.parkWord.CompareAndSwap(parkRunning, parkSleeping) {
		return // notified already
	}
	futexWaitWord(&t.parkWord, parkSleeping, timeout)
}

// blockParked waits until ch is closed, a signal is pending (or the
// process exits) or the deadline passes (zero: none). Every close of ch
// must be followed by t.unpark().
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) blockParked(ch <-chan struct{}, deadline time.Time) (interrupted, timedOut bool) {
	if !deadline.IsZero() && time.Until(deadline) <= 0 {
		// Already due: only a wake that has happened counts (BlockUntil).
		select {
		case <-ch:
			return false, false
		default:
			return false, true
		}
	}
	for {
		t.prepareToPark()
		// What the task waits for wins over a signal that came with it,
		// as in Linux's wait_event: a FIFO open whose writer has come
		// and gone (and sent SIGCHLD) still completes.
		select {
		case <-ch:
			return false, false
		default:
		}
		if t.interruptPending() {
			return true, false
		}
		timeout := time.Duration(-1)
		if !deadline.IsZero() {
			if timeout = time.Until(deadline); timeout <= 0 {
				return false, true
			}
		}
		t.park(timeout)
	}
}

// BlockOnQueue is BlockOn for a channel whose every close comes with a
// Notify of q (pipes): the task parks, registered on q.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) BlockOnQueue(q *vfs.Queue, ch <-chan struct{}) (interrupted bool) {
	unregister := q.EventRegister(vfs.NewWaiter(^uint32(0), func(uint32) { t.unpark() }))
	defer unregister()
	interrupted, _ = t.blockParked(ch, time.Time{})
	return interrupted
}

// WaitForSignal blocks until a signal outside mask is pending (pause(2),
// sigsuspend(2)).
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) WaitForSignal(mask linux.SigSet) {
	for {
		t.prepareToPark()
		if t.hasDeliverable(mask) || t.mustExit() {
			return
		}
		t.park(-1)
	}
}
