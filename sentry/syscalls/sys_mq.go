package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/fs/mqueue"
	"moat/sentry/kernel"
	"moat/sentry/kernel/mq"
	"moat/sentry/vfs"
)

// sizeofMqAttr is struct mq_attr: four longs and four reserved.
const sizeofMqAttr = 64

func copyInMqAttr(t *kernel.Task, addr uintptr) (mq.Attr, linux.Errno) {
	var b [sizeofMqAttr]byte
	if errno := t.CopyIn(addr, b[:]); errno != 0 {
		return mq.Attr{}, errno
	}
	le := binary.LittleEndian
	return mq.Attr{
		Flags: int64(le.Uint64(b[0:])), MaxMsg: int64(le.Uint64(b[8:])),
		MsgSize: int64(le.Uint64(b[16:])), CurMsgs: int64(le.Uint64(b[24:])),
	}, 0
}

func copyOutMqAttr(t *kernel.Task, addr uintptr, a mq.Attr) linux.Errno {
	var b [sizeofMqAttr]byte
	le := binary.LittleEndian
	le.PutUint64(b[0:], uint64(a.Flags))
	le.PutUint64(b[8:], uint64(a.MaxMsg))
	le.PutUint64(b[16:], uint64(a.MsgSize))
	le.PutUint64(b[24:], uint64(a.CurMsgs))
	return t.CopyOut(addr, b[:])
}

// MqOpen implements Linux syscall mq_open(2) (glibc has taken the name's
// leading slash off).
func MqOpen(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	name, errno := copyInPath(t, args.Pointer(0))
	if errno != 0 {
		return 0, errno
	}
	flags, mode, attrAddr := int(args.Int(1)), uint32(args.Uint(2)), args.Pointer(3)
	var attr *mq.Attr
	if attrAddr != 0 {
		a, errno := copyInMqAttr(t, attrAddr)
		if errno != 0 {
			return 0, errno
		}
		attr = &a
	}
	reg := t.IPCNamespace().MQ()
	q, errno := reg.Open(t.Credentials(), mq.OpenOptions{
		Name: name, Flags: flags, Mode: mode & 0o7777 &^ t.FSContext().Umask(), Attr: attr,
		Rlimit: t.ThreadGroup().Limit(unix.RLIMIT_MSGQUEUE).Cur,
	})
	if errno != 0 {
		return 0, errno
	}
	f := mqueue.New(t.Kernel().VFS(), t, reg, name, q, uint32(flags))
	defer f.DecRef()
	// Queue descriptors are always close-on-exec, as Linux makes them.
	fd, errno := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: true})
	return uintptr(fd), errno
}

// MqUnlink implements Linux syscall mq_unlink(2).
func MqUnlink(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	name, errno := copyInPath(t, args.Pointer(0))
	if errno != 0 {
		return 0, errno
	}
	return 0, mqueue.Unlink(t.Kernel().VFS(), t, t.IPCNamespace().MQ(), name)
}

// mqFile returns the queue fd names and its file (with a reference the
// caller drops): EBADF if it is not a queue.
func mqFile(t *kernel.Task, fd int32) (*mq.Queue, *vfs.FileDescription, linux.Errno) {
	f, errno := getFile(t, fd)
	if errno != 0 {
		return nil, nil, errno
	}
	q := mqueue.Queue(f)
	if q == nil {
		f.DecRef()
		return nil, nil, linux.EBADF
	}
	return q, f, 0
}

// mqDeadline reads an absolute CLOCK_REALTIME timeout (0: none).
func mqDeadline(t *kernel.Task, addr uintptr) (time.Time, linux.Errno) {
	if addr == 0 {
		return time.Time{}, 0
	}
	ns, errno := copyInTimespec(t, addr)
	if errno != 0 {
		return time.Time{}, errno
	}
	if ns == 0 {
		// The epoch: already past, never "no deadline".
		return time.Unix(0, 1), 0
	}
	return time.Unix(0, ns), 0
}

// mqTransfer is what a send or receive checks before the queue is
// touched: the timeout (argument 4, EINVAL), the descriptor (EBADF: not a
// queue, or not open for the direction) and the message size against
// mq_msgsize (EMSGSIZE: ok says whether it passes). The caller drops f.
func mqTransfer(t *kernel.Task, args *arch.SyscallArguments, write bool, ok func(size, msgsize uint64) bool) (*mq.Queue, *vfs.FileDescription, time.Time, linux.Errno) {
	deadline, errno := mqDeadline(t, args.Pointer(4))
	if errno != 0 {
		return nil, nil, time.Time{}, errno
	}
	q, f, errno := mqFile(t, args.Int(0))
	if errno != 0 {
		return nil, nil, time.Time{}, errno
	}
	switch {
	case write && !f.IsWritable(), !write && !f.IsReadable():
		errno = linux.EBADF
	case !ok(args.Uint64(2), uint64(q.Attr().MsgSize)):
		errno = linux.EMSGSIZE
	}
	if errno != 0 {
		f.DecRef()
		return nil, nil, time.Time{}, errno
	}
	return q, f, deadline, 0
}

// MqTimedsend implements Linux syscall mq_timedsend(2).
func MqTimedsend(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	addr, prio := args.Pointer(1), args.Uint(3)
	if prio >= mq.PrioMax {
		return 0, linux.EINVAL
	}
	q, f, deadline, errno := mqTransfer(t, args, true, func(size, msgsize uint64) bool { return size <= msgsize })
	if errno != 0 {
		return 0, errno
	}
	defer f.DecRef()
	text := make([]byte, args.Uint64(2))
	if errno := t.CopyIn(addr, text); errno != 0 {
		return 0, errno
	}
	nonblock := f.StatusFlags()&unix.O_NONBLOCK != 0
	return 0, q.Send(t, mq.Message{Prio: prio, Text: text}, nonblock, deadline, t)
}

// MqTimedreceive implements Linux syscall mq_timedreceive(2).
func MqTimedreceive(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	addr, prioAddr := args.Pointer(1), args.Pointer(3)
	q, f, deadline, errno := mqTransfer(t, args, false, func(size, msgsize uint64) bool { return size >= msgsize })
	if errno != 0 {
		return 0, errno
	}
	defer f.DecRef()
	m, errno := q.Receive(t, f.StatusFlags()&unix.O_NONBLOCK != 0, deadline)
	if errno != 0 {
		return 0, errno
	}
	if prioAddr != 0 {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], m.Prio)
		if errno := t.CopyOut(prioAddr, b[:]); errno != 0 {
			return 0, errno
		}
	}
	if errno := t.CopyOut(addr, m.Text); errno != 0 {
		return 0, errno
	}
	return uintptr(len(m.Text)), 0
}

// MqGetsetattr implements Linux syscall mq_getsetattr(2): only
// O_NONBLOCK can be set.
func MqGetsetattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	newAddr, oldAddr := args.Pointer(1), args.Pointer(2)
	var set *mq.Attr
	if newAddr != 0 {
		a, errno := copyInMqAttr(t, newAddr)
		if errno != 0 {
			return 0, errno
		}
		if a.Flags&^unix.O_NONBLOCK != 0 {
			return 0, linux.EINVAL
		}
		set = &a
	}
	q, f, errno := mqFile(t, args.Int(0))
	if errno != 0 {
		return 0, errno
	}
	defer f.DecRef()
	old := q.Attr()
	old.Flags = int64(f.StatusFlags() & unix.O_NONBLOCK)
	if set != nil {
		f.SetStatusFlags(f.StatusFlags()&^unix.O_NONBLOCK | uint32(set.Flags))
	}
	if oldAddr != 0 {
		return 0, copyOutMqAttr(t, oldAddr, old)
	}
	return 0, 0
}
