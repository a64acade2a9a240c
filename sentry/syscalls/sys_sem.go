package syscalls

import (
	"encoding/binary"
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
	"moat/sentry/kernel/ipc"
)

// Semget implements Linux syscall semget(2).
func Semget(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	id, errno := t.IPCNamespace().Semget(t, args.Int(0), int(args.Int(1)), int(args.Int(2)))
	return uintptr(id), errno
}

// Semop implements Linux syscall semop(2).
func Semop(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, semtimedop(t, args.Int(0), args.Pointer(1), args.Uint64(2), 0)
}

// Semtimedop implements Linux syscall semtimedop(2).
func Semtimedop(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, semtimedop(t, args.Int(0), args.Pointer(1), args.Uint64(2), args.Pointer(3))
}

// semtimedop checks and copies the arguments in Linux's order: the
// timeout is read first (EFAULT), then the count is checked (EINVAL,
// E2BIG), the operations read, and the timeout validated.
func semtimedop(t *kernel.Task, id int32, sopsAddr uintptr, nsops uint64, timeout uintptr) linux.Errno {
	var ts [16]byte
	if timeout != 0 {
		if errno := t.CopyIn(timeout, ts[:]); errno != 0 {
			return errno
		}
	}
	ns := t.IPCNamespace()
	if nsops < 1 || id < 0 {
		return linux.EINVAL
	}
	if nsops > uint64(ns.SemOpMax()) {
		return linux.E2BIG
	}
	buf := make([]byte, nsops*linux.SizeofSembuf)
	if errno := t.CopyIn(sopsAddr, buf); errno != 0 {
		return errno
	}
	var deadline time.Time
	if timeout != 0 {
		sec, nsec := int64(binary.LittleEndian.Uint64(ts[0:])), int64(binary.LittleEndian.Uint64(ts[8:]))
		if sec < 0 || nsec < 0 || nsec >= 1e9 {
			return linux.EINVAL
		}
		deadline = time.Now().Add(time.Duration(min(sec, 1<<32))*time.Second + time.Duration(nsec))
	}
	ops := make([]linux.Sembuf, nsops)
	undo := false
	for i := range ops {
		ops[i] = linux.UnmarshalSembuf(buf[i*linux.SizeofSembuf:])
		undo = undo || ops[i].Flg&linux.SEM_UNDO != 0
	}
	var list *ipc.UndoList
	if undo {
		list = t.SemUndoList()
	}
	return ns.Semtimedop(t, id, ops, deadline, list)
}

// Semctl implements Linux syscall semctl(2).
func Semctl(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	ret, errno := t.IPCNamespace().Semctl(t, args.Int(0), int(args.Int(1)), int(args.Int(2)), args.Uint64(3))
	return uintptr(ret), errno
}
