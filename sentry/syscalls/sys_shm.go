package syscalls

import (
	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

// Shmget implements Linux syscall shmget(2).
func Shmget(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	id, errno := t.IPCNamespace().Shmget(t, args.Int(0), args.Uint64(1), int(args.Int(2)))
	return uintptr(id), errno
}

// Shmat implements Linux syscall shmat(2).
func Shmat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return t.IPCNamespace().Shmat(t, t.MM(), args.Int(0), args.Pointer(1), int(args.Int(2)))
}

// Shmdt implements Linux syscall shmdt(2).
func Shmdt(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, t.IPCNamespace().Shmdt(t, t.MM(), args.Pointer(0))
}

// Shmctl implements Linux syscall shmctl(2).
func Shmctl(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	id, cmd := args.Int(0), int(args.Int(1))
	return ipcctl(t, args.Pointer(2), cmd, linux.SizeofShmidDS, func(in []byte) (int32, []byte, linux.Errno) {
		return t.IPCNamespace().Shmctl(t, id, cmd, in)
	})
}

// ipcctl runs a shmctl or msgctl command: IPC_SET reads a structure of
// size bytes at buf before anything else (EFAULT first, as on Linux);
// the other commands' results are written there after.
func ipcctl(t *kernel.Task, buf uintptr, cmd, size int, fn func(in []byte) (int32, []byte, linux.Errno)) (uintptr, linux.Errno) {
	var in []byte
	if cmd == linux.IPC_SET {
		in = make([]byte, size)
		if errno := t.CopyIn(buf, in); errno != 0 {
			return 0, errno
		}
	}
	ret, out, errno := fn(in)
	if errno != 0 {
		return 0, errno
	}
	if out != nil {
		if errno := t.CopyOut(buf, out); errno != 0 {
			return 0, errno
		}
	}
	return uintptr(ret), 0
}
