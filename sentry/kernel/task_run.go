package kernel

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"moat/internal/log"
	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/platform"
)

// run is the task goroutine: switch into application code, handle what
// comes back, repeat until the task exits.
//
// Preconditions:
// - The goroutine is locked to its OS thread (the platform thread's tracer).
func (t *Task) run() {
	for !t.mustExit() && !t.exitThread {
		t.deliverSignals()
		t.waitWhileStopped()
		if t.mustExit() {
			break
		}
		// interrupt kicks the task out of application code only once
		// inApp is set; what it may have missed before is looked at
		// again after setting it.
		t.inApp.Store(true)
		if t.mustGiveWay() {
			t.inApp.Store(false)
			continue
		}
		if !t.k.enterApp(t) {
			t.inApp.Store(false)
			continue // paused meanwhile: see pause.go
		}
		ev, err := t.thread.Run(&t.regs)
		t.k.leaveApp()
		t.inApp.Store(false)
		t.pollThreadCPU()
		if err != nil {
			if !errors.Is(err, platform.ErrThreadGone) {
				t.Warningf("platform: %v", err)
			}
			t.tg.exitGroup(ExitStatus{Signo: int(unix.SIGKILL)})
			break
		}
		switch ev.Kind {
		case platform.EventSyscall:
			if ev.ForeignABI {
				// Moat serves the x86-64 ABI only: i386 syscalls
				// fail as on a kernel without IA32 emulation.
				arch.SetReturn(&t.regs, negErrno(linux.ENOSYS))
				continue
			}
			t.doSyscall()
		case platform.EventFault:
			t.handleFault(ev)
		case platform.EventInterrupted:
		}
	}
	t.exit()
}

// mustGiveWay reports whether the task must not enter application code
// now: it has to exit, its process is stopping, or a signal it can take
// is pending.
func (t *Task) mustGiveWay() bool {
	if t.mustExit() || t.tg.isStopped() {
		return true
	}
	return t.sigQueued.Load() && t.hasDeliverable(t.SigMask())
}

// doSyscall serves the system call the task stopped at.
func (t *Task) doSyscall() {
	nr := arch.SyscallNo(&t.regs)
	args := arch.Args(&t.regs)
	sc := t.k.cfg.Syscalls.Lookup(nr)
	var start time.Time
	strace := t.k.cfg.Strace
	var argStr string
	if strace {
		argStr = t.formatArgs(sc, &args)
		start = time.Now()
	}
	var ret uintptr
	var errno linux.Errno
	switch {
	case sc == nil:
		if t.k.noteMissing(nr) {
			log.Warningf("unknown syscall %d: returning ENOSYS", nr)
		}
		errno = linux.ENOSYS
	case sc.Fn == nil:
		errno = sc.Errno
		if errno == 0 {
			errno = linux.ENOSYS
		}
		if errno == linux.ENOSYS && t.k.noteMissing(nr) {
			log.Warningf("unsupported syscall %s(%d): returning ENOSYS", sc.Name, nr)
		}
	default:
		ret, errno = t.callSyscall(sc, nr, &args)
	}
	switch errno {
	case 0:
		arch.SetReturn(&t.regs, ret)
	case linux.ERESTARTSYS, linux.ERESTARTNOINTR, linux.ERESTARTNOHAND, linux.ERESTART_RESTARTBLOCK:
		// Resolved by deliverSignals: restart, or EINTR for a handler.
		t.restartErrno = errno
		arch.SetReturn(&t.regs, negErrno(linux.EINTR))
	default:
		arch.SetReturn(&t.regs, negErrno(errno))
	}
	if strace {
		name := fmt.Sprintf("syscall_%d", nr)
		if sc != nil {
			name = sc.Name
		}
		res := fmt.Sprintf("%#x", ret)
		if errno != 0 {
			res = fmt.Sprintf("-1 %s (%v)", errno.Name(), errno)
		}
		log.Infof("[%d] %s(%s) = %s <%v>", t.tid, name, argStr, res, time.Since(start))
	}
}

// formatArgs renders syscall arguments for strace.
func (t *Task) formatArgs(sc *Syscall, a *arch.SyscallArguments) string {
	var kinds []ArgKind
	if sc != nil {
		kinds = sc.Args
	}
	n := 6
	if sc != nil && sc.Args != nil {
		n = len(sc.Args)
	}
	parts := make([]string, 0, n)
	for i := 0; i < n; i++ {
		k := ArgHex
		if i < len(kinds) {
			k = kinds[i]
		}
		switch k {
		case ArgInt, ArgFD:
			parts = append(parts, fmt.Sprintf("%d", int64(a[i])))
		case ArgOct:
			parts = append(parts, fmt.Sprintf("%#o", a[i]))
		case ArgPath:
			if s, errno := t.CopyInString(a[i], 4096); errno == 0 {
				parts = append(parts, fmt.Sprintf("%q", s))
			} else {
				parts = append(parts, fmt.Sprintf("%#x", a[i]))
			}
		default:
			parts = append(parts, fmt.Sprintf("%#x", a[i]))
		}
	}
	return strings.Join(parts, ", ")
}

// handleFault turns a synchronous fault into its signal.
func (t *Task) handleFault(ev platform.Event) {
	info := linux.NewSignalInfo(ev.Signo, ev.Code)
	info.SetAddr(uint64(ev.Addr))
	t.Debugf("fault: signal %d code %d at %#x (ip %#x)", ev.Signo, ev.Code, ev.Addr, t.regs.Rip)
	t.forceSignal(info)
}

// ExitGroup ends every task in the thread group with status code.
func (t *Task) ExitGroup(code int) {
	t.tg.exitGroup(ExitStatus{Code: code & 0xff})
}

// isExiting reports whether exit_group (or a fatal signal) has begun.
func (tg *ThreadGroup) isExiting() bool {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.exiting
}

// exitGroup starts the thread group's exit with status (the first caller's
// status wins) and interrupts its other tasks.
func (tg *ThreadGroup) exitGroup(s ExitStatus) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.exiting {
		return
	}
	tg.exiting = true
	tg.status = s
	for other := range tg.tasks {
		other.interrupt()
	}
}

// negErrno returns -e as a register value.
func negErrno(e linux.Errno) uintptr { return -uintptr(e) }
