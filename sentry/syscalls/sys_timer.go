package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

const (
	itimerReal    = 0
	itimerVirtual = 1
	itimerProf    = 2
)

func putTimeval(b []byte, d time.Duration) {
	binary.LittleEndian.PutUint64(b[0:], uint64(d/time.Second))
	binary.LittleEndian.PutUint64(b[8:], uint64(d%time.Second/time.Microsecond))
}

func getTimeval(b []byte) (time.Duration, linux.Errno) {
	sec, usec := int64(binary.LittleEndian.Uint64(b[0:])), int64(binary.LittleEndian.Uint64(b[8:]))
	if sec < 0 || usec < 0 || usec >= 1e6 {
		return 0, linux.EINVAL
	}
	return time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond, 0
}

// Getitimer implements Linux syscall getitimer(2).
func Getitimer(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	which := args.Int(0)
	var left, interval time.Duration
	switch which {
	case itimerReal:
		left, interval = t.ThreadGroup().RealTimer()
	case kernel.ITimerVirtual, kernel.ITimerProf:
		left, interval = t.ThreadGroup().CPUTimer(int(which))
	default:
		return 0, linux.EINVAL
	}
	var b [32]byte
	putTimeval(b[0:], interval)
	putTimeval(b[16:], left)
	return 0, t.CopyOut(args.Pointer(1), b[:])
}

// Setitimer implements Linux syscall setitimer(2).
func Setitimer(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	which := args.Int(0)
	if which != itimerReal && which != kernel.ITimerVirtual && which != kernel.ITimerProf {
		return 0, linux.EINVAL
	}
	var value, interval time.Duration
	if addr := args.Pointer(1); addr != 0 {
		var b [32]byte
		if errno := t.CopyIn(addr, b[:]); errno != 0 {
			return 0, errno
		}
		var errno linux.Errno
		if interval, errno = getTimeval(b[0:]); errno != 0 {
			return 0, errno
		}
		if value, errno = getTimeval(b[16:]); errno != 0 {
			return 0, errno
		}
	}
	var oldLeft, oldInterval time.Duration
	if which == itimerReal {
		oldLeft, oldInterval = t.ThreadGroup().SetRealTimer(value, interval)
	} else {
		oldLeft, oldInterval = t.ThreadGroup().SetCPUTimer(int(which), value, interval)
	}
	if addr := args.Pointer(2); addr != 0 {
		var b [32]byte
		putTimeval(b[0:], oldInterval)
		putTimeval(b[16:], oldLeft)
		return 0, t.CopyOut(addr, b[:])
	}
	return 0, 0
}

// Alarm implements Linux syscall alarm(2).
func Alarm(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	secs := time.Duration(args.Uint(0)) * time.Second
	oldLeft, _ := t.ThreadGroup().SetRealTimer(secs, 0)
	// Round the seconds left up, as Linux does (never 0 for a pending alarm).
	left := (oldLeft + time.Second/2) / time.Second
	if oldLeft > 0 && left == 0 {
		left = 1
	}
	return uintptr(left), 0
}

// sigevent layout: sigev_value (8), sigev_signo (4), sigev_notify (4),
// then the union (sigev_notify_thread_id as the first int).
const sigeventSize = 64

// sigevent is a struct sigevent read from the application.
type sigevent struct {
	value          uint64
	signo, notify  int
	notifyThreadID int32
}

func copyInSigevent(t *kernel.Task, addr uintptr) (sigevent, linux.Errno) {
	var b [sigeventSize]byte
	if errno := t.CopyIn(addr, b[:]); errno != 0 {
		return sigevent{}, errno
	}
	le := binary.LittleEndian
	return sigevent{
		value: le.Uint64(b[0:]), signo: int(int32(le.Uint32(b[8:]))),
		notify: int(int32(le.Uint32(b[12:]))), notifyThreadID: int32(le.Uint32(b[16:])),
	}, 0
}

// isCPUClock reports whether clock names a CPU-time clock: static or
// dynamic (clock_getcpuclockid(3), pthread_getcpuclockid(3)).
func isCPUClock(clock int32) bool {
	return clock < 0 || clock == unix.CLOCK_PROCESS_CPUTIME_ID || clock == unix.CLOCK_THREAD_CPUTIME_ID
}

// resolveCPUClock resolves a CPU clock: CLOCK_PROCESS_CPUTIME_ID and the
// process it measures (the caller's by its static ID, or any process a
// clock_getcpuclockid(3) ID names by its PID), or
// CLOCK_THREAD_CPUTIME_ID and the thread (the caller, or another thread
// of its process named by a pthread_getcpuclockid(3) ID, as Linux
// allows). Anything else is EINVAL.
func resolveCPUClock(t *kernel.Task, clock int32) (int32, kernel.CPUClock, linux.Errno) {
	switch {
	case clock == unix.CLOCK_PROCESS_CPUTIME_ID:
		return clock, kernel.CPUClock{Process: t.ThreadGroup()}, 0
	case clock == unix.CLOCK_THREAD_CPUTIME_ID:
		return clock, kernel.CPUClock{Thread: t}, 0
	case clock >= 0 || clock&3 == 3:
		return 0, kernel.CPUClock{}, linux.EINVAL
	}
	id := ^(clock >> 3)
	if clock&4 == 0 {
		tg := t.ThreadGroup()
		if id != 0 {
			tg = t.PIDNamespace().ThreadGroupWithID(id)
		}
		if tg == nil {
			return 0, kernel.CPUClock{}, linux.EINVAL
		}
		return unix.CLOCK_PROCESS_CPUTIME_ID, kernel.CPUClock{Process: tg}, 0
	}
	m := t
	if id != 0 {
		m = t.PIDNamespace().TaskWithID(id)
	}
	if m == nil || m.ThreadGroup() != t.ThreadGroup() {
		return 0, kernel.CPUClock{}, linux.EINVAL
	}
	return unix.CLOCK_THREAD_CPUTIME_ID, kernel.CPUClock{Thread: m}, 0
}

// TimerCreate implements Linux syscall timer_create(2).
func TimerCreate(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	clock, sevp, idp := args.Int(0), args.Pointer(1), args.Pointer(2)
	notify, signo, value := kernel.SigevSignal, int(unix.SIGALRM), uint64(0)
	var target *kernel.Task
	if sevp != 0 {
		ev, errno := copyInSigevent(t, sevp)
		if errno != 0 {
			return 0, errno
		}
		value, signo, notify = ev.value, ev.signo, ev.notify
		if notify == kernel.SigevThreadID {
			target = t.PIDNamespace().TaskWithID(ev.notifyThreadID)
			if target == nil || target.ThreadGroup() != t.ThreadGroup() {
				return 0, linux.EINVAL
			}
		}
	}
	var measured kernel.CPUClock
	if isCPUClock(clock) {
		var errno linux.Errno
		if clock, measured, errno = resolveCPUClock(t, clock); errno != 0 {
			return 0, errno
		}
	}
	id, errno := t.ThreadGroup().CreateTimer(clock, measured, notify, signo, value, target)
	if errno != 0 {
		return 0, errno
	}
	if sevp == 0 {
		// Without a sigevent, si_value carries the timer ID.
		if tm, e := t.ThreadGroup().Timer(id); e == 0 {
			tm.SetValue(uint64(id))
		}
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(id))
	if errno := t.CopyOut(idp, b[:]); errno != 0 {
		t.ThreadGroup().DeleteTimer(id)
		return 0, errno
	}
	return 0, 0
}

func copyOutTimerSpec(t *kernel.Task, addr uintptr, value, interval time.Duration) linux.Errno {
	var b [32]byte
	putTimespec(b[0:], int64(interval))
	putTimespec(b[16:], int64(value))
	return t.CopyOut(addr, b[:])
}

// TimerSettime implements Linux syscall timer_settime(2).
func TimerSettime(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tm, errno := t.ThreadGroup().Timer(args.Int(0))
	if errno != 0 {
		return 0, errno
	}
	flags := args.Int(1)
	interval, errno := copyInTimespec(t, args.Pointer(2))
	if errno != 0 {
		return 0, errno
	}
	value, errno := copyInTimespec(t, args.Pointer(2)+16)
	if errno != 0 {
		return 0, errno
	}
	abs := flags&unix.TIMER_ABSTIME != 0
	if tm.Clock() == unix.CLOCK_THREAD_CPUTIME_ID {
		// The measured thread resolves an absolute time itself.
	} else if abs && value != 0 {
		abs = false
		now, errno := clockNow(t, tm.Clock())
		if errno != 0 {
			return 0, errno
		}
		value = max(value-now, 1)
	}
	oldValue, oldInterval := tm.Set(t, time.Duration(value), time.Duration(interval), abs)
	if old := args.Pointer(3); old != 0 {
		return 0, copyOutTimerSpec(t, old, oldValue, oldInterval)
	}
	return 0, 0
}

// TimerGettime implements Linux syscall timer_gettime(2).
func TimerGettime(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tm, errno := t.ThreadGroup().Timer(args.Int(0))
	if errno != 0 {
		return 0, errno
	}
	value, interval := tm.Get(t)
	return 0, copyOutTimerSpec(t, args.Pointer(1), value, interval)
}

// TimerGetoverrun implements Linux syscall timer_getoverrun(2).
func TimerGetoverrun(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tm, errno := t.ThreadGroup().Timer(args.Int(0))
	if errno != 0 {
		return 0, errno
	}
	return uintptr(tm.Overrun()), 0
}

// TimerDelete implements Linux syscall timer_delete(2).
func TimerDelete(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, t.ThreadGroup().DeleteTimer(args.Int(0))
}

// cpuClockNanosleep is clock_nanosleep(2) on a CPU clock: the caller's
// process, or another thread of it (a thread's own clock is EINVAL, as on
// Linux: it would never advance while the thread sleeps).
func cpuClockNanosleep(t *kernel.Task, id, flags int32, req, rem uintptr) (uintptr, linux.Errno) {
	clock, c, errno := resolveCPUClock(t, id)
	if errno != 0 {
		return 0, errno
	}
	m := c.Thread
	if m == t {
		return 0, linux.EINVAL
	}
	ns, errno := copyInTimespec(t, req)
	if errno != 0 {
		return 0, errno
	}
	d := time.Duration(ns)
	if flags&unix.TIMER_ABSTIME == 0 {
		if clock == unix.CLOCK_PROCESS_CPUTIME_ID {
			return processCPUSleepRestartable(t, c.Process, c.Process.CPUClock()+d, rem)
		}
		return threadCPUSleepRestartable(t, m, d, rem)
	}
	// An absolute sleep restarts as it was called.
	var interrupted bool
	if clock == unix.CLOCK_PROCESS_CPUTIME_ID {
		_, interrupted = t.SleepProcessCPU(c.Process, d)
	} else {
		_, interrupted = t.SleepThreadCPU(m, d, true)
	}
	if interrupted {
		return 0, linux.ERESTARTNOHAND
	}
	return 0, 0
}
