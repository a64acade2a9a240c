package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
	"moat/sentry/net"
	netunix "moat/sentry/net/unix"
)

// received is the outcome of one receive, ready to be reported.
type received struct {
	n       uintptr
	flags   uint32
	from    []byte
	control netunix.ControlBuilder
}

// recvInto receives into iovs. ctlCap is the application's control
// buffer size: received rights are installed in the task's table as far
// as they fit there (MSG_CMSG_CLOEXEC applies), the rest are closed.
func recvInto(t *kernel.Task, fd int32, iovs []linux.IOVec, flags int32, ctlCap int) (received, linux.Errno) {
	f, err := getFile(t, fd)
	if err != 0 {
		return received{}, err
	}
	defer f.DecRef()
	if opsOf(f) == nil {
		return received{}, linux.ENOTSOCK
	}
	if flags&unix.MSG_OOB != 0 {
		return received{}, linux.EOPNOTSUPP
	}
	nonblock := flags&unix.MSG_DONTWAIT != 0 || f.StatusFlags()&unix.O_NONBLOCK != 0
	total := min(iovTotal(iovs), maxRWCount, maxRecord)
	dst := getBuffer(total)
	defer putBuffer(dst)
	s, ok := f.Impl().(*netunix.Socket)
	if !ok {
		o := net.RecvOptions{Nonblock: nonblock, Peek: flags&unix.MSG_PEEK != 0,
			WaitAll: flags&unix.MSG_WAITALL != 0, Trunc: flags&unix.MSG_TRUNC != 0}
		r, err := f.Impl().(msgSocket).RecvMsg(t, dst, o)
		if err != 0 {
			return received{}, err
		}
		out := received{n: uintptr(r.N), from: r.From, flags: uint32(flags & unix.MSG_CMSG_CLOEXEC)}
		if r.Truncated {
			out.flags |= unix.MSG_TRUNC
		}
		return out, scatter(t, iovs, dst[:min(r.N, len(dst))])
	}
	o := netunix.RecvOptions{
		Nonblock: nonblock,
		Peek:     flags&unix.MSG_PEEK != 0,
		WaitAll:  flags&unix.MSG_WAITALL != 0,
		Trunc:    flags&unix.MSG_TRUNC != 0,
	}
	r, err := s.RecvMsg(t, dst, o)
	if err != 0 {
		r.Control.Release()
		return received{}, err
	}
	var out received
	out.n = uintptr(r.N)
	// Linux reports MSG_CMSG_CLOEXEC back in msg_flags.
	out.flags = uint32(flags & unix.MSG_CMSG_CLOEXEC)
	if r.Truncated {
		out.flags |= unix.MSG_TRUNC
	}
	if !r.From.Unnamed() {
		out.from = r.From.Encode()
	}
	out.control.Cap = ctlCap
	if !r.Timestamp.IsZero() {
		putTimestamp(&out.control, r.Timestamp, r.TimestampNS)
	}
	if r.Control.Cred != nil {
		out.control.PutCred(*r.Control.Cred)
	}
	if len(r.Control.Rights) > 0 {
		room := min(out.control.RightsRoom(), len(r.Control.Rights))
		fdFlags := kernel.FDFlags{CloseOnExec: flags&unix.MSG_CMSG_CLOEXEC != 0}
		var fds []int32
		for _, rf := range r.Control.Rights[:room] {
			nfd, err := t.FDTable().NewFD(0, rf, fdFlags)
			if err != 0 {
				break
			}
			fds = append(fds, nfd)
		}
		out.control.PutRights(fds, len(r.Control.Rights)-len(fds))
		r.Control.Release()
	}
	if out.control.Truncated {
		out.flags |= unix.MSG_CTRUNC
	}
	copied := min(r.N, len(dst))
	if err := scatter(t, iovs, dst[:copied]); err != 0 {
		return received{}, err
	}
	return out, 0
}

// Recvfrom implements Linux syscall recvfrom(2) (and recv(2)).
func Recvfrom(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	iov := []linux.IOVec{{Base: args.Pointer(1), Len: uintptr(args.SizeT(2))}}
	r, err := recvInto(t, args.Int(0), iov, args.Int(3), 0)
	if err != 0 {
		return 0, err
	}
	if addr := args.Pointer(4); addr != 0 {
		if err := copyOutAddress(t, addr, args.Pointer(5), r.from); err != 0 {
			return 0, err
		}
	}
	return r.n, 0
}

// recvMsg receives into the msghdr at addr and updates its msg_namelen,
// msg_controllen and msg_flags.
func recvMsg(t *kernel.Task, fd int32, addr uintptr, flags int32) (uintptr, linux.Errno) {
	m, err := copyInMsghdr(t, addr)
	if err != 0 {
		return 0, err
	}
	iovs, err := m.iovecs(t)
	if err != 0 {
		return 0, err
	}
	ctlCap := 0
	if m.control != 0 {
		ctlCap = int(min(m.controllen, maxControl))
	}
	r, err := recvInto(t, fd, iovs, flags, ctlCap)
	if err != 0 {
		return 0, err
	}
	var b [4]byte
	if m.name != 0 {
		// msg_namelen is written only with a name buffer, as Linux.
		if int32(m.namelen) < 0 {
			return 0, linux.EINVAL
		}
		c := min(int(m.namelen), len(r.from))
		if err := t.CopyOut(m.name, r.from[:c]); err != 0 {
			return 0, err
		}
		binary.LittleEndian.PutUint32(b[:], uint32(len(r.from)))
		if err := t.CopyOut(addr+8, b[:]); err != 0 {
			return 0, err
		}
	}
	if len(r.control.Buf) > 0 {
		if err := t.CopyOut(m.control, r.control.Buf); err != 0 {
			return 0, err
		}
	}
	var cl [8]byte
	binary.LittleEndian.PutUint64(cl[:], uint64(len(r.control.Buf)))
	if err := t.CopyOut(addr+40, cl[:]); err != 0 {
		return 0, err
	}
	binary.LittleEndian.PutUint32(b[:], r.flags)
	if err := t.CopyOut(addr+48, b[:]); err != 0 {
		return 0, err
	}
	return r.n, 0
}

// Recvmsg implements Linux syscall recvmsg(2).
func Recvmsg(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return recvMsg(t, args.Int(0), args.Pointer(1), args.Int(2))
}

// Recvmmsg implements Linux syscall recvmmsg(2). MSG_WAITFORONE makes
// every receive after the first non-blocking; the timeout, as on Linux,
// is checked only after each message, and what is left of it is written
// back.
func Recvmmsg(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	fd, vec, flags := args.Int(0), args.Pointer(1), args.Int(3)
	vlen := min(args.Uint(2), uint32(kernel.MaxIovecs))
	var until time.Time
	if ts := args.Pointer(4); ts != 0 {
		var b [16]byte
		if err := t.CopyIn(ts, b[:]); err != 0 {
			return 0, err
		}
		sec, nsec := int64(binary.LittleEndian.Uint64(b[:])), int64(binary.LittleEndian.Uint64(b[8:]))
		if sec < 0 || nsec < 0 || nsec >= 1e9 {
			return 0, linux.EINVAL
		}
		until = time.Now().Add(time.Duration(sec)*time.Second + time.Duration(nsec))
	}
	var i uint32
	for ; i < vlen; i++ {
		a := vec + uintptr(i)*sizeofMmsghdr
		n, err := recvMsg(t, fd, a, flags)
		if err == 0 {
			err = t.CopyOut(a+sizeofMsghdr, le32(uint32(n)))
		}
		if err != 0 {
			if i == 0 {
				return 0, err
			}
			break
		}
		if flags&unix.MSG_WAITFORONE != 0 {
			flags |= unix.MSG_DONTWAIT
		}
		if !until.IsZero() && time.Now().After(until) {
			i++
			break
		}
	}
	if ts := args.Pointer(4); ts != 0 {
		// The time left goes back to the caller, as Linux does.
		left := max(time.Until(until), 0)
		var b [16]byte
		binary.LittleEndian.PutUint64(b[:], uint64(left/time.Second))
		binary.LittleEndian.PutUint64(b[8:], uint64(left%time.Second))
		if err := t.CopyOut(ts, b[:]); err != 0 && i == 0 {
			return 0, err
		}
	}
	return uintptr(i), 0
}

// putTimestamp adds SCM_TIMESTAMPNS (a struct timespec) or SCM_TIMESTAMP
// (a struct timeval).
func putTimestamp(w *netunix.ControlBuilder, ts time.Time, ns bool) {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], uint64(ts.Unix()))
	if ns {
		binary.LittleEndian.PutUint64(b[8:], uint64(ts.Nanosecond()))
		w.Put(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, b[:])
		return
	}
	binary.LittleEndian.PutUint64(b[8:], uint64(ts.Nanosecond()/1000))
	w.Put(unix.SOL_SOCKET, unix.SCM_TIMESTAMP, b[:])
}
