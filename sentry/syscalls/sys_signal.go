package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

const sigSetSize = 8

// RtSigaction implements Linux syscall rt_sigaction(2).
func RtSigaction(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	sig, actAddr, oldAddr := int(args.Int(0)), args.Pointer(1), args.Pointer(2)
	if args.SizeT(3) != sigSetSize {
		return 0, linux.EINVAL
	}
	if sig < 1 || sig > linux.NumSignals {
		return 0, linux.EINVAL
	}
	var act *linux.SigAction
	if actAddr != 0 {
		if sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP) {
			return 0, linux.EINVAL
		}
		var b [linux.SigActionSize]byte
		if errno := t.CopyIn(actAddr, b[:]); errno != 0 {
			return 0, errno
		}
		le := binary.LittleEndian
		act = &linux.SigAction{Handler: le.Uint64(b[0:]), Flags: le.Uint64(b[8:]), Restorer: le.Uint64(b[16:]),
			Mask: le.Uint64(b[24:]) &^ uint64(linux.UnblockableSignals)}
	}
	old := t.ThreadGroup().SetSigAction(sig, act)
	if oldAddr != 0 {
		var b [linux.SigActionSize]byte
		le := binary.LittleEndian
		le.PutUint64(b[0:], old.Handler)
		le.PutUint64(b[8:], old.Flags)
		le.PutUint64(b[16:], old.Restorer)
		le.PutUint64(b[24:], old.Mask)
		if errno := t.CopyOut(oldAddr, b[:]); errno != 0 {
			return 0, errno
		}
	}
	return 0, 0
}

// RtSigprocmask implements Linux syscall rt_sigprocmask(2).
func RtSigprocmask(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	how, setAddr, oldAddr := args.Int(0), args.Pointer(1), args.Pointer(2)
	if args.SizeT(3) != sigSetSize {
		return 0, linux.EINVAL
	}
	old := t.SigMask()
	if setAddr != 0 {
		var b [8]byte
		if errno := t.CopyIn(setAddr, b[:]); errno != 0 {
			return 0, errno
		}
		set := linux.SigSet(binary.LittleEndian.Uint64(b[:]))
		switch how {
		case unix.SIG_BLOCK:
			t.SetSigMask(old | set)
		case unix.SIG_UNBLOCK:
			t.SetSigMask(old &^ set)
		case unix.SIG_SETMASK:
			t.SetSigMask(set)
		default:
			return 0, linux.EINVAL
		}
	}
	if oldAddr != 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(old))
		if errno := t.CopyOut(oldAddr, b[:]); errno != 0 {
			return 0, errno
		}
	}
	return 0, 0
}

// Sigaltstack implements Linux syscall sigaltstack(2).
func Sigaltstack(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	ssAddr, oldAddr := args.Pointer(0), args.Pointer(1)
	old := t.AltStack()
	onStack := old.Flags&linux.SS_DISABLE == 0 && old.Size != 0 &&
		t.Regs().Rsp > old.Sp && t.Regs().Rsp <= old.Sp+old.Size
	if ssAddr != 0 {
		var b [24]byte
		if errno := t.CopyIn(ssAddr, b[:]); errno != 0 {
			return 0, errno
		}
		le := binary.LittleEndian
		ss := linux.SignalStack{Sp: le.Uint64(b[0:]), Flags: le.Uint32(b[8:]), Size: le.Uint64(b[16:])}
		if onStack {
			return 0, linux.EPERM
		}
		mode := ss.Flags &^ linux.SS_AUTODISARM
		switch {
		case mode == linux.SS_DISABLE:
			ss = linux.SignalStack{Flags: linux.SS_DISABLE}
		case mode == 0 || mode == linux.SS_ONSTACK:
			if ss.Size < linux.MINSIGSTKSZ {
				return 0, linux.ENOMEM
			}
			ss.Flags &= linux.SS_AUTODISARM
		default:
			return 0, linux.EINVAL
		}
		t.SetAltStack(ss)
	}
	if oldAddr != 0 {
		var b [24]byte
		le := binary.LittleEndian
		flags := old.Flags
		if old.Size == 0 && old.Sp == 0 {
			flags = linux.SS_DISABLE
		}
		if onStack {
			flags |= linux.SS_ONSTACK
		}
		le.PutUint64(b[0:], old.Sp)
		le.PutUint32(b[8:], flags)
		le.PutUint64(b[16:], old.Size)
		if errno := t.CopyOut(oldAddr, b[:]); errno != 0 {
			return 0, errno
		}
	}
	return 0, 0
}
