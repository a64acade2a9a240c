package kernel

import (
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// sigQueue is a set of pending signals with their siginfo. Standard
// signals are pending at most once; real-time signals queue.
type sigQueue struct {
	set   linux.SigSet
	infos []linux.SignalInfo
}

func (q *sigQueue) enqueue(info *linux.SignalInfo) {
	sig := info.Signo()
	if sig < linux.SIGRTMIN && q.set&linux.SignalSetOf(sig) != 0 {
		return
	}
	q.set |= linux.SignalSetOf(sig)
	q.infos = append(q.infos, *info)
}

// dequeue removes and returns the first pending signal not in mask:
// synchronous fault signals first, then the lowest number.
func (q *sigQueue) dequeue(mask linux.SigSet) (linux.SignalInfo, bool) {
	ready := q.set &^ mask
	if ready == 0 {
		return linux.SignalInfo{}, false
	}
	sig := 0
	for _, s := range []int{int(unix.SIGSEGV), int(unix.SIGBUS), int(unix.SIGILL), int(unix.SIGTRAP), int(unix.SIGFPE), int(unix.SIGSYS)} {
		if ready&linux.SignalSetOf(s) != 0 {
			sig = s
			break
		}
	}
	if sig == 0 {
		for s := 1; s <= linux.NumSignals; s++ {
			if ready&linux.SignalSetOf(s) != 0 {
				sig = s
				break
			}
		}
	}
	for i := range q.infos {
		if q.infos[i].Signo() == sig {
			info := q.infos[i]
			q.infos = append(q.infos[:i], q.infos[i+1:]...)
			still := false
			for j := range q.infos {
				if q.infos[j].Signo() == sig {
					still = true
					break
				}
			}
			if !still {
				q.set &^= linux.SignalSetOf(sig)
			}
			return info, true
		}
	}
	q.set &^= linux.SignalSetOf(sig)
	return *linux.NewSignalInfo(sig, linux.SI_KERNEL), true
}

// defaultAction is what SIG_DFL does for a signal.
type defaultAction int

const (
	actTerminate defaultAction = iota
	actCore
	actIgnore
	actStop
	actContinue
)

func defaultActionOf(sig int) defaultAction {
	switch unix.Signal(sig) {
	case unix.SIGQUIT, unix.SIGILL, unix.SIGTRAP, unix.SIGABRT, unix.SIGBUS, unix.SIGFPE,
		unix.SIGSEGV, unix.SIGXCPU, unix.SIGXFSZ, unix.SIGSYS:
		return actCore
	case unix.SIGCHLD, unix.SIGURG, unix.SIGWINCH:
		return actIgnore
	case unix.SIGCONT:
		return actContinue
	case unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
		return actStop
	}
	return actTerminate
}

// SignalSender says who sends a signal, for the init-process rule.
type SignalSender int

// Signal senders.
const (
	// FromSandbox: sent by an application process (kill, tgkill).
	FromSandbox SignalSender = iota
	// FromKernel: raised by the kernel (faults, timers, SIGPIPE).
	FromKernel
	// FromHost: sent from outside the sandbox (runsc kill).
	FromHost
)

// SendSignal queues a thread-directed signal at t.
func (t *Task) SendSignal(info *linux.SignalInfo, from SignalSender) linux.Errno {
	return t.sendSignal(info, from, false)
}

// SendGroupSignal queues a process-directed signal at t's thread group.
func (tg *ThreadGroup) SendGroupSignal(info *linux.SignalInfo, from SignalSender) linux.Errno {
	tg.mu.Lock()
	var any *Task
	for t := range tg.tasks {
		any = t
		break
	}
	tg.mu.Unlock()
	if any == nil {
		return linux.ESRCH
	}
	return any.sendSignal(info, from, true)
}

func (t *Task) sendSignal(info *linux.SignalInfo, from SignalSender, group bool) linux.Errno {
	sig := info.Signo()
	if sig < 1 || sig > linux.NumSignals {
		return linux.EINVAL
	}
	tg := t.tg
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.exiting {
		return 0
	}
	act := tg.actions[sig-1]
	t.mu.Lock()
	blocked := t.sigMask&linux.SignalSetOf(sig) != 0
	t.mu.Unlock()
	// A PID namespace's init gets only the signals it handles (or blocks:
	// the handler may change before it unblocks them), unless the kernel
	// raised them; from outside the namespace (an ancestor namespace, for
	// Linux) SIGKILL and SIGSTOP are forced too. So `docker stop` of an init
	// without a TERM handler ends in SIGKILL, as with runc.
	if tg.isNamespaceInit() && from != FromKernel && act.Handler == linux.SIG_DFL && !blocked &&
		!(from == FromHost && (sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP))) {
		return 0
	}
	if sig == int(unix.SIGKILL) {
		tg.exiting = true
		tg.status = ExitStatus{Signo: sig}
		for other := range tg.tasks {
			other.interrupt()
		}
		return 0
	}
	// SIGCONT resumes a stopped process whatever its disposition, and a
	// stop signal cancels a pending SIGCONT.
	if sig == int(unix.SIGCONT) {
		tg.continueLocked()
	} else if stopSignals&linux.SignalSetOf(sig) != 0 {
		tg.discardLocked(linux.SignalSetOf(int(unix.SIGCONT)))
	}
	// Ignored signals are discarded at once unless blocked (a blocked
	// ignored signal stays pending, as on Linux).
	if !blocked && (act.Handler == linux.SIG_IGN || (act.Handler == linux.SIG_DFL && defaultActionOf(sig) == actIgnore)) {
		return 0
	}
	if group {
		tg.pending.enqueue(info)
		for other := range tg.tasks {
			other.sigQueued.Store(true)
			other.interrupt()
		}
	} else {
		t.mu.Lock()
		t.pending.enqueue(info)
		t.mu.Unlock()
		t.sigQueued.Store(true)
		t.interrupt()
	}
	return 0
}

// interrupt kicks the task out of application code or a blocking wait so
// that it looks at its pending signals.
func (t *Task) interrupt() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
	t.unpark()
	// A task inside the sentry (a syscall, a wait) needs no host
	// signal: it looks at its signals, its process's exit and stops
	// before it next runs application code (run, after setting inApp).
	if th := t.thread; th != nil && t.inApp.Load() {
		th.Interrupt()
	}
}

// PendingSignals returns the signals pending for t (thread and process).
func (t *Task) PendingSignals() linux.SigSet {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pending.set | t.tg.pending.set
}

// dequeueSignal takes the next deliverable signal for t.
func (t *Task) dequeueSignal() (linux.SignalInfo, bool) {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if info, ok := t.pending.dequeue(t.sigMask); ok {
		return info, true
	}
	info, ok := t.tg.pending.dequeue(t.sigMask)
	if t.pending.set == 0 && t.tg.pending.set == 0 {
		t.sigQueued.Store(false)
	}
	return info, ok
}

// hasDeliverable reports whether a signal not in mask is pending.
func (t *Task) hasDeliverable(mask linux.SigSet) bool {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	return (t.pending.set|t.tg.pending.set)&^mask != 0
}

// forceSignal queues a synchronous fault signal that cannot be ignored or
// blocked away: a blocked or ignored fault resets the action to default.
func (t *Task) forceSignal(info *linux.SignalInfo) {
	sig := info.Signo()
	tg := t.tg
	tg.mu.Lock()
	t.mu.Lock()
	act := &tg.actions[sig-1]
	if t.sigMask&linux.SignalSetOf(sig) != 0 || act.Handler == linux.SIG_IGN {
		act.Handler = linux.SIG_DFL
		t.sigMask &^= linux.SignalSetOf(sig)
	}
	t.pending.enqueue(info)
	t.sigQueued.Store(true)
	t.mu.Unlock()
	tg.mu.Unlock()
}

// deliverSignals runs pending signals' actions before returning to
// application code. It returns false if the task must exit.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) deliverSignals() {
	if !t.sigQueued.Load() {
		t.finishRestart(nil)
		t.restoreSavedMask()
		return
	}
	for !t.mustExit() {
		info, ok := t.dequeueSignal()
		if !ok {
			t.finishRestart(nil)
			t.restoreSavedMask()
			return
		}
		sig := info.Signo()
		act := t.tg.SigAction(sig)
		switch act.Handler {
		case linux.SIG_IGN:
			continue
		case linux.SIG_DFL:
			switch defaultActionOf(sig) {
			case actIgnore, actContinue:
				continue
			case actStop:
				if sig != int(unix.SIGSTOP) && t.k.orphanedGroup(t.tg.ProcessGroup()) {
					continue
				}
				t.tg.groupStop(sig)
				t.waitWhileStopped()
				continue
			case actCore:
				t.tg.exitGroup(ExitStatus{Signo: sig, CoreDumped: true})
				return
			default:
				t.tg.exitGroup(ExitStatus{Signo: sig})
				return
			}
		}
		t.finishRestart(&act)
		if err := t.setupSignalFrame(&info, &act); err != nil {
			t.Debugf("cannot deliver signal %d: %v", sig, err)
			t.tg.exitGroup(ExitStatus{Signo: int(unix.SIGSEGV), CoreDumped: true})
			return
		}
		if act.Flags&linux.SA_RESETHAND != 0 {
			t.tg.SetSigAction(sig, &linux.SigAction{})
		}
		// One handler frame per return to user mode, like Linux.
		return
	}
}

// finishRestart applies a pending syscall restart: with no handler (act
// nil) or SA_RESTART the syscall is restarted, otherwise it fails EINTR.
func (t *Task) finishRestart(act *linux.SigAction) {
	e := t.restartErrno
	if e == 0 {
		return
	}
	t.restartErrno = 0
	restart := false
	switch e {
	case linux.ERESTARTNOINTR:
		restart = true
	case linux.ERESTARTSYS:
		restart = act == nil || act.Flags&linux.SA_RESTART != 0
	case linux.ERESTARTNOHAND, linux.ERESTART_RESTARTBLOCK:
		restart = act == nil
	}
	if restart {
		t.regs.Rax = t.regs.Orig_rax
		if e == linux.ERESTART_RESTARTBLOCK {
			t.regs.Rax = unix.SYS_RESTART_SYSCALL
		}
		t.regs.Rip -= 2
	} else {
		t.regs.Rax = uint64(negErrno(linux.EINTR))
		t.restartBlock = nil
	}
	if t.savedMask != nil && act == nil {
		// sigsuspend and friends restore their mask when no handler
		// runs; with a handler, the frame carries it.
		t.SetSigMask(*t.savedMask)
		t.savedMask = nil
	}
}

// resetHandlersForExec sets every caught signal back to its default action,
// as execve does (ignored signals stay ignored).
func (tg *ThreadGroup) resetHandlersForExec() {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	for i := range tg.actions {
		if h := tg.actions[i].Handler; h != linux.SIG_DFL && h != linux.SIG_IGN {
			tg.actions[i] = linux.SigAction{}
		}
	}
}

// dequeueSignalIn takes a pending signal of set, blocked or not.
func (t *Task) dequeueSignalIn(set linux.SigSet) (linux.SignalInfo, bool) {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if info, ok := t.pending.dequeue(^set); ok {
		return info, true
	}
	return t.tg.pending.dequeue(^set)
}

// SigTimedWait implements rt_sigtimedwait(2): take a pending signal of set,
// waiting until the deadline (zero: forever). A signal outside set that
// the task does not block interrupts it with EINTR; the deadline passing
// is EAGAIN.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) SigTimedWait(set linux.SigSet, deadline time.Time, poll bool) (linux.SignalInfo, linux.Errno) {
	set &^= linux.UnblockableSignals
	for {
		if info, ok := t.dequeueSignalIn(set); ok {
			return info, 0
		}
		if poll || (!deadline.IsZero() && !time.Now().Before(deadline)) {
			return linux.SignalInfo{}, linux.EAGAIN
		}
		if t.hasDeliverable(t.SigMask()|set) || t.mustExit() {
			return linux.SignalInfo{}, linux.EINTR
		}
		var timeout <-chan time.Time
		if !deadline.IsZero() {
			timer := time.NewTimer(time.Until(deadline))
			timeout = timer.C
			defer timer.Stop()
		}
		select {
		case <-t.wake:
		case <-timeout:
		}
	}
}

// SignalInit sends sig from outside the sandbox (runsc kill, a signal
// forwarded by runsc do) to the container's init process.
func (k *Kernel) SignalInit(sig int) linux.Errno {
	k.mu.Lock()
	init := k.init
	k.mu.Unlock()
	if init == nil {
		return linux.ESRCH
	}
	return init.SendGroupSignal(linux.NewSignalInfo(sig, linux.SI_USER), FromHost)
}

// restoreSavedMask ends a sigsuspend-like wait whose signal ran no handler
// (or that ended without a signal): the caller's mask comes back.
func (t *Task) restoreSavedMask() {
	if t.savedMask != nil {
		t.SetSigMask(*t.savedMask)
		t.savedMask = nil
	}
}
