package kernel

import (
	"time"

	"moat/sentry/abi/linux"
)

// Sleep blocks for d or until a signal is pending for the task. It returns
// the time left when a signal interrupted it.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) Sleep(d time.Duration) (left time.Duration, interrupted bool) {
	if t.interruptPending() {
		return d, true
	}
	if d <= 0 {
		return 0, false
	}
	deadline := time.Now().Add(d)
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			return 0, false
		case <-t.wake:
			if t.interruptPending() {
				return max(time.Until(deadline), 0), true
			}
		}
	}
}

// SetSavedMask installs mask for the duration of a sigsuspend-like wait:
// the old mask comes back when the signal's handler returns (or at once if
// no handler runs).
func (t *Task) SetSavedMask(mask linux.SigSet) {
	old := t.SigMask()
	t.savedMask = &old
	t.SetSigMask(mask)
}

// interruptPending reports whether a blocking call must give way: a
// deliverable signal is pending or the process is exiting.
func (t *Task) interruptPending() bool {
	return t.mustExit() || t.hasDeliverable(t.SigMask())
}

// BlockOn waits until ch is closed or a signal is pending for the task; it
// reports whether a signal (or the process's exit) interrupted it.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) BlockOn(ch <-chan struct{}) (interrupted bool) {
	for {
		if t.interruptPending() {
			return true
		}
		select {
		case <-ch:
			return false
		case <-t.wake:
		}
	}
}

// BlockUntil waits until ch is closed, the deadline passes (zero: no
// deadline) or a signal is pending.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) BlockUntil(ch <-chan struct{}, deadline time.Time) (interrupted, timedOut bool) {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		d := time.Until(deadline)
		if d <= 0 {
			select {
			case <-ch:
				return false, false
			default:
				return false, true
			}
		}
		timer := time.NewTimer(d)
		defer timer.Stop()
		timeout = timer.C
	}
	for {
		if t.interruptPending() {
			return true, false
		}
		select {
		case <-ch:
			return false, false
		case <-timeout:
			return false, true
		case <-t.wake:
		}
	}
}
