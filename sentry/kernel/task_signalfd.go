package kernel

import (
	"time"

	"moat/sentry/abi/linux"
)

// This file gives signalfd(2) and the poll family what they need of the
// signal queues without a hook in signal delivery: a signalfd is ready
// when a signal of its mask is pending for the task that looks at it (as
// on Linux, where readiness is that of current), and every queued signal
// already kicks its task's wake channel, so a task that blocks with
// BlockWatching sees the arrival of the signals it watches.

// DequeueSignalIn takes a pending signal of set, blocked or not: the
// thread's own queue first, then the process's (signalfd read).
func (t *Task) DequeueSignalIn(set linux.SigSet) (linux.SignalInfo, bool) {
	return t.dequeueSignalIn(set)
}

// PendingSignalsIn returns the signals of set pending for t or its
// process, blocked or not.
func (t *Task) PendingSignalsIn(set linux.SigSet) linux.SigSet {
	if set == 0 {
		return 0
	}
	return t.PendingSignals() & set
}

// BlockWatching is BlockUntil that also returns, with neither result set,
// once a signal of watch that is not in seen becomes pending for the task
// or its process (blocked or not), so that the caller looks again at
// files whose readiness depends on pending signals (signalfd). seen is
// what the caller already took into account: take it with
// PendingSignalsIn before checking readiness, so that nothing queued
// between the check and the wait is missed, and so that a signal that
// stays pending (reported once by an edge-triggered or one-shot epoll
// item) does not wake the caller again and again. A signal of seen that
// is taken and queued again counts as new once the wait noticed it gone.
// The caller rechecks its condition after every return.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) BlockWatching(ch <-chan struct{}, deadline time.Time, watch, seen linux.SigSet) (interrupted, timedOut bool) {
	if watch == 0 {
		return t.BlockUntil(ch, deadline)
	}
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		d := time.Until(deadline)
		if d <= 0 {
			return false, true
		}
		timer := time.NewTimer(d)
		defer timer.Stop()
		timeout = timer.C
	}
	for {
		now := t.PendingSignalsIn(watch)
		if now&^seen != 0 {
			return false, false
		}
		seen &= now
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
