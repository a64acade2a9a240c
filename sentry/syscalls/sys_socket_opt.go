package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

// Getsockopt implements Linux syscall getsockopt(2).
func Getsockopt(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, s, err := getSocket(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	var lb [4]byte
	if err := t.CopyIn(args.Pointer(4), lb[:]); err != 0 {
		return 0, err
	}
	n := int32(binary.LittleEndian.Uint32(lb[:]))
	if n < 0 {
		return 0, linux.EINVAL
	}
	level, name := args.Int(1), args.Int(2)
	v, err := s.GetSockOpt(level, name)
	if err != 0 {
		return 0, err
	}
	if level == unix.SOL_SOCKET && name == unix.SO_PEERGROUPS && int(n) < len(v) {
		// The group list is never truncated: the caller learns the
		// size it needs.
		binary.LittleEndian.PutUint32(lb[:], uint32(len(v)))
		if err := t.CopyOut(args.Pointer(4), lb[:]); err != 0 {
			return 0, err
		}
		return 0, linux.ERANGE
	}
	v = v[:min(int(n), len(v))]
	if err := t.CopyOut(args.Pointer(3), v); err != 0 {
		return 0, err
	}
	binary.LittleEndian.PutUint32(lb[:], uint32(len(v)))
	return 0, t.CopyOut(args.Pointer(4), lb[:])
}

// Setsockopt implements Linux syscall setsockopt(2).
func Setsockopt(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, s, err := getSocket(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	n := args.Int(4)
	if n < 0 {
		return 0, linux.EINVAL
	}
	v := make([]byte, min(n, 64))
	if err := t.CopyIn(args.Pointer(3), v); err != 0 {
		return 0, err
	}
	return 0, s.SetSockOpt(t, args.Int(1), args.Int(2), v)
}
