package syscalls

import (
	"encoding/binary"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/fs/signalfd"
	"moat/sentry/kernel"
)

// Signalfd implements Linux syscall signalfd(2).
func Signalfd(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return doSignalfd(t, args.Int(0), args.Pointer(1), args.SizeT(2), 0)
}

// Signalfd4 implements Linux syscall signalfd4(2).
func Signalfd4(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return doSignalfd(t, args.Int(0), args.Pointer(1), args.SizeT(2), args.Uint(3))
}

func doSignalfd(t *kernel.Task, fd int32, maskAddr uintptr, size uint, flags uint32) (uintptr, linux.Errno) {
	if size != sigSetSize {
		return 0, linux.EINVAL
	}
	var b [8]byte
	if errno := t.CopyIn(maskAddr, b[:]); errno != 0 {
		return 0, errno
	}
	mask := linux.SigSet(binary.LittleEndian.Uint64(b[:]))
	if flags&^(signalfd.NonBlock|signalfd.CloseOnExec) != 0 {
		return 0, linux.EINVAL
	}
	if fd != -1 {
		f, errno := getFile(t, fd)
		if errno != 0 {
			return 0, errno
		}
		defer f.DecRef()
		s := signalfd.FromFile(f)
		if s == nil {
			return 0, linux.EINVAL
		}
		s.SetMask(mask)
		return uintptr(fd), 0
	}
	f := signalfd.New(mask, flags)
	defer f.DecRef()
	nfd, errno := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: flags&signalfd.CloseOnExec != 0})
	return uintptr(nfd), errno
}
