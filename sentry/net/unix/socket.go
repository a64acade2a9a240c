package unix

import (
	"sync"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// Socket states.
const (
	stateUnconnected = iota
	stateListening
	stateConnected
)

// Socket is a Unix domain socket: the vfs.FileImpl of its open file.
type Socket struct {
	vfs.FileDefaults
	ns  *Namespace
	typ int32
	// inode is what fstat reports; its owner is set before the socket
	// has a file and never changes after.
	inode net.Inode

	// queue tells pollers of readiness changes.
	queue vfs.Queue
	// rcv is the receive buffer (the accept queue of a listener).
	rcv *buffer

	// mu guards the fields below.
	mu    sync.Mutex
	state int
	// local is the bound name; localKey its node for a path name.
	local    Address
	localKey nodeKey
	// peer is the connected socket (a datagram socket's default
	// destination); peerAddr its name when the connection was made.
	peer     *Socket
	peerAddr Address
	// backlog is listen's limit on connections waiting for accept.
	backlog int
	shutRd  bool
	shutWr  bool
	// err is the pending error SO_ERROR reports.
	err linux.Errno
	// peerCred is SO_PEERCRED; peerGroups is SO_PEERGROUPS (nil
	// without a peer).
	peerCred   Cred
	peerGroups []uint32
	opts       options
	released   bool
	// unforward stops passing a datagram peer's room notifications on
	// to s's pollers (see setDgramPeerLocked).
	unforward func()
}

// checkType validates socket's type and protocol as Linux's unix_create
// does: EPROTONOSUPPORT for a protocol other than 0 (or PF_UNIX), then
// ESOCKTNOSUPPORT for a type other than SOCK_STREAM, SOCK_DGRAM and
// SOCK_SEQPACKET; SOCK_RAW is taken as SOCK_DGRAM.
func checkType(typ, protocol int32) (int32, linux.Errno) {
	if protocol != 0 && protocol != sysunix.PF_UNIX {
		return 0, linux.EPROTONOSUPPORT
	}
	switch typ {
	case sysunix.SOCK_STREAM, sysunix.SOCK_DGRAM, sysunix.SOCK_SEQPACKET:
		return typ, 0
	case sysunix.SOCK_RAW:
		return sysunix.SOCK_DGRAM, 0
	}
	return 0, linux.ESOCKTNOSUPPORT
}

// newSocket returns an unconnected socket.
func newSocket(ctx vfs.Context, ns *Namespace, typ int32) *Socket {
	s := &Socket{
		ns: ns, typ: typ, inode: net.NewInode(ctx, ns),
		peerCred: noCred, opts: defaultOptions(),
	}
	s.rcv = newBuffer(&s.queue)
	return s
}

// New implements socket(AF_UNIX, typ, 0): EPROTONOSUPPORT for a protocol
// other than 0, ESOCKTNOSUPPORT for an unknown type.
func New(ctx vfs.Context, ns *Namespace, typ, protocol int32, nonblock bool) (*vfs.FileDescription, linux.Errno) {
	typ, err := checkType(typ, protocol)
	if err != 0 {
		return nil, err
	}
	return vfs.NewFileDescription(newSocket(ctx, ns, typ), vfs.VirtualDentry{}, net.OpenFlags(nonblock)), 0
}

// Pair implements socketpair(AF_UNIX, typ, 0): two connected sockets.
func Pair(ctx vfs.Context, ns *Namespace, typ, protocol int32, nonblock bool) (a, b *vfs.FileDescription, err linux.Errno) {
	typ, err = checkType(typ, protocol)
	if err != 0 {
		return nil, nil, err
	}
	x, y := newSocket(ctx, ns, typ), newSocket(ctx, ns, typ)
	id := idOf(ctx)
	link(x, y, Address{}, Address{}, id, id)
	if typ == sysunix.SOCK_DGRAM {
		for _, p := range [][2]*Socket{{x, y}, {y, x}} {
			p[0].mu.Lock()
			p[0].setDgramPeerLocked(p[1], Address{})
			p[0].mu.Unlock()
		}
	}
	return vfs.NewFileDescription(x, vfs.VirtualDentry{}, net.OpenFlags(nonblock)),
		vfs.NewFileDescription(y, vfs.VirtualDentry{}, net.OpenFlags(nonblock)), 0
}

// peerID is what a socket reports of its peer's process: SO_PEERCRED
// and SO_PEERGROUPS.
type peerID struct {
	cred   Cred
	groups []uint32
}

// idOf returns the caller's identity as its peer will see it.
func idOf(ctx vfs.Context) peerID {
	extra := ctx.Credentials().ExtraKGIDs
	groups := make([]uint32, len(extra))
	for i, g := range extra {
		groups[i] = uint32(g)
	}
	return peerID{cred: credOf(ctx, true), groups: groups}
}

// link connects x and y, each named as the other sees it; xID is what
// y reports as SO_PEERCRED and SO_PEERGROUPS, and yID what x reports.
//
// Preconditions:
// - Nothing else can reach x or y yet, or both x.mu and y.mu are held.
func link(x, y *Socket, xName, yName Address, xID, yID peerID) {
	x.peer, y.peer = y, x
	x.peerAddr, y.peerAddr = yName, xName
	x.peerCred, y.peerCred = yID.cred, xID.cred
	x.peerGroups, y.peerGroups = yID.groups, xID.groups
	x.state, y.state = stateConnected, stateConnected
	if x.typ != sysunix.SOCK_DGRAM {
		x.rcv.setWriter(&y.queue)
		y.rcv.setWriter(&x.queue)
	}
}

// Type returns SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET.
func (s *Socket) Type() int32 { return s.typ }

// IsStream implements vfs.StreamFile.IsStream.
func (*Socket) IsStream() bool { return true }

// Release implements vfs.FileImpl.Release: the socket closes. Its peer
// sees end of file, or ECONNRESET if data sent to this socket was never
// read; queued messages and their passed files are dropped.
func (s *Socket) Release() { s.close(false) }

// releaseEmbryo closes the server end of a connection that was never
// accepted: its client sees ECONNRESET.
func (s *Socket) releaseEmbryo() { s.close(true) }

func (s *Socket) close(embryo bool) {
	s.mu.Lock()
	s.released = true
	peer, local, key := s.peer, s.local, s.localKey
	if s.unforward != nil {
		s.unforward()
		s.unforward = nil
	}
	s.mu.Unlock()
	s.ns.unbind(s, local, key)
	dropped := s.rcv.shutRead(true)
	if peer != nil && s.typ != sysunix.SOCK_DGRAM {
		peer.rcv.shutWrite(embryo || len(dropped) > 0)
		peer.mu.Lock()
		peer.shutRd, peer.shutWr = true, true
		peer.mu.Unlock()
	}
	for _, m := range dropped {
		m.release()
	}
}

// Read implements vfs.FileImpl.Read: recv(2) without flags.
func (s *Socket) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, _ int64) (int, linux.Errno) {
	r, err := s.RecvMsg(ctx, dst, RecvOptions{Nonblock: fd.StatusFlags()&sysunix.O_NONBLOCK != 0})
	r.Control.Release()
	return r.N, err
}

// Write implements vfs.FileImpl.Write: send(2) without flags.
func (s *Socket) Write(ctx vfs.Context, fd *vfs.FileDescription, src []byte, _ int64) (int, linux.Errno) {
	return s.SendMsg(ctx, src, SendOptions{Nonblock: fd.StatusFlags()&sysunix.O_NONBLOCK != 0})
}

// Ioctl implements vfs.FileImpl.Ioctl: FIONREAD (SIOCINQ: the bytes
// queued, or a datagram socket's next datagram) and SIOCOUTQ.
func (s *Socket) Ioctl(ctx vfs.Context, fd *vfs.FileDescription, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	var n int
	switch cmd {
	case sysunix.SIOCINQ:
		s.mu.Lock()
		listening := s.state == stateListening
		s.mu.Unlock()
		if listening {
			return 0, linux.EINVAL
		}
		s.rcv.mu.Lock()
		if s.typ != sysunix.SOCK_DGRAM {
			n = s.rcv.size
		} else if len(s.rcv.msgs) > 0 {
			n = len(s.rcv.msgs[0].data)
		}
		s.rcv.mu.Unlock()
	case sysunix.SIOCOUTQ:
		if p := s.connectedPeer(); p != nil && s.typ != sysunix.SOCK_DGRAM {
			n, _ = p.rcv.pending()
		}
	default:
		return 0, linux.ENOTTY
	}
	b := []byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}
	return 0, mem.CopyOut(arg, b)
}

// connectedPeer returns the peer, or nil.
func (s *Socket) connectedPeer() *Socket {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peer
}

// Stat implements vfs.FileStater.Stat: a socket inode of sockfs.
func (s *Socket) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return s.inode.Stat(), 0
}

// SetStat implements vfs.FileStater.SetStat.
func (*Socket) SetStat(vfs.Context, *vfs.SetStatOptions) linux.Errno { return linux.EPERM }

// NewFile returns a new open file of s (an accepted connection).
func NewFile(s *Socket, nonblock bool) *vfs.FileDescription {
	return vfs.NewFileDescription(s, vfs.VirtualDentry{}, net.OpenFlags(nonblock))
}
