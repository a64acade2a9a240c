package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/fs/epoll"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// epollEventSize is sizeof(struct epoll_event): packed on x86-64.
const epollEventSize = 12

// EpollCreate implements Linux syscall epoll_create(2).
func EpollCreate(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	if args.Int(0) <= 0 {
		return 0, linux.EINVAL
	}
	return newEpoll(t, 0)
}

// EpollCreate1 implements Linux syscall epoll_create1(2).
func EpollCreate1(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	flags := args.Uint(0)
	if flags&^unix.EPOLL_CLOEXEC != 0 {
		return 0, linux.EINVAL
	}
	return newEpoll(t, flags)
}

func newEpoll(t *kernel.Task, flags uint32) (uintptr, linux.Errno) {
	f := epoll.New()
	defer f.DecRef()
	fd, errno := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: flags&unix.EPOLL_CLOEXEC != 0})
	return uintptr(fd), errno
}

// EpollCtl implements Linux syscall epoll_ctl(2).
func EpollCtl(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	epfd, op, fd, addr := args.Int(0), args.Int(1), args.Int(2), args.Pointer(3)
	var ev epoll.Event
	if op != epoll.CtlDel {
		var b [epollEventSize]byte
		if errno := t.CopyIn(addr, b[:]); errno != 0 {
			return 0, errno
		}
		ev = epoll.Event{Events: binary.LittleEndian.Uint32(b[0:]), Data: binary.LittleEndian.Uint64(b[4:])}
	}
	f, errno := getFile(t, epfd)
	if errno != 0 {
		return 0, errno
	}
	defer f.DecRef()
	tf, errno := getFile(t, fd)
	if errno != 0 {
		return 0, errno
	}
	defer tf.DecRef()
	if tf.Waitable() == nil {
		return 0, linux.EPERM
	}
	ep := epoll.FromFile(f)
	if ep == nil || f == tf {
		return 0, linux.EINVAL
	}
	return 0, ep.Ctl(op, tf, fd, ev)
}

// epollWait is epoll_wait and its p-variants after the signal mask: up to
// max events into addr, waiting for timeout ns (< 0: forever).
func epollWait(t *kernel.Task, epfd int32, addr uintptr, max int32, timeout int64) (int, bool, linux.Errno) {
	if max <= 0 || max > (1<<31-1)/epollEventSize {
		return 0, false, linux.EINVAL
	}
	f, errno := getFile(t, epfd)
	if errno != 0 {
		return 0, false, errno
	}
	defer f.DecRef()
	ep := epoll.FromFile(f)
	if ep == nil {
		return 0, false, linux.EINVAL
	}
	deliver := func(evs []epoll.Event) linux.Errno {
		b := make([]byte, epollEventSize*len(evs))
		for i, ev := range evs {
			binary.LittleEndian.PutUint32(b[epollEventSize*i:], ev.Events)
			binary.LittleEndian.PutUint64(b[epollEventSize*i+4:], ev.Data)
		}
		return t.CopyOut(addr, b)
	}
	deadline, block := deadlineAfter(timeout)
	var ch <-chan struct{}
	for {
		watch := ep.WatchedSignals()
		seen := t.PendingSignalsIn(watch)
		n, errno := ep.Collect(t, int(max), deliver)
		if n > 0 || errno != 0 || !block {
			return n, false, errno
		}
		if ch == nil {
			// Register, then look again before sleeping.
			var w *vfs.Waiter
			w, ch = vfs.NewChannelWaiter(vfs.EventReadable)
			defer ep.EventRegister(w)()
			continue
		}
		intr, timedOut := t.BlockWatching(ch, deadline, watch, seen)
		if intr {
			return 0, true, 0
		}
		if timedOut {
			block = false
		}
	}
}

// msTimeout converts an epoll_wait timeout in ms (< 0: forever) to ns.
func msTimeout(ms int32) int64 {
	if ms < 0 {
		return -1
	}
	return int64(ms) * int64(time.Millisecond)
}

// EpollWait implements Linux syscall epoll_wait(2). A signal ends the
// wait with EINTR, never a restart, as on Linux.
func EpollWait(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	n, intr, errno := epollWait(t, args.Int(0), args.Pointer(1), args.Int(2), msTimeout(args.Int(3)))
	if intr {
		return 0, linux.EINTR
	}
	return uintptr(n), errno
}

// EpollPwait implements Linux syscall epoll_pwait(2).
func EpollPwait(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return epollPwait(t, args, msTimeout(args.Int(3)))
}

// EpollPwait2 implements Linux syscall epoll_pwait2(2): the timeout is a
// timespec (NULL: forever).
func EpollPwait2(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	timeout := int64(-1)
	if addr := args.Pointer(3); addr != 0 {
		ns, errno := copyInTimespec(t, addr)
		if errno != 0 {
			return 0, errno
		}
		timeout = ns
	}
	return epollPwait(t, args, timeout)
}

func epollPwait(t *kernel.Task, args *arch.SyscallArguments, timeout int64) (uintptr, linux.Errno) {
	restore, errno := userSigmask(t, args.Pointer(4), args.SizeT(5))
	if errno != 0 {
		return 0, errno
	}
	n, intr, errno := epollWait(t, args.Int(0), args.Pointer(1), args.Int(2), timeout)
	restore(intr)
	if intr {
		return 0, linux.EINTR
	}
	return uintptr(n), errno
}
