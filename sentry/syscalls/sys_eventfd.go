package syscalls

import (
	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/fs/eventfd"
	"moat/sentry/kernel"
)

// Eventfd implements Linux syscall eventfd(2).
func Eventfd(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return newEventfd(t, args.Uint(0), 0)
}

// Eventfd2 implements Linux syscall eventfd2(2).
func Eventfd2(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	flags := args.Uint(1)
	if flags&^(eventfd.Semaphore|eventfd.NonBlock|eventfd.CloseOnExec) != 0 {
		return 0, linux.EINVAL
	}
	return newEventfd(t, args.Uint(0), flags)
}

func newEventfd(t *kernel.Task, initval, flags uint32) (uintptr, linux.Errno) {
	f := eventfd.New(initval, flags)
	defer f.DecRef()
	fd, errno := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: flags&eventfd.CloseOnExec != 0})
	return uintptr(fd), errno
}
