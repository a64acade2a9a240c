package syscalls

import (
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

// PI futex operations (kernel/futex_pi.go).
const (
	futexLockPI        = 6
	futexUnlockPI      = 7
	futexTrylockPI     = 8
	futexWaitRequeuePI = 11
	futexCmpRequeuePI  = 12
	futexLockPI2       = 13
)

// futexPI serves the priority-inheritance operations of futex(2); ok is
// false for any other cmd.
func futexPI(t *kernel.Task, args *arch.SyscallArguments, cmd, op int32) (n uintptr, errno linux.Errno, ok bool) {
	addr, private := args.Pointer(0), op&futexPrivateFlag != 0
	realtime := op&futexClockRealtime != 0
	var deadline time.Time
	switch cmd {
	case futexLockPI, futexLockPI2, futexWaitRequeuePI:
		// Absolute timeouts: FUTEX_LOCK_PI's on CLOCK_REALTIME, the
		// others' on CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME.
		deadline, errno = futexDeadline(t, args.Pointer(3), true, realtime || cmd == futexLockPI)
		if errno != 0 {
			return 0, errno, true
		}
	case futexUnlockPI, futexTrylockPI, futexCmpRequeuePI:
	default:
		return 0, 0, false
	}
	if realtime && cmd != futexLockPI2 && cmd != futexWaitRequeuePI {
		return 0, linux.ENOSYS, true
	}
	switch cmd {
	case futexLockPI, futexLockPI2:
		return 0, t.FutexLockPI(addr, private, false, deadline), true
	case futexTrylockPI:
		return 0, t.FutexLockPI(addr, private, true, time.Time{}), true
	case futexUnlockPI:
		return 0, t.FutexUnlockPI(addr, private), true
	case futexWaitRequeuePI:
		return 0, t.FutexWaitRequeuePI(addr, args.Pointer(4), private, args.Uint(2), deadline), true
	}
	c, errno := t.FutexCmpRequeuePI(addr, args.Pointer(4), private, int(int32(args.Uint(2))), int(int32(args.Uint(3))), args.Uint(5))
	return uintptr(c), errno, true
}
