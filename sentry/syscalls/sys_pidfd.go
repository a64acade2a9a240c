package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/fs/pidfd"
	"moat/sentry/kernel"
)

// PidfdOpen implements Linux syscall pidfd_open(2).
func PidfdOpen(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	pid, flags := args.Int(0), args.Uint(1)
	if flags&^unix.O_NONBLOCK != 0 || pid <= 0 {
		return 0, linux.EINVAL
	}
	ns := t.PIDNamespace()
	tg := ns.ProcessWithID(pid)
	if tg == nil {
		if ns.TaskWithID(pid) != nil {
			return 0, linux.ENOENT // a thread, not a process (Linux 6.9+)
		}
		return 0, linux.ESRCH
	}
	f := pidfd.New(tg, flags)
	defer f.DecRef()
	fd, errno := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: true})
	return uintptr(fd), errno
}

// pidfdProcess returns the process pidfd fd names and whether the file is
// non-blocking.
func pidfdProcess(t *kernel.Task, fd int32) (*kernel.ThreadGroup, bool, linux.Errno) {
	f, _, errno := t.FDTable().Get(fd)
	if errno != 0 {
		return nil, false, errno
	}
	defer f.DecRef()
	p := pidfd.FromFile(f)
	if p == nil || p.ThreadGroup() == nil {
		return nil, false, linux.EBADF
	}
	return p.ThreadGroup(), f.StatusFlags()&unix.O_NONBLOCK != 0, 0
}

// PidfdSendSignal implements Linux syscall pidfd_send_signal(2).
func PidfdSendSignal(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	fd, sig, infoAddr, flags := args.Int(0), int(args.Int(1)), args.Pointer(2), args.Uint(3)
	if flags != 0 || sig < 0 || sig > linux.NumSignals {
		return 0, linux.EINVAL
	}
	tg, _, errno := pidfdProcess(t, fd)
	if errno != 0 {
		return 0, errno
	}
	info := userSignal(t, sig, linux.SI_USER)
	if infoAddr != 0 {
		var b [4]byte
		if errno := t.CopyIn(infoAddr, b[:]); errno != 0 {
			return 0, errno
		}
		if int(int32(binary.LittleEndian.Uint32(b[:]))) != sig {
			return 0, linux.EINVAL
		}
		if info, errno = copyInSiginfo(t, infoAddr, sig); errno != 0 {
			return 0, errno
		}
		// Only the kernel may forge SI_USER or SI_TKILL for another
		// process.
		if (info.Code() >= 0 || info.Code() == linux.SI_TKILL) && tg != t.ThreadGroup() {
			return 0, linux.EPERM
		}
	}
	if !processAlive(t, tg) {
		return 0, linux.ESRCH
	}
	if l := tg.Leader(); l == nil || !maySignal(t, l) {
		return 0, linux.EPERM
	}
	if sig == 0 || tg.Exited() {
		return 0, 0 // a zombie takes signals and ignores them
	}
	return 0, tg.SendGroupSignal(info, kernel.FromSandbox)
}

// processAlive reports whether tg has not been reaped yet.
func processAlive(t *kernel.Task, tg *kernel.ThreadGroup) bool {
	ns := t.PIDNamespace()
	id := ns.IDOfThreadGroup(tg)
	return id > 0 && ns.ProcessWithID(id) == tg
}

// PidfdGetfd implements Linux syscall pidfd_getfd(2): a duplicate of
// another process's descriptor, close-on-exec. The caller needs the
// target's user and group IDs, or CAP_SYS_PTRACE (ptrace attach access).
func PidfdGetfd(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	fd, targetFD, flags := args.Int(0), args.Int(1), args.Uint(2)
	if flags != 0 {
		return 0, linux.EINVAL
	}
	tg, _, errno := pidfdProcess(t, fd)
	if errno != 0 {
		return 0, errno
	}
	threads := tg.Threads()
	if len(threads) == 0 {
		return 0, linux.ESRCH
	}
	target := threads[0]
	if !mayAttach(t.Credentials(), target.Credentials()) {
		return 0, linux.EPERM
	}
	ft := target.FDTable()
	if ft == nil {
		return 0, linux.ESRCH
	}
	f, _, errno := ft.Get(targetFD)
	if errno != 0 {
		return 0, errno
	}
	defer f.DecRef()
	nfd, errno := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: true})
	return uintptr(nfd), errno
}

// mayAttach is ptrace's PTRACE_MODE_ATTACH_REALCREDS rule without LSMs.
func mayAttach(c, tc *auth.Credentials) bool {
	return c.HasCap(auth.CapSysPtrace) || sameIDs(c, tc)
}

// newClonePIDFD makes CLONE_PIDFD's descriptor in the caller's table
// before clone, and a CloneOptions hook that binds it to the child.
func newClonePIDFD(t *kernel.Task) (int32, func(*kernel.ThreadGroup), linux.Errno) {
	f := pidfd.New(nil, 0)
	defer f.DecRef()
	fd, errno := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: true})
	if errno != 0 {
		return -1, nil, errno
	}
	p := pidfd.FromFile(f)
	return fd, p.Bind, 0
}

// clonePIDFD runs t.Clone with CLONE_PIDFD's descriptor stored at addr
// (before the child runs, as Linux does).
func clonePIDFD(t *kernel.Task, o kernel.CloneOptions, addr uintptr) (int32, linux.Errno) {
	fd, bind, errno := newClonePIDFD(t)
	if errno != 0 {
		return 0, errno
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(fd))
	if errno := t.CopyOut(addr, b[:]); errno != 0 {
		if f, e := t.FDTable().Remove(fd); e == 0 {
			f.DecRef()
		}
		return 0, errno
	}
	o.PIDFD, o.SetPIDFD = fd, bind
	tid, errno := t.Clone(o)
	if errno != 0 {
		if f, e := t.FDTable().Remove(fd); e == 0 {
			f.DecRef()
		}
	}
	return tid, errno
}
