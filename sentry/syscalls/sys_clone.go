package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

// Clone implements Linux syscall clone(2) (x86-64 argument order: flags,
// stack, parent_tid, child_tid, tls).
func Clone(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	flags := args.Uint64(0)
	o := kernel.CloneOptions{
		Flags: flags &^ 0xff, ExitSignal: int(flags & 0xff),
		Stack: args.Pointer(1), ParentTID: args.Pointer(2), ChildTID: args.Pointer(3), TLS: args.Pointer(4),
	}
	if flags&unix.CLONE_PIDFD != 0 {
		// clone(2) stores the pidfd where the parent's TID would go.
		if flags&(unix.CLONE_PARENT_SETTID|unix.CLONE_THREAD|unix.CLONE_DETACHED) != 0 {
			return 0, linux.EINVAL
		}
		tid, errno := clonePIDFD(t, o, o.ParentTID)
		return uintptr(tid), errno
	}
	tid, errno := t.Clone(o)
	return uintptr(tid), errno
}

// clone3Size is the size of struct clone_args up to cgroup (version 2).
const clone3Size = 88

// Clone3 implements Linux syscall clone3(2).
func Clone3(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	size := args.SizeT(1)
	if size < 64 || size > 4096 {
		return 0, linux.EINVAL
	}
	b := make([]byte, size)
	if errno := t.CopyIn(args.Pointer(0), b); errno != 0 {
		return 0, errno
	}
	for _, c := range b[min(size, clone3Size):] {
		if c != 0 {
			return 0, linux.E2BIG
		}
	}
	le := binary.LittleEndian
	get := func(i int) uint64 {
		if uint(8*i+8) > size {
			return 0
		}
		return le.Uint64(b[8*i:])
	}
	flags, pidfd, childTID, parentTID := get(0), get(1), get(2), get(3)
	exitSignal, stack, stackSize, tls := get(4), get(5), get(6), get(7)
	setTID, setTIDSize, cgroup := get(8), get(9), get(10)
	if exitSignal > linux.NumSignals || setTID != 0 || setTIDSize != 0 || cgroup != 0 || flags&0xff != 0 {
		// TODO(#4): set_tid and CLONE_INTO_CGROUP.
		return 0, linux.EINVAL
	}
	if (stack == 0) != (stackSize == 0) {
		return 0, linux.EINVAL
	}
	o := kernel.CloneOptions{
		Flags: flags, ExitSignal: int(exitSignal), Stack: uintptr(stack + stackSize),
		ParentTID: uintptr(parentTID), ChildTID: uintptr(childTID), TLS: uintptr(tls),
	}
	if flags&unix.CLONE_PIDFD != 0 {
		if flags&(unix.CLONE_THREAD|unix.CLONE_DETACHED) != 0 {
			return 0, linux.EINVAL
		}
		tid, errno := clonePIDFD(t, o, uintptr(pidfd))
		return uintptr(tid), errno
	}
	tid, errno := t.Clone(o)
	return uintptr(tid), errno
}

// Fork implements Linux syscall fork(2).
func Fork(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tid, errno := t.Clone(kernel.CloneOptions{ExitSignal: int(unix.SIGCHLD)})
	return uintptr(tid), errno
}

// Vfork implements Linux syscall vfork(2).
func Vfork(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tid, errno := t.Clone(kernel.CloneOptions{Flags: unix.CLONE_VM | unix.CLONE_VFORK, ExitSignal: int(unix.SIGCHLD)})
	return uintptr(tid), errno
}

// Wait4 implements Linux syscall wait4(2).
func Wait4(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	pid, statusAddr, options, rusageAddr := args.Int(0), args.Pointer(1), args.Uint(2), args.Pointer(3)
	if options&^(unix.WNOHANG|unix.WUNTRACED|unix.WCONTINUED|unix.WNOTHREAD|unix.WALL|unix.WCLONE) != 0 {
		return 0, linux.EINVAL
	}
	o := kernel.WaitOptions{Exited: true, NoHang: options&unix.WNOHANG != 0,
		Stopped: options&unix.WUNTRACED != 0, Continued: options&unix.WCONTINUED != 0,
		Clone: options&unix.WCLONE != 0, All: options&unix.WALL != 0}
	switch {
	case pid == -1:
		o.Select = kernel.WaitAny
	case pid == 0:
		o.Select, o.ID = kernel.WaitPGID, t.PIDNamespace().IDOfRoot(t.ThreadGroup().ProcessGroup())
	case pid < -1:
		o.Select, o.ID = kernel.WaitPGID, -pid
	default:
		o.Select, o.ID = kernel.WaitPID, pid
	}
	r, errno := t.Wait(o)
	if errno != 0 || r == nil {
		return 0, errno
	}
	if statusAddr != 0 {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], r.WaitStatus())
		if errno := t.CopyOut(statusAddr, b[:]); errno != 0 {
			return 0, errno
		}
	}
	if rusageAddr != 0 {
		if errno := t.CopyOut(rusageAddr, rusageBytes(r.UserTime, r.SysTime, 0)); errno != 0 {
			return 0, errno
		}
	}
	return uintptr(r.PID), 0
}

// waitid idtypes.
const (
	pAll   = 0
	pPID   = 1
	pPGID  = 2
	pPIDFD = 3
)

// Waitid implements Linux syscall waitid(2).
func Waitid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	idtype, id, infop, options, rusageAddr := args.Int(0), args.Int(1), args.Pointer(2), args.Uint(3), args.Pointer(4)
	if options&^(unix.WNOHANG|unix.WEXITED|unix.WSTOPPED|unix.WCONTINUED|unix.WNOWAIT|unix.WNOTHREAD|unix.WALL|unix.WCLONE) != 0 ||
		options&(unix.WEXITED|unix.WSTOPPED|unix.WCONTINUED) == 0 {
		return 0, linux.EINVAL
	}
	o := kernel.WaitOptions{Exited: options&unix.WEXITED != 0, NoHang: options&unix.WNOHANG != 0,
		Stopped: options&unix.WSTOPPED != 0, Continued: options&unix.WCONTINUED != 0,
		NoWait: options&unix.WNOWAIT != 0, Clone: options&unix.WCLONE != 0, All: options&unix.WALL != 0}
	switch idtype {
	case pAll:
		o.Select = kernel.WaitAny
	case pPID:
		if id <= 0 {
			return 0, linux.EINVAL
		}
		o.Select, o.ID = kernel.WaitPID, id
	case pPGID:
		if id < 0 {
			return 0, linux.EINVAL
		}
		if id == 0 {
			id = t.PIDNamespace().IDOfRoot(t.ThreadGroup().ProcessGroup())
		}
		o.Select, o.ID = kernel.WaitPGID, id
	case pPIDFD:
		tg, nonblock, errno := pidfdProcess(t, id)
		if errno != 0 {
			return 0, errno
		}
		pid := t.PIDNamespace().IDOfThreadGroup(tg)
		if pid <= 0 {
			return 0, linux.ECHILD
		}
		o.Select, o.ID = kernel.WaitPID, pid
		if nonblock && !o.NoHang {
			// PIDFD_NONBLOCK: EAGAIN rather than block.
			o.NoHang = true
			if r, errno := t.Wait(o); errno != 0 || r != nil {
				return waitidResult(t, r, errno, infop, rusageAddr)
			}
			return 0, linux.EAGAIN
		}
	default:
		return 0, linux.EINVAL
	}
	r, errno := t.Wait(o)
	return waitidResult(t, r, errno, infop, rusageAddr)
}

// waitidResult stores waitid's siginfo and rusage.
func waitidResult(t *kernel.Task, r *kernel.WaitResult, errno linux.Errno, infop, rusageAddr uintptr) (uintptr, linux.Errno) {
	if errno != 0 {
		return 0, errno
	}
	if infop != 0 {
		var info linux.SignalInfo
		if r != nil {
			info.SetSigno(int(unix.SIGCHLD))
			info.SetCode(r.Code())
			info.SetPID(r.PID)
			info.SetUID(r.UID)
			st := int32(r.Status.Code)
			if r.Status.Signo != 0 {
				st = int32(r.Status.Signo)
			}
			if r.StateCode != 0 {
				st = int32(r.StateSignal)
			}
			info.SetStatus(st)
		}
		if errno := t.CopyOut(infop, info[:]); errno != 0 {
			return 0, errno
		}
	}
	if rusageAddr != 0 && r != nil {
		if errno := t.CopyOut(rusageAddr, rusageBytes(r.UserTime, r.SysTime, 0)); errno != 0 {
			return 0, errno
		}
	}
	return 0, 0
}

// Futex operations.
const (
	futexWait          = 0
	futexWake          = 1
	futexRequeue       = 3
	futexCmpRequeue    = 4
	futexWakeOp        = 5
	futexWaitBitset    = 9
	futexWakeBitset    = 10
	futexPrivateFlag   = 128
	futexClockRealtime = 256
)

// Futex implements Linux syscall futex(2).
func Futex(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	addr, op, val := args.Pointer(0), args.Int(1), args.Uint(2)
	cmd := op &^ (futexPrivateFlag | futexClockRealtime)
	private := op&futexPrivateFlag != 0
	switch cmd {
	case futexWait, futexWaitBitset:
		bitset := ^uint32(0)
		if cmd == futexWaitBitset {
			bitset = args.Uint(5)
		} else if op&futexClockRealtime != 0 {
			return 0, linux.ENOSYS
		}
		deadline, errno := futexDeadline(t, args.Pointer(3), cmd == futexWaitBitset, op&futexClockRealtime != 0)
		if errno != 0 {
			return 0, errno
		}
		return futexWaitRestartable(t, addr, private, val, bitset, deadline)
	case futexWake, futexWakeBitset:
		bitset := ^uint32(0)
		if cmd == futexWakeBitset {
			bitset = args.Uint(5)
		}
		n, errno := t.FutexWake(addr, private, int(int32(val)), bitset)
		return uintptr(n), errno
	case futexRequeue, futexCmpRequeue:
		n, errno := t.FutexRequeue(addr, args.Pointer(4), private, int(int32(val)), int(int32(args.Uint(3))), cmd == futexCmpRequeue, args.Uint(5))
		return uintptr(n), errno
	case futexWakeOp:
		n, errno := t.FutexWakeOp(addr, args.Pointer(4), private, int(int32(val)), int(int32(args.Uint(3))), args.Uint(5))
		return uintptr(n), errno
	}
	if n, errno, ok := futexPI(t, args, cmd, op); ok {
		return n, errno
	}
	return 0, linux.ENOSYS
}
