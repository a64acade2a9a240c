package inet

import (
	"net/netip"
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// TCP states, as far as the application can tell them apart.
const (
	// stateClosed is TCP_CLOSE: a new socket, or one whose connection
	// was refused or reset. UDP sockets are closed until connected.
	stateClosed = iota
	stateListen
	stateEstablished
	// stateCloseWait: the peer shut down writing (FIN received).
	stateCloseWait
	// stateSynSent: a non-blocking connect waits for room in the
	// listener's queue (Linux retransmits the SYN the listener dropped).
	stateSynSent
)

// Socket is an AF_INET or AF_INET6 socket: the vfs.FileImpl of its open
// file.
type Socket struct {
	vfs.FileDefaults
	stack  *Stack
	family int32
	typ    int32
	// mptcp: the socket was made with IPPROTO_MPTCP (mptcp.go).
	mptcp  bool
	sockfs net.SockFS
	inode  net.Inode

	// queue tells pollers of readiness changes.
	queue vfs.Queue
	// rcv is the receive buffer.
	rcv *buffer

	// mu guards the fields below.
	mu    sync.Mutex
	state int
	// connecting is set from a non-blocking connect (EINPROGRESS) until
	// the next connect call reports how it went (Linux's SS_CONNECTING).
	connecting bool
	// bound is the socket's claim on its port, or nil. addrLocked and
	// portLocked say bind chose the address or the port (Linux's
	// SOCK_BINDADDR_LOCK, SOCK_BINDPORT_LOCK): disconnect keeps those.
	bound                  *binding
	addrLocked, portLocked bool
	// local is the name getsockname reports; remote the peer's.
	local, remote netip.AddrPort
	// peer is a TCP connection's other end.
	peer *Socket
	// rcvShut and sndShut are Linux's sk_shutdown bits.
	rcvShut, sndShut bool
	// finRcvd is SOCK_DONE: the peer shut down writing, so reads end.
	finRcvd bool
	// err is the pending error (sk_err) SO_ERROR and the next call
	// report.
	err linux.Errno
	// acceptq holds connections waiting for accept; backlog limits it.
	acceptq []*Socket
	backlog int
	// multipath: both ends of the connection asked for MPTCP.
	multipath bool
	// changes wakes callers blocked in accept and connect.
	changes  net.Changes
	opts     options
	released bool
}

// New implements socket(family, typ, protocol) for AF_INET and
// AF_INET6: SOCK_STREAM is TCP, SOCK_DGRAM UDP. Raw sockets are refused
// with EPERM whatever the caller's capabilities (the sandbox's policy,
// as gVisor's without --net-raw). ICMP datagram ("ping") sockets are
// EACCES for groups outside net.ipv4.ping_group_range (all, by
// default), as on Linux, and EPROTONOSUPPORT for the others: they are
// not implemented.
// Other protocols are EPROTONOSUPPORT and other types ESOCKTNOSUPPORT,
// as Linux answers when the protocol is not there.
func New(ctx vfs.Context, st *Stack, fs net.SockFS, family, typ, protocol int32, nonblock bool) (*vfs.FileDescription, linux.Errno) {
	switch {
	case typ == unix.SOCK_STREAM && (protocol == 0 || protocol == unix.IPPROTO_TCP || protocol == unix.IPPROTO_MPTCP):
	case typ == unix.SOCK_DGRAM && (protocol == 0 || protocol == unix.IPPROTO_UDP):
	case typ == unix.SOCK_RAW:
		return nil, linux.EPERM
	case typ == unix.SOCK_DGRAM && protocol == icmpProtocol(family):
		return nil, st.pingSocket(ctx)
	case typ == unix.SOCK_STREAM || typ == unix.SOCK_DGRAM:
		return nil, linux.EPROTONOSUPPORT
	default:
		return nil, linux.ESOCKTNOSUPPORT
	}
	s := newSocket(st, family, typ, net.NewInode(ctx, fs))
	s.sockfs = fs
	s.mptcp = protocol == unix.IPPROTO_MPTCP
	return vfs.NewFileDescription(s, vfs.VirtualDentry{}, net.OpenFlags(nonblock)), 0
}

// pingSocket is the answer to socket(..., SOCK_DGRAM, IPPROTO_ICMP).
func (st *Stack) pingSocket(ctx vfs.Context) linux.Errno {
	s := st.Sysctls()
	if g := uint32(ctx.Credentials().EffectiveKGID); g < s.PingGroupLow || g > s.PingGroupHigh {
		return linux.EACCES
	}
	return linux.EPROTONOSUPPORT
}

// icmpProtocol is the ICMP protocol of family, that of ping sockets.
func icmpProtocol(family int32) int32 {
	if family == unix.AF_INET {
		return unix.IPPROTO_ICMP
	}
	return unix.IPPROTO_ICMPV6
}

func newSocket(st *Stack, family, typ int32, inode net.Inode) *Socket {
	s := &Socket{stack: st, family: family, typ: typ, inode: inode, opts: defaultOptions(typ)}
	s.rcv = newBuffer(&s.queue, s.opts.RcvBuf)
	s.changes.Init()
	return s
}

// Type returns SOCK_STREAM or SOCK_DGRAM.
func (s *Socket) Type() int32 { return s.typ }

// Family returns AF_INET or AF_INET6.
func (s *Socket) Family() int32 { return s.family }

// IsStream implements vfs.StreamFile.IsStream.
func (*Socket) IsStream() bool { return true }

// Stat implements vfs.FileStater.Stat.
func (s *Socket) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return s.inode.Stat(), 0
}

// SetStat implements vfs.FileStater.SetStat.
func (*Socket) SetStat(vfs.Context, *vfs.SetStatOptions) linux.Errno { return linux.EPERM }

// Release implements vfs.FileImpl.Release: the socket closes. A TCP
// peer reads end of file, or gets a reset when this socket had unread
// data or SO_LINGER with a zero timeout; connections never accepted are
// reset; the port is given back.
func (s *Socket) Release() {
	s.mu.Lock()
	s.released = true
	pending := s.acceptq
	s.acceptq = nil
	// Connects waiting for room in a listener's queue find it gone.
	s.changes.Broadcast()
	s.mu.Unlock()
	for _, c := range pending {
		c.abort()
	}
	if s.typ == unix.SOCK_STREAM {
		s.closeStream()
	}
	s.mu.Lock()
	b := s.bound
	s.bound = nil
	s.mu.Unlock()
	if b != nil {
		s.stack.unbind(s.typ, b)
	}
	s.rcv.mu.Lock()
	s.rcv.clearLocked()
	s.rcv.mu.Unlock()
}

// Read implements vfs.FileImpl.Read: recv(2) without flags.
func (s *Socket) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, _ int64) (int, linux.Errno) {
	r, err := s.RecvMsg(ctx, dst, net.RecvOptions{Nonblock: fd.StatusFlags()&unix.O_NONBLOCK != 0})
	return r.N, err
}

// Write implements vfs.FileImpl.Write: send(2) without flags.
func (s *Socket) Write(ctx vfs.Context, fd *vfs.FileDescription, src []byte, _ int64) (int, linux.Errno) {
	return s.SendMsg(ctx, src, net.SendOptions{Nonblock: fd.StatusFlags()&unix.O_NONBLOCK != 0})
}

// NewFile returns a new open file of s (an accepted connection).
func NewFile(s *Socket, nonblock bool) *vfs.FileDescription {
	return vfs.NewFileDescription(s, vfs.VirtualDentry{}, net.OpenFlags(nonblock))
}

// EventRegister implements vfs.Waitable.EventRegister.
func (s *Socket) EventRegister(w *vfs.Waiter) func() {
	return s.queue.EventRegister(w)
}

// Readiness implements vfs.Waitable.Readiness, as Linux's tcp_poll and
// udp_poll decide it.
func (s *Socket) Readiness(_ vfs.Context, mask uint32) uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var r uint32
	if s.err != 0 {
		r |= vfs.EventErr
	}
	if s.rcvShut {
		r |= vfs.EventReadable | vfs.EventRdHUp
	}
	queued, msgs := s.rcv.pending()
	if s.typ == unix.SOCK_DGRAM {
		if s.rcvShut && s.sndShut {
			r |= vfs.EventHUp
		}
		if msgs > 0 {
			r |= vfs.EventReadable
		}
		return (r | vfs.EventWritable | vfs.EventWrBand) & mask
	}
	switch s.state {
	case stateListen:
		if len(s.acceptq) > 0 {
			r |= vfs.EventReadable
		}
		return r & mask
	case stateSynSent:
		return r & mask
	}
	if (s.rcvShut && s.sndShut) || s.state == stateClosed {
		r |= vfs.EventHUp
	}
	if queued > 0 && queued >= int(s.opts.rcvlowat) {
		r |= vfs.EventReadable
	}
	if s.sndShut || s.peer == nil || s.peer.writable() {
		r |= vfs.EventWritable
	}
	return r & mask
}

// writable reports whether a TCP send to s (the receiver) finds room.
func (s *Socket) writable() bool {
	s.rcv.mu.Lock()
	defer s.rcv.mu.Unlock()
	return s.rcv.roomLocked() > 0
}

// Ioctl implements vfs.FileImpl.Ioctl: FIONREAD (SIOCINQ), SIOCOUTQ,
// SIOCOUTQNSD; ENOTTY for others (the interface queries every socket
// takes are Stack.Ioctl's).
func (s *Socket) Ioctl(ctx vfs.Context, fd *vfs.FileDescription, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	var n int
	switch cmd {
	case unix.SIOCINQ:
		s.mu.Lock()
		listening := s.state == stateListen
		s.mu.Unlock()
		if listening {
			return 0, linux.EINVAL
		}
		n = s.rcv.queued()
		if s.typ == unix.SOCK_DGRAM {
			n = s.rcv.firstSize()
		}
	case unix.SIOCOUTQ, unix.SIOCOUTQNSD:
		// Sent data is in the receiver's buffer at once: nothing is
		// ever waiting to be sent or acknowledged.
		s.mu.Lock()
		listening := s.state == stateListen
		s.mu.Unlock()
		if listening && s.typ == unix.SOCK_STREAM {
			return 0, linux.EINVAL
		}
	default:
		return 0, linux.ENOTTY
	}
	return 0, mem.CopyOut(arg, net.EncodeInt(int32(n)))
}
