package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/fs/pipe"
	"moat/sentry/kernel"
)

// Pipe implements Linux syscall pipe(2).
func Pipe(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, makePipe(t, args.Pointer(0), 0)
}

// Pipe2 implements Linux syscall pipe2(2).
func Pipe2(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	flags := args.Uint(1)
	if flags&^(unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_DIRECT|oNotificationPipe) != 0 {
		return 0, linux.EINVAL
	}
	if flags&oNotificationPipe != 0 {
		return 0, linux.ENOPKG
	}
	return 0, makePipe(t, args.Pointer(0), flags)
}

func makePipe(t *kernel.Task, addr uintptr, flags uint32) linux.Errno {
	r, w := pipe.New(t, flags)
	defer r.DecRef()
	defer w.DecRef()
	fdFlags := kernel.FDFlags{CloseOnExec: flags&unix.O_CLOEXEC != 0}
	rfd, errno := t.FDTable().NewFD(0, r, fdFlags)
	if errno != 0 {
		return errno
	}
	wfd, errno := t.FDTable().NewFD(0, w, fdFlags)
	if errno != 0 {
		if f, e := t.FDTable().Remove(rfd); e == 0 {
			f.DecRef()
		}
		return errno
	}
	var b [8]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(rfd))
	binary.LittleEndian.PutUint32(b[4:], uint32(wfd))
	if errno := t.CopyOut(addr, b[:]); errno != 0 {
		for _, fd := range []int32{rfd, wfd} {
			if f, errno := t.FDTable().Remove(fd); errno == 0 {
				f.DecRef()
			}
		}
		return errno
	}
	return 0
}

// oNotificationPipe is O_NOTIFICATION_PIPE (O_EXCL for pipe2).
const oNotificationPipe = unix.O_EXCL
