package syscalls

import (
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

// futexDeadline reads a futex timeout: relative for FUTEX_WAIT, absolute
// for FUTEX_WAIT_BITSET (CLOCK_MONOTONIC, or CLOCK_REALTIME).
func futexDeadline(t *kernel.Task, addr uintptr, absolute, realtime bool) (time.Time, linux.Errno) {
	if addr == 0 {
		return time.Time{}, 0
	}
	ns, errno := copyInTimespec(t, addr)
	if errno != 0 {
		return time.Time{}, errno
	}
	if !absolute {
		return time.Now().Add(time.Duration(ns)), 0
	}
	clock := int32(unix.CLOCK_MONOTONIC)
	if realtime {
		clock = unix.CLOCK_REALTIME
	}
	now, errno := clockNow(t, clock)
	if errno != 0 {
		return time.Time{}, errno
	}
	return time.Now().Add(time.Duration(ns - now)), 0
}

func threadGroupOf(t *kernel.Task, pid int32) *kernel.ThreadGroup {
	if pid == 0 {
		return t.ThreadGroup()
	}
	return t.PIDNamespace().ThreadGroupWithID(pid)
}

// Getpgid implements Linux syscall getpgid(2).
func Getpgid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tg := threadGroupOf(t, args.Int(0))
	if tg == nil {
		return 0, linux.ESRCH
	}
	return uintptr(t.PIDNamespace().IDOfRoot(tg.ProcessGroup())), 0
}

// Getpgrp implements Linux syscall getpgrp(2).
func Getpgrp(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return uintptr(t.PIDNamespace().IDOfRoot(t.ThreadGroup().ProcessGroup())), 0
}

// Setpgid implements Linux syscall setpgid(2).
func Setpgid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	pid, pgid := args.Int(0), args.Int(1)
	if pgid < 0 {
		return 0, linux.EINVAL
	}
	tg := threadGroupOf(t, pid)
	if tg == nil {
		return 0, linux.ESRCH
	}
	return 0, t.Kernel().SetProcessGroup(t.ThreadGroup(), tg, pgid)
}

// Getsid implements Linux syscall getsid(2).
func Getsid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tg := threadGroupOf(t, args.Int(0))
	if tg == nil {
		return 0, linux.ESRCH
	}
	return uintptr(t.PIDNamespace().IDOfRoot(tg.Session())), 0
}

// Setsid implements Linux syscall setsid(2).
func Setsid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	sid, errno := t.Kernel().SetSession(t.ThreadGroup())
	return uintptr(t.PIDNamespace().IDOfRoot(sid)), errno
}
