package kernel

import (
	"sort"

	"moat/sentry/abi/linux"
)

// This file holds read-only accessors that /proc (sentry/fs/proc) needs.

// PIDMax is the highest thread ID the kernel hands out plus one
// (/proc/sys/kernel/pid_max); allocTIDLocked wraps below it.
const PIDMax = 4194304

// Threads returns the live tasks of tg, sorted by thread ID.
func (tg *ThreadGroup) Threads() []*Task {
	tg.mu.Lock()
	ts := make([]*Task, 0, len(tg.tasks))
	for t := range tg.tasks {
		ts = append(ts, t)
	}
	tg.mu.Unlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].tid < ts[j].tid })
	return ts
}

// Exiting reports whether tg has begun to exit (exit_group or a fatal
// signal); /proc shows such a process as a zombie.
func (tg *ThreadGroup) Exiting() bool { return tg.isExiting() }

// SignalDispositions returns the signals tg ignores and the signals it
// catches with a handler (SigIgn and SigCgt in /proc/PID/status).
func (tg *ThreadGroup) SignalDispositions() (ignored, caught linux.SigSet) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	for i, a := range tg.actions {
		switch a.Handler {
		case linux.SIG_DFL:
		case linux.SIG_IGN:
			ignored |= 1 << uint(i)
		default:
			caught |= 1 << uint(i)
		}
	}
	return ignored, caught
}

// LastTID returns the most recently allocated thread ID (the last field
// of /proc/loadavg).
func (k *Kernel) LastTID() int32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.nextTID - 1
}

// Size returns the number of slots the table has allocated (FDSize in
// /proc/PID/status).
func (t *FDTable) Size() int { return len(*t.slots.Load()) }

// PendingSets returns the signals pending for t alone and for its whole
// process (SigPnd and ShdPnd in /proc/PID/status).
func (t *Task) PendingSets() (thread, process linux.SigSet) {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pending.set, t.tg.pending.set
}

// ExitedThreadTimes returns the CPU time (nanoseconds) recorded for
// threads of tg that have exited.
func (tg *ThreadGroup) ExitedThreadTimes() (user, sys int64) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.userTime, tg.sysTime
}

// ExitSignal returns the signal tg's parent gets when it ends.
func (tg *ThreadGroup) ExitSignal() int {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.exitSignal
}
