package syscalls

import (
	"encoding/binary"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

// Msgget implements Linux syscall msgget(2).
func Msgget(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	id, errno := t.IPCNamespace().Msgget(t, args.Int(0), int(args.Int(1)))
	return uintptr(id), errno
}

// Msgsnd implements Linux syscall msgsnd(2): the type is read first
// (EFAULT), then the size and type checked, then the text read.
func Msgsnd(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	id, addr, size, flags := args.Int(0), args.Pointer(1), args.Int64(2), int(args.Int(3))
	var b [8]byte
	if errno := t.CopyIn(addr, b[:]); errno != 0 {
		return 0, errno
	}
	mtype := int64(binary.LittleEndian.Uint64(b[:]))
	ns := t.IPCNamespace()
	if size > int64(ns.MsgMax()) || size < 0 || id < 0 {
		return 0, linux.EINVAL
	}
	if mtype < 1 {
		return 0, linux.EINVAL
	}
	text := make([]byte, size)
	if errno := t.CopyIn(addr+8, text); errno != 0 {
		return 0, errno
	}
	return 0, ns.Msgsnd(t, id, mtype, text, flags)
}

// Msgrcv implements Linux syscall msgrcv(2).
func Msgrcv(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	id, addr, size, typ, flags := args.Int(0), args.Pointer(1), args.Int64(2), args.Int64(3), int(args.Int(4))
	size = min(size, 1<<31)
	mtype, text, errno := t.IPCNamespace().Msgrcv(t, id, int(size), typ, flags)
	if errno != 0 {
		return 0, errno
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(mtype))
	if errno := t.CopyOut(addr, b[:]); errno != 0 {
		return 0, errno
	}
	if errno := t.CopyOut(addr+8, text); errno != 0 {
		return 0, errno
	}
	return uintptr(len(text)), 0
}

// Msgctl implements Linux syscall msgctl(2).
func Msgctl(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	id, cmd := args.Int(0), int(args.Int(1))
	return ipcctl(t, args.Pointer(2), cmd, linux.SizeofMsqidDS, func(in []byte) (int32, []byte, linux.Errno) {
		return t.IPCNamespace().Msgctl(t, id, cmd, in)
	})
}
