package syscalls

import (
	"encoding/binary"
	"time"

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
	if which != itimerReal {
		// TODO(#4): ITIMER_VIRTUAL and ITIMER_PROF need CPU-time accounting.
		return 0, linux.EINVAL
	}
	left, interval := t.ThreadGroup().RealTimer()
	var b [32]byte
	putTimeval(b[0:], interval)
	putTimeval(b[16:], left)
	return 0, t.CopyOut(args.Pointer(1), b[:])
}

// Setitimer implements Linux syscall setitimer(2).
func Setitimer(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	which := args.Int(0)
	if which != itimerReal {
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
	oldLeft, oldInterval := t.ThreadGroup().SetRealTimer(value, interval)
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
