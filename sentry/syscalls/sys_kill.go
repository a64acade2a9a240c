package syscalls

import (
	"encoding/binary"
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/kernel"
)

// maySignal reports whether t may send a signal to target (kill(2)'s
// permission rule).
func maySignal(t *kernel.Task, target *kernel.Task) bool {
	c, tc := t.Credentials(), target.Credentials()
	if c.HasCap(auth.CapKill) {
		return true
	}
	return c.EffectiveKUID == tc.RealKUID || c.EffectiveKUID == tc.SavedKUID ||
		c.RealKUID == tc.RealKUID || c.RealKUID == tc.SavedKUID
}

func userSignal(t *kernel.Task, sig int, code int32) *linux.SignalInfo {
	info := linux.NewSignalInfo(sig, code)
	info.SetPID(t.PID())
	info.SetUID(uint32(t.Credentials().RealKUID))
	return info
}

// Kill implements Linux syscall kill(2).
func Kill(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	pid, sig := args.Int(0), int(args.Int(1))
	if sig < 0 || sig > linux.NumSignals {
		return 0, linux.EINVAL
	}
	k, ns := t.Kernel(), t.PIDNamespace()
	var targets []*kernel.ThreadGroup
	switch {
	case pid > 0:
		if tg := ns.ThreadGroupWithID(pid); tg != nil {
			targets = append(targets, tg)
		}
	case pid == 0:
		targets = k.ThreadGroupsInGroup(t.ThreadGroup().ProcessGroup())
	case pid == -1:
		// Every process but init and the caller.
		for _, tg := range ns.ThreadGroups() {
			if ns.IDOfThreadGroup(tg) != 1 && tg != t.ThreadGroup() {
				targets = append(targets, tg)
			}
		}
	default:
		targets = ns.ThreadGroupsInGroup(-pid)
	}
	if len(targets) == 0 {
		return 0, linux.ESRCH
	}
	sent := false
	for _, tg := range targets {
		leader := tg.Leader()
		if leader == nil || !maySignal(t, leader) {
			continue
		}
		sent = true
		if sig != 0 {
			tg.SendGroupSignal(userSignal(t, sig, linux.SI_USER), kernel.FromSandbox)
		}
	}
	if !sent {
		return 0, linux.EPERM
	}
	return 0, 0
}

func threadKill(t *kernel.Task, tgid, tid int32, sig int) linux.Errno {
	if tid <= 0 || sig < 0 || sig > linux.NumSignals {
		return linux.EINVAL
	}
	target := t.PIDNamespace().TaskWithID(tid)
	if target == nil || (tgid > 0 && target.PID() != tgid) {
		return linux.ESRCH
	}
	if !maySignal(t, target) {
		return linux.EPERM
	}
	if sig == 0 {
		return 0
	}
	return target.SendSignal(userSignal(t, sig, linux.SI_TKILL), kernel.FromSandbox)
}

// Tgkill implements Linux syscall tgkill(2).
func Tgkill(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	if args.Int(0) <= 0 {
		return 0, linux.EINVAL
	}
	return 0, threadKill(t, args.Int(0), args.Int(1), int(args.Int(2)))
}

// Tkill implements Linux syscall tkill(2).
func Tkill(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, threadKill(t, 0, args.Int(0), int(args.Int(1)))
}

// RtSigreturn implements Linux syscall rt_sigreturn(2).
func RtSigreturn(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	t.SigReturn()
	// The restored rax is the "return value".
	return uintptr(t.Regs().Rax), 0
}

// RtSigpending implements Linux syscall rt_sigpending(2).
func RtSigpending(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	if args.SizeT(1) > sigSetSize {
		return 0, linux.EINVAL
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(t.PendingSignals()&t.SigMask()))
	return 0, t.CopyOut(args.Pointer(0), b[:args.SizeT(1)])
}

// RtSigsuspend implements Linux syscall rt_sigsuspend(2).
func RtSigsuspend(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	if args.SizeT(1) != sigSetSize {
		return 0, linux.EINVAL
	}
	var b [8]byte
	if errno := t.CopyIn(args.Pointer(0), b[:]); errno != 0 {
		return 0, errno
	}
	mask := linux.SigSet(binary.LittleEndian.Uint64(b[:])) &^ linux.UnblockableSignals
	t.SetSavedMask(mask)
	t.WaitForSignal(mask)
	return 0, linux.ERESTARTNOHAND
}

// Pause implements Linux syscall pause(2).
func Pause(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	t.WaitForSignal(t.SigMask())
	return 0, linux.ERESTARTNOHAND
}

func copyInSiginfo(t *kernel.Task, addr uintptr, sig int) (*linux.SignalInfo, linux.Errno) {
	var info linux.SignalInfo
	if errno := t.CopyIn(addr, info[:]); errno != 0 {
		return nil, errno
	}
	info.SetSigno(sig)
	return &info, 0
}

// RtSigqueueinfo implements Linux syscall rt_sigqueueinfo(2).
func RtSigqueueinfo(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	pid, sig := args.Int(0), int(args.Int(1))
	if sig < 0 || sig > linux.NumSignals {
		return 0, linux.EINVAL
	}
	info, errno := copyInSiginfo(t, args.Pointer(2), sig)
	if errno != 0 {
		return 0, errno
	}
	// Only the kernel may forge SI_USER or SI_TKILL for another process.
	if (info.Code() >= 0 || info.Code() == linux.SI_TKILL) && pid != t.PID() {
		return 0, linux.EPERM
	}
	tg := t.PIDNamespace().ThreadGroupWithID(pid)
	if tg == nil {
		return 0, linux.ESRCH
	}
	if l := tg.Leader(); l == nil || !maySignal(t, l) {
		return 0, linux.EPERM
	}
	if sig == 0 {
		return 0, 0
	}
	return 0, tg.SendGroupSignal(info, kernel.FromSandbox)
}

// RtTgsigqueueinfo implements Linux syscall rt_tgsigqueueinfo(2).
func RtTgsigqueueinfo(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tgid, tid, sig := args.Int(0), args.Int(1), int(args.Int(2))
	if tgid <= 0 || tid <= 0 || sig < 0 || sig > linux.NumSignals {
		return 0, linux.EINVAL
	}
	info, errno := copyInSiginfo(t, args.Pointer(3), sig)
	if errno != 0 {
		return 0, errno
	}
	if (info.Code() >= 0 || info.Code() == linux.SI_TKILL) && tgid != t.PID() {
		return 0, linux.EPERM
	}
	target := t.PIDNamespace().TaskWithID(tid)
	if target == nil || target.PID() != tgid {
		return 0, linux.ESRCH
	}
	if !maySignal(t, target) {
		return 0, linux.EPERM
	}
	if sig == 0 {
		return 0, 0
	}
	return 0, target.SendSignal(info, kernel.FromSandbox)
}

// RtSigtimedwait implements Linux syscall rt_sigtimedwait(2).
func RtSigtimedwait(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	if args.SizeT(3) != sigSetSize {
		return 0, linux.EINVAL
	}
	var b [8]byte
	if errno := t.CopyIn(args.Pointer(0), b[:]); errno != 0 {
		return 0, errno
	}
	set := linux.SigSet(binary.LittleEndian.Uint64(b[:]))
	var deadline time.Time
	poll := false
	if ts := args.Pointer(2); ts != 0 {
		ns, errno := copyInTimespec(t, ts)
		if errno != 0 {
			return 0, errno
		}
		if ns == 0 {
			poll = true
		}
		deadline = time.Now().Add(time.Duration(ns))
	}
	info, errno := t.SigTimedWait(set, deadline, poll)
	if errno != 0 {
		return 0, errno
	}
	if addr := args.Pointer(1); addr != 0 {
		if errno := t.CopyOut(addr, info[:]); errno != 0 {
			return 0, errno
		}
	}
	return uintptr(info.Signo()), 0
}
