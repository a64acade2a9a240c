package syscalls

import (
	"encoding/binary"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/fs/mqueue"
	"moat/sentry/kernel"
	"moat/sentry/kernel/mq"
	"moat/sentry/net/netlink"
	"moat/sentry/vfs"
)

// siMesgq is si_code SI_MESGQ: a message arrived on an empty queue.
const siMesgq = -3

// Cookie states the kernel writes into the last byte of a SIGEV_THREAD
// cookie (NOTIFY_COOKIE_LEN bytes) before sending it on the socket.
const (
	notifyCookieLen = 32
	notifyWokenUp   = 1
	notifyRemoved   = 2
)

// MqNotify implements Linux syscall mq_notify(2): SIGEV_SIGNAL,
// SIGEV_NONE and SIGEV_THREAD (the C library's netlink socket receives
// the cookie), one registration per queue.
func MqNotify(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	sevp := args.Pointer(1)
	tg := t.ThreadGroup()
	var n *mq.Notification
	if sevp != 0 {
		ev, errno := copyInSigevent(t, sevp)
		if errno != 0 {
			return 0, errno
		}
		value, signo, notify := ev.value, ev.signo, ev.notify
		switch notify {
		case mq.SigevNone, mq.SigevThread:
		case mq.SigevSignal:
			if signo < 0 || signo > linux.NumSignals {
				return 0, linux.EINVAL
			}
		default:
			return 0, linux.EINVAL
		}
		n = &mq.Notification{Owner: tg, Notify: notify, Signo: signo, Alive: func() bool { return !tg.Exited() }}
		switch notify {
		case mq.SigevSignal:
			ns := t.PIDNamespace()
			n.Fire = func(sender any) { signalMqOwner(tg, ns, signo, value, sender) }
		case mq.SigevThread:
			sock, errno := mqNotifySocket(t, uintptr(value), int32(signo))
			if errno != 0 {
				return 0, errno
			}
			n.Fire = func(any) { sock.send(notifyWokenUp) }
			n.Removed = func() { sock.send(notifyRemoved) }
		}
	}
	q, f, errno := mqFile(t, args.Int(0))
	if errno != 0 {
		return 0, errno
	}
	defer f.DecRef()
	return 0, q.SetNotification(tg, n)
}

// signalMqOwner queues the notification signal at the registered
// process: si_pid and si_uid are the sender's (its PID as the owner's
// namespace sees it), si_value the registration's.
func signalMqOwner(tg *kernel.ThreadGroup, ns *kernel.PIDNamespace, signo int, value uint64, sender any) {
	info := linux.NewSignalInfo(signo, siMesgq)
	if s, ok := sender.(*kernel.Task); ok {
		info.SetPID(ns.IDOfThreadGroup(s.ThreadGroup()))
		info.SetUID(uint32(s.Credentials().RealKUID))
	}
	binary.LittleEndian.PutUint64(info[24:], value)
	tg.SendGroupSignal(info, kernel.FromKernel)
}

// mqCookie is a SIGEV_THREAD registration's socket and cookie.
type mqCookie struct {
	sock   *netlink.Socket
	cookie [notifyCookieLen]byte
}

func (c *mqCookie) send(state byte) {
	b := c.cookie
	b[notifyCookieLen-1] = state
	c.sock.Unicast(b[:])
}

// mqNotifySocket reads the cookie at addr and finds the netlink socket
// fd: EBADF, ENOTSOCK, or EINVAL for a socket of another family, as
// netlink_getsockbyfilp answers.
func mqNotifySocket(t *kernel.Task, addr uintptr, fd int32) (*mqCookie, linux.Errno) {
	c := &mqCookie{}
	if errno := t.CopyIn(addr, c.cookie[:]); errno != 0 {
		return nil, errno
	}
	f, errno := getFile(t, fd)
	if errno != 0 {
		return nil, errno
	}
	defer f.DecRef()
	if opsOf(f) == nil {
		return nil, linux.ENOTSOCK
	}
	s, ok := f.Impl().(*netlink.Socket)
	if !ok {
		return nil, linux.EINVAL
	}
	c.sock = s
	return c, 0
}

// releaseMqNotification drops the caller's process's notification on a
// queue whose descriptor it closes, as Linux's mqueue_flush_file.
func releaseMqNotification(t *kernel.Task, f *vfs.FileDescription) {
	if q := mqueue.Queue(f); q != nil {
		q.ReleaseNotification(t.ThreadGroup())
	}
}
