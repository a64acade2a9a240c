package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/kernel"
	"moat/sentry/net"
	netunix "moat/sentry/net/unix"
	"moat/sentry/vfs"
)

// Limits of one send or receive.
const (
	// maxRecord bounds a received datagram: no socket's SO_SNDBUF is
	// larger.
	maxRecord = 8 << 20
	// streamChunk is how much of a stream send is copied in at a time.
	streamChunk = 4 << 20
	// maxControl bounds sendmsg's control data (net.core.optmem_max).
	maxControl = 131072
	// sizeofMsghdr is sizeof(struct msghdr); an mmsghdr adds msg_len.
	sizeofMsghdr  = 56
	sizeofMmsghdr = 64
)

// msghdr is struct msghdr with application addresses.
type msghdr struct {
	name       uintptr
	namelen    uint32
	iov        uintptr
	iovlen     uint64
	control    uintptr
	controllen uint64
	flags      uint32
}

func copyInMsghdr(t *kernel.Task, addr uintptr) (msghdr, linux.Errno) {
	var b [sizeofMsghdr]byte
	if err := t.CopyIn(addr, b[:]); err != 0 {
		return msghdr{}, err
	}
	le := binary.LittleEndian
	return msghdr{
		name: uintptr(le.Uint64(b[0:])), namelen: le.Uint32(b[8:]),
		iov: uintptr(le.Uint64(b[16:])), iovlen: le.Uint64(b[24:]),
		control: uintptr(le.Uint64(b[32:])), controllen: le.Uint64(b[40:]),
		flags: le.Uint32(b[48:]),
	}, 0
}

// iovecs returns m's buffers (EMSGSIZE for too many, as Linux says).
func (m *msghdr) iovecs(t *kernel.Task) ([]linux.IOVec, linux.Errno) {
	if m.iovlen > kernel.MaxIovecs {
		return nil, linux.EMSGSIZE
	}
	return t.CopyInIovecs(m.iov, int(m.iovlen))
}

func iovTotal(iovs []linux.IOVec) uint64 {
	var n uint64
	for _, v := range iovs {
		n += uint64(v.Len)
	}
	return n
}

// gather copies n bytes, starting skip bytes in, from iovs. Up to
// ioChunk bytes go into a pooled buffer the caller returns with
// putBuffer (the socket copies what it keeps).
func gather(t *kernel.Task, iovs []linux.IOVec, skip, n uint64) ([]byte, linux.Errno) {
	buf := getBuffer(n)
	done := uint64(0)
	for _, v := range iovs {
		if done == n {
			break
		}
		l := uint64(v.Len)
		if skip >= l {
			skip -= l
			continue
		}
		c := min(l-skip, n-done)
		if err := t.CopyIn(v.Base+uintptr(skip), buf[done:done+c]); err != 0 {
			putBuffer(buf)
			return nil, err
		}
		done += c
		skip = 0
	}
	return buf, 0
}

// getBuffer returns a buffer of n bytes, from ioBuffers when it fits.
func getBuffer(n uint64) []byte {
	if n > ioChunk {
		return make([]byte, n)
	}
	return (*ioBuffers.Get().(*[]byte))[:n]
}

// putBuffer gives back a buffer of getBuffer.
func putBuffer(b []byte) {
	if cap(b) == ioChunk {
		b = b[:ioChunk]
		ioBuffers.Put(&b)
	}
}

// scatter copies data out to iovs.
func scatter(t *kernel.Task, iovs []linux.IOVec, data []byte) linux.Errno {
	for _, v := range iovs {
		if len(data) == 0 {
			return 0
		}
		c := min(uint64(v.Len), uint64(len(data)))
		if err := t.CopyOut(v.Base, data[:c]); err != 0 {
			return err
		}
		data = data[c:]
	}
	return 0
}

// checkCred validates explicit SCM_CREDENTIALS as Linux does: a process
// may claim its own PID and any of its user and group IDs; CAP_SYS_ADMIN,
// CAP_SETUID and CAP_SETGID lift each restriction.
func checkCred(t *kernel.Task) func(netunix.Cred) linux.Errno {
	return func(c netunix.Cred) linux.Errno {
		cr := t.Credentials()
		if c.PID != t.PID() && !cr.HasCap(auth.CapSysAdmin) {
			return linux.EPERM
		}
		u := auth.KUID(c.UID)
		if u != cr.RealKUID && u != cr.EffectiveKUID && u != cr.SavedKUID && !cr.HasCap(auth.CapSetuid) {
			return linux.EPERM
		}
		g := auth.KGID(c.GID)
		if g != cr.RealKGID && g != cr.EffectiveKGID && g != cr.SavedKGID && !cr.HasCap(auth.CapSetgid) {
			return linux.EPERM
		}
		return 0
	}
}

// sendTo is one send: data from iovs, an optional destination and
// control buffer.
func sendTo(t *kernel.Task, fd int32, iovs []linux.IOVec, to uintptr, toLen int32, control []byte, flags int32) (uintptr, linux.Errno) {
	f, err := getFile(t, fd)
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	if opsOf(f) == nil {
		return 0, linux.ENOTSOCK
	}
	if flags&unix.MSG_OOB != 0 {
		return 0, linux.EOPNOTSUPP
	}
	nonblock := flags&unix.MSG_DONTWAIT != 0 || f.StatusFlags()&unix.O_NONBLOCK != 0
	if s, ok := f.Impl().(*netunix.Socket); ok {
		return sendUnix(t, s, iovs, to, toLen, control, flags, nonblock)
	}
	s := f.Impl().(msgSocket)
	if len(control) > 0 {
		// No control message is supported on these sockets.
		return 0, linux.EINVAL
	}
	o := net.SendOptions{Nonblock: nonblock, NoSignal: flags&unix.MSG_NOSIGNAL != 0}
	if to != 0 && toLen != 0 {
		if o.To, err = copyInSockaddr(t, to, toLen); err != 0 {
			return 0, err
		}
	}
	total := min(iovTotal(iovs), maxRWCount)
	if limit := s.MaxRecord(); limit > 0 {
		if total > uint64(limit) {
			return 0, linux.EMSGSIZE
		}
		return sendRecord(t, iovs, total, func(data []byte) (int, linux.Errno) { return s.SendMsg(t, data, o) })
	}
	return sendStream(t, iovs, total, func(data []byte) (int, linux.Errno) { return s.SendMsg(t, data, o) })
}

// sendRecord sends the total bytes of iovs as one message.
func sendRecord(t *kernel.Task, iovs []linux.IOVec, total uint64, send func([]byte) (int, linux.Errno)) (uintptr, linux.Errno) {
	data, err := gather(t, iovs, 0, total)
	if err != 0 {
		return 0, err
	}
	n, err := send(data)
	putBuffer(data)
	return uintptr(n), err
}

// sendStream sends the total bytes of iovs as a byte stream, a chunk at
// a time, until all is sent or a send falls short.
func sendStream(t *kernel.Task, iovs []linux.IOVec, total uint64, send func([]byte) (int, linux.Errno)) (uintptr, linux.Errno) {
	var done uint64
	for {
		data, err := gather(t, iovs, done, min(total-done, streamChunk))
		if err != 0 {
			return result(done, err)
		}
		n, err := send(data)
		putBuffer(data)
		done += uint64(n)
		if err != 0 || n < len(data) || done == total {
			return result(done, err)
		}
	}
}

// sendUnix is one send on a Unix socket, with its control messages.
func sendUnix(t *kernel.Task, s *netunix.Socket, iovs []linux.IOVec, to uintptr, toLen int32, control []byte, flags int32, nonblock bool) (uintptr, linux.Errno) {
	o := netunix.SendOptions{Nonblock: nonblock, NoSignal: flags&unix.MSG_NOSIGNAL != 0}
	if to != 0 && toLen != 0 {
		a, err := copyInAddress(t, to, toLen)
		if err != 0 {
			return 0, err
		}
		o.To, o.FS = &a, socketFS(t)
	}
	if len(control) > 0 {
		var err linux.Errno
		getFile := func(fd int32) (*vfs.FileDescription, linux.Errno) { return getFile(t, fd) }
		if o.Control, err = netunix.ParseControl(control, getFile, checkCred(t)); err != 0 {
			return 0, err
		}
	}
	total := min(iovTotal(iovs), maxRWCount)
	if s.Type() != unix.SOCK_STREAM {
		if total > uint64(s.MaxRecord()) {
			o.Control.Release()
			return 0, linux.EMSGSIZE
		}
		data, err := gather(t, iovs, 0, total)
		if err != 0 {
			o.Control.Release()
			return 0, err
		}
		n, err := s.SendMsg(t, data, o)
		putBuffer(data)
		return uintptr(n), err
	}
	defer o.Control.Release()
	return sendStream(t, iovs, total, func(data []byte) (int, linux.Errno) {
		n, err := s.SendMsg(t, data, o)
		// The control data goes with the first chunk only.
		o.Control = netunix.Control{}
		return n, err
	})
}

// Sendto implements Linux syscall sendto(2) (and send(2)).
func Sendto(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	iov := []linux.IOVec{{Base: args.Pointer(1), Len: uintptr(args.SizeT(2))}}
	return sendTo(t, args.Int(0), iov, args.Pointer(4), args.Int(5), nil, args.Int(3))
}

// sendMsg sends the message whose msghdr is at addr.
func sendMsg(t *kernel.Task, fd int32, addr uintptr, flags int32) (uintptr, linux.Errno) {
	m, err := copyInMsghdr(t, addr)
	if err != 0 {
		return 0, err
	}
	if m.controllen > maxControl {
		return 0, linux.ENOBUFS
	}
	iovs, err := m.iovecs(t)
	if err != 0 {
		return 0, err
	}
	var control []byte
	if m.controllen > 0 {
		control = make([]byte, m.controllen)
		if err := t.CopyIn(m.control, control); err != 0 {
			return 0, err
		}
	}
	return sendTo(t, fd, iovs, m.name, int32(m.namelen), control, flags)
}

// Sendmsg implements Linux syscall sendmsg(2).
func Sendmsg(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return sendMsg(t, args.Int(0), args.Pointer(1), args.Int(2))
}

// Sendmmsg implements Linux syscall sendmmsg(2): it sends messages until
// one fails and reports how many were sent, or the first error.
func Sendmmsg(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	fd, vec, flags := args.Int(0), args.Pointer(1), args.Int(3)
	vlen := min(args.Uint(2), uint32(kernel.MaxIovecs))
	var i uint32
	for ; i < vlen; i++ {
		a := vec + uintptr(i)*sizeofMmsghdr
		n, err := sendMsg(t, fd, a, flags)
		if err == 0 {
			err = t.CopyOut(a+sizeofMsghdr, le32(uint32(n)))
		}
		if err != 0 {
			if i == 0 {
				return 0, err
			}
			break
		}
	}
	return uintptr(i), 0
}
