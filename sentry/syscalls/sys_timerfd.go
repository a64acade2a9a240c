package syscalls

import (
	"encoding/binary"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/fs/timerfd"
	"moat/sentry/kernel"
)

// TimerfdCreate implements Linux syscall timerfd_create(2).
func TimerfdCreate(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	clock, flags := args.Int(0), args.Uint(1)
	if flags&^(timerfd.NonBlock|timerfd.CloseOnExec) != 0 {
		return 0, linux.EINVAL
	}
	if errno := timerfd.ValidClock(clock); errno != 0 {
		return 0, errno
	}
	f := timerfd.New(clock, flags)
	defer f.DecRef()
	fd, errno := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: flags&timerfd.CloseOnExec != 0})
	return uintptr(fd), errno
}

// getTimerfd returns the timerfd open as fd: EBADF if fd is not open,
// EINVAL if it is something else.
func getTimerfd(t *kernel.Task, fd int32) (*timerfd.TimerFD, func(), linux.Errno) {
	f, errno := getFile(t, fd)
	if errno != 0 {
		return nil, nil, errno
	}
	tf := timerfd.FromFile(f)
	if tf == nil {
		f.DecRef()
		return nil, nil, linux.EINVAL
	}
	return tf, f.DecRef, 0
}

// copyOutItimerspec writes s as a struct itimerspec.
func copyOutItimerspec(t *kernel.Task, addr uintptr, s timerfd.Spec) linux.Errno {
	var b [32]byte
	putTimespec(b[0:], s.Interval)
	putTimespec(b[16:], s.Value)
	return t.CopyOut(addr, b[:])
}

// TimerfdSettime implements Linux syscall timerfd_settime(2).
func TimerfdSettime(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	fd, flags, newAddr, oldAddr := args.Int(0), args.Int(1), args.Pointer(2), args.Pointer(3)
	var b [32]byte
	if errno := t.CopyIn(newAddr, b[:]); errno != 0 {
		return 0, errno
	}
	interval, errno1 := timespecFrom(b[0:16])
	value, errno2 := timespecFrom(b[16:32])
	if errno1 != 0 || errno2 != 0 {
		return 0, linux.EINVAL
	}
	if flags&^(timerfd.Abstime|timerfd.CancelOnSet) != 0 {
		return 0, linux.EINVAL
	}
	tf, done, errno := getTimerfd(t, fd)
	if errno != 0 {
		return 0, errno
	}
	defer done()
	old, errno := tf.Set(flags, timerfd.Spec{Value: value, Interval: interval})
	if errno != 0 {
		return 0, errno
	}
	if oldAddr != 0 {
		return 0, copyOutItimerspec(t, oldAddr, old)
	}
	return 0, 0
}

// TimerfdGettime implements Linux syscall timerfd_gettime(2).
func TimerfdGettime(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tf, done, errno := getTimerfd(t, args.Int(0))
	if errno != 0 {
		return 0, errno
	}
	defer done()
	return 0, copyOutItimerspec(t, args.Pointer(1), tf.Get())
}

// timespecFrom decodes a struct timespec: EINVAL when out of range.
func timespecFrom(b []byte) (int64, linux.Errno) {
	sec, nsec := int64(binary.LittleEndian.Uint64(b[0:])), int64(binary.LittleEndian.Uint64(b[8:]))
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return 0, linux.EINVAL
	}
	if sec > (1<<63-1)/1_000_000_000-1 {
		return 1<<63 - 1, 0
	}
	return sec*1e9 + nsec, 0
}
