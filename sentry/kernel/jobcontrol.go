package kernel

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// Job control: a stop signal with the default action stops every task of
// the process until SIGCONT; the parent learns of both through SIGCHLD and
// wait(WUNTRACED/WCONTINUED).
//
// The fields live in ThreadGroup (guarded by ThreadGroup.mu):
// groupStopped, stopSignal, stopUnreported and contUnreported.

// stopSignals are the job-control stop signals.
const stopSignals = linux.SigSet(1)<<(unix.SIGSTOP-1) | 1<<(unix.SIGTSTP-1) |
	1<<(unix.SIGTTIN-1) | 1<<(unix.SIGTTOU-1)

// discardLocked removes every pending signal of set from the process and
// its tasks (SIGCONT discards stops; a stop discards SIGCONT).
//
// Preconditions:
// - tg.mu is held.
func (tg *ThreadGroup) discardLocked(set linux.SigSet) {
	tg.pending.discard(set)
	for t := range tg.tasks {
		t.mu.Lock()
		t.pending.discard(set)
		t.mu.Unlock()
	}
}

func (q *sigQueue) discard(set linux.SigSet) {
	if q.set&set == 0 {
		return
	}
	kept := q.infos[:0]
	for _, info := range q.infos {
		if set&linux.SignalSetOf(info.Signo()) == 0 {
			kept = append(kept, info)
		}
	}
	q.infos = kept
	q.set &^= set
}

// groupStop stops the process with sig (the default action of a stop
// signal) and tells the parent.
func (tg *ThreadGroup) groupStop(sig int) {
	tg.mu.Lock()
	if tg.exiting || tg.groupStopped {
		tg.mu.Unlock()
		return
	}
	tg.groupStopped, tg.stopSignal = true, sig
	tg.stopUnreported, tg.contUnreported = true, false
	for t := range tg.tasks {
		t.interrupt()
	}
	tg.mu.Unlock()
	tg.k.mu.Lock()
	tg.flushContinueLocked()
	tg.notifyParentStateLocked(linux.CLD_STOPPED, sig)
	tg.k.mu.Unlock()
}

// continueLocked resumes a stopped process (SIGCONT, whatever its
// disposition).
//
// Preconditions:
// - tg.mu is held (Kernel.mu is not: the parent is told asynchronously).
func (tg *ThreadGroup) continueLocked() {
	tg.discardLocked(stopSignals)
	if !tg.groupStopped {
		return
	}
	tg.groupStopped = false
	tg.stopUnreported, tg.contUnreported = false, true
	tg.contNotify = true
	for t := range tg.tasks {
		t.interrupt()
	}
	go func() {
		tg.k.mu.Lock()
		defer tg.k.mu.Unlock()
		tg.flushContinueLocked()
	}()
}

// flushContinueLocked sends the parent the SIGCHLD of a continue not yet
// told, once: from the goroutine continueLocked starts, or first thing
// when the process stops again, so that the parent is told of the
// continue before the next stop, as Linux tells it (the continued task
// reports before it handles any signal). A stop's SIGCHLD must not get
// there first: the continue's would then merge into it, pending.
//
// Preconditions:
// - Kernel.mu is held; tg.mu is not.
func (tg *ThreadGroup) flushContinueLocked() {
	tg.mu.Lock()
	pending := tg.contNotify
	tg.contNotify = false
	tg.mu.Unlock()
	if pending {
		tg.notifyParentStateLocked(linux.CLD_CONTINUED, int(unix.SIGCONT))
	}
}

// notifyParentStateLocked tells the parent of a stop or continue: SIGCHLD
// unless it asked for SA_NOCLDSTOP, and a wake-up for wait.
//
// Preconditions:
// - Kernel.mu is held.
func (tg *ThreadGroup) notifyParentStateLocked(code int32, sig int) {
	p := tg.parent
	if p == nil {
		return
	}
	close(p.childEvents)
	p.childEvents = make(chan struct{})
	if p.SigAction(int(unix.SIGCHLD)).Flags&linux.SA_NOCLDSTOP != 0 {
		return
	}
	info := linux.NewSignalInfo(int(unix.SIGCHLD), code)
	info.SetPID(tg.pid)
	info.SetStatus(int32(sig))
	p.SendGroupSignal(info, FromKernel)
}

// isStopped reports whether the process is in a group stop.
func (tg *ThreadGroup) isStopped() bool {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.groupStopped && !tg.exiting
}

// waitWhileStopped parks the task while its process is stopped; SIGCONT
// and SIGKILL end the wait.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) waitWhileStopped() {
	for t.tg.isStopped() && !t.killed.Load() {
		<-t.wake
	}
}

// takeStopReport returns the unreported stop or continue of a child for
// wait(WUNTRACED/WCONTINUED), consuming it unless keep.
//
// Preconditions:
// - Kernel.mu is held.
func (tg *ThreadGroup) takeStopReport(stopped, continued, keep bool) (code int32, sig int, ok bool) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	switch {
	case stopped && tg.groupStopped && tg.stopUnreported:
		if !keep {
			tg.stopUnreported = false
		}
		return linux.CLD_STOPPED, tg.stopSignal, true
	case continued && tg.contUnreported:
		if !keep {
			tg.contUnreported = false
		}
		return linux.CLD_CONTINUED, int(unix.SIGCONT), true
	}
	return 0, 0, false
}

// orphanedGroup reports whether process group pgid is orphaned: no member
// has a parent in another group of the same session (the terminal stop
// signals are discarded there, as no one could continue the group).
func (k *Kernel) orphanedGroup(pgid int32) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, tg := range k.threadGroups {
		if tg.pgid != pgid || tg.zombie {
			continue
		}
		if p := tg.parent; p != nil && p.pgid != pgid && p.sid == tg.sid {
			return false
		}
	}
	return true
}

// Stopped reports whether the process is stopped by job control (for
// /proc's state letter).
func (tg *ThreadGroup) Stopped() bool { return tg.isStopped() }
