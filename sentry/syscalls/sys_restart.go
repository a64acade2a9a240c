package syscalls

import (
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

// Syscalls that continue through restart_syscall(2) when a signal that
// runs no handler interrupts them (kernel/restart.go): relative sleeps
// and poll go on with the time they had left, and a FUTEX_WAIT with a
// timeout keeps its deadline. With a handler they fail EINTR whatever
// SA_RESTART says, as on Linux.

// RestartSyscall implements Linux syscall restart_syscall(2).
func RestartSyscall(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return t.RestartSyscall()
}

// sleepRestartable sleeps until deadline. Interrupted, it writes the time
// left to rem (unless 0) and continues through restart_syscall.
func sleepRestartable(t *kernel.Task, deadline time.Time, rem uintptr) (uintptr, linux.Errno) {
	left, interrupted := t.Sleep(time.Until(deadline))
	return restartWithLeft(t, interrupted, left, rem, func(t *kernel.Task) (uintptr, linux.Errno) {
		return sleepRestartable(t, deadline, rem)
	})
}

// restartWithLeft ends an interruptible sleep: 0 if it was not
// interrupted; else the time left goes to rem (unless 0) and fn to the
// restart block.
func restartWithLeft(t *kernel.Task, interrupted bool, left time.Duration, rem uintptr, fn kernel.RestartFn) (uintptr, linux.Errno) {
	if !interrupted {
		return 0, 0
	}
	if rem != 0 {
		if errno := copyOutTimespec(t, rem, int64(left)); errno != 0 {
			return 0, errno
		}
	}
	return 0, t.SetRestartBlock(fn)
}

// processCPUSleepRestartable sleeps until process tg has used target of
// CPU time, continuing through restart_syscall when interrupted.
func processCPUSleepRestartable(t *kernel.Task, tg *kernel.ThreadGroup, target time.Duration, rem uintptr) (uintptr, linux.Errno) {
	left, interrupted := t.SleepProcessCPU(tg, target)
	return restartWithLeft(t, interrupted, left, rem, func(t *kernel.Task) (uintptr, linux.Errno) {
		return processCPUSleepRestartable(t, tg, target, rem)
	})
}

// threadCPUSleepRestartable sleeps until m has used d of CPU time,
// continuing with what is left through restart_syscall.
func threadCPUSleepRestartable(t, m *kernel.Task, d time.Duration, rem uintptr) (uintptr, linux.Errno) {
	left, interrupted := t.SleepThreadCPU(m, d, false)
	return restartWithLeft(t, interrupted, left, rem, func(t *kernel.Task) (uintptr, linux.Errno) {
		return threadCPUSleepRestartable(t, m, left, rem)
	})
}

// futexWaitRestartable is FUTEX_WAIT(_BITSET): a wait with a deadline
// continues through restart_syscall with the same deadline; one without
// restarts (ERESTARTSYS, so SA_RESTART handlers restart it too).
func futexWaitRestartable(t *kernel.Task, addr uintptr, private bool, val, bitset uint32, deadline time.Time) (uintptr, linux.Errno) {
	errno := t.FutexWait(addr, private, val, bitset, deadline)
	if errno == linux.ERESTARTSYS && !deadline.IsZero() {
		errno = t.SetRestartBlock(func(t *kernel.Task) (uintptr, linux.Errno) {
			return futexWaitRestartable(t, addr, private, val, bitset, deadline)
		})
	}
	return 0, errno
}

// pollRestartable polls until deadline (zero: none), continuing through
// restart_syscall when interrupted.
func pollRestartable(t *kernel.Task, addr uintptr, nfds uint, deadline time.Time) (uintptr, linux.Errno) {
	timeout := int64(-1)
	if !deadline.IsZero() {
		timeout = max(int64(time.Until(deadline)), 0)
	}
	n, intr, errno := doPoll(t, addr, nfds, timeout)
	if intr {
		return 0, t.SetRestartBlock(func(t *kernel.Task) (uintptr, linux.Errno) {
			return pollRestartable(t, addr, nfds, deadline)
		})
	}
	return uintptr(n), errno
}
