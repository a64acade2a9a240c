package unix

import (
	sysunix "golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// somaxconn is /proc/sys/net/core/somaxconn, listen's largest backlog.
const somaxconn = 4096

// Listen implements listen(2): EOPNOTSUPP for datagram sockets, EINVAL
// for connected or unnamed ones. A listener reports its own credentials
// as SO_PEERCRED, and gives them to the sockets that connect to it.
func (s *Socket) Listen(ctx vfs.Context, backlog int32) linux.Errno {
	if s.typ == sysunix.SOCK_DGRAM {
		return linux.EOPNOTSUPP
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == stateConnected || s.local.Unnamed() {
		return linux.EINVAL
	}
	if backlog < 0 || backlog > somaxconn {
		backlog = somaxconn
	}
	s.backlog = int(backlog)
	if s.state != stateListening {
		s.state = stateListening
		id := idOf(ctx)
		s.peerCred, s.peerGroups = id.cred, id.groups
	}
	s.rcv.mu.Lock()
	s.rcv.notifyLocked(0, vfs.EventWritable)
	s.rcv.mu.Unlock()
	return 0
}

// resolve returns the socket a names: ENOENT (or another path error) for
// a missing path, ECONNREFUSED where no socket is bound, EPROTOTYPE for
// a socket of another type.
func (s *Socket) resolve(ctx vfs.Context, fs *FS, a Address) (*Socket, linux.Errno) {
	var t *Socket
	switch {
	case a.IsAbstract:
		t = s.ns.lookupAbstract(a.Abstract)
	case a.Path != "":
		key, err := fs.find(ctx, a.Path)
		if err != 0 {
			return nil, err
		}
		t = s.ns.lookupNode(key)
	default:
		return nil, linux.EINVAL
	}
	if t == nil {
		return nil, linux.ECONNREFUSED
	}
	if t.typ != s.typ {
		return nil, linux.EPROTOTYPE
	}
	return t, 0
}

// Connect implements connect(2). A datagram socket only records its
// destination. A stream or seqpacket socket joins the listener's accept
// queue: while that queue is full it blocks (within SO_SNDTIMEO), or
// fails with EAGAIN when nonblock, as Linux does for Unix sockets.
func (s *Socket) Connect(ctx vfs.Context, fs *FS, a Address, nonblock bool) linux.Errno {
	t, err := s.resolve(ctx, fs, a)
	if err != 0 {
		return err
	}
	if s.typ == sysunix.SOCK_DGRAM {
		return s.connectDgram(t)
	}
	s.mu.Lock()
	switch s.state {
	case stateListening:
		s.mu.Unlock()
		return linux.EINVAL
	case stateConnected:
		s.mu.Unlock()
		return linux.EISCONN
	}
	if err := s.autobindLocked(); err != 0 {
		s.mu.Unlock()
		return err
	}
	until := net.Deadline(s.opts.SndTimeo)
	s.mu.Unlock()
	for {
		ch, err := s.tryConnect(ctx, t)
		if err != 0 || ch == nil {
			return err
		}
		if nonblock {
			return linux.EAGAIN
		}
		if err := net.Wait(ctx, ch, until); err != 0 {
			return err
		}
	}
}

// tryConnect queues a new connection on listener t, or returns a channel
// that is ready when t's full accept queue changes.
func (s *Socket) tryConnect(ctx vfs.Context, t *Socket) (<-chan struct{}, linux.Errno) {
	s.ns.connMu.Lock()
	defer s.ns.connMu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.released || t.state != stateListening || t.shutRd {
		return nil, linux.ECONNREFUSED
	}
	t.rcv.mu.Lock()
	full, ch := len(t.rcv.msgs) > t.backlog, t.rcv.changed
	t.rcv.mu.Unlock()
	if full {
		return ch, 0
	}
	s.mu.Lock()
	switch s.state {
	case stateListening:
		s.mu.Unlock()
		return nil, linux.EINVAL
	case stateConnected:
		s.mu.Unlock()
		return nil, linux.EISCONN
	}
	server := newSocket(ctx, t.ns, t.typ)
	server.local = t.local
	link(s, server, s.local, t.local, idOf(ctx), peerID{t.peerCred, t.peerGroups})
	s.mu.Unlock()
	t.rcv.mu.Lock()
	t.rcv.pushLocked(&message{conn: server})
	t.rcv.mu.Unlock()
	s.queue.Notify(vfs.EventWritable)
	return nil, 0
}

// connectDgram makes t the default destination of datagram socket s;
// EPERM if t is connected to another socket.
func (s *Socket) connectDgram(t *Socket) linux.Errno {
	if !t.mayReceiveFrom(s) {
		return linux.EPERM
	}
	t.mu.Lock()
	name := t.local
	t.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.autobindLocked(); err != 0 {
		return err
	}
	s.setDgramPeerLocked(t, name)
	s.queue.Notify(vfs.EventWritable)
	return 0
}

// setDgramPeerLocked makes t (nil: none) the destination of datagram
// socket s. While connected, room made in t's queue is passed on to s's
// pollers, so that epoll instances registered with s at any time hear of
// it.
//
// Preconditions:
// - s.mu is held.
func (s *Socket) setDgramPeerLocked(t *Socket, name Address) {
	if s.unforward != nil {
		s.unforward()
		s.unforward = nil
	}
	s.peer, s.peerAddr, s.state = t, name, stateConnected
	if t == nil {
		s.state = stateUnconnected
		return
	}
	q := &s.queue
	s.unforward = t.rcv.space.EventRegister(vfs.NewWaiter(vfs.EventWritable, func(ev uint32) {
		q.Notify(ev)
	}))
}

// Disconnect implements connect(2) with AF_UNSPEC: a datagram socket
// forgets its destination; other types refuse (EINVAL).
func (s *Socket) Disconnect() linux.Errno {
	if s.typ != sysunix.SOCK_DGRAM {
		return linux.EINVAL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setDgramPeerLocked(nil, Address{})
	return 0
}

// mayReceiveFrom reports whether datagram socket t accepts datagrams
// from s: a connected datagram socket only hears its peer.
func (t *Socket) mayReceiveFrom(s *Socket) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.peer == nil || t.peer == s
}

// Accept implements accept(2): the next connection from the accept
// queue, waiting for one unless nonblock. EINVAL if s is not listening,
// EOPNOTSUPP for datagram sockets. The new socket inherits SO_PASSCRED.
func (s *Socket) Accept(ctx vfs.Context, nonblock bool) (*Socket, linux.Errno) {
	if s.typ == sysunix.SOCK_DGRAM {
		return nil, linux.EOPNOTSUPP
	}
	s.mu.Lock()
	listening, passcred, until := s.state == stateListening, s.opts.passcred, net.Deadline(s.opts.RcvTimeo)
	s.mu.Unlock()
	if !listening {
		return nil, linux.EINVAL
	}
	for {
		s.rcv.mu.Lock()
		if len(s.rcv.msgs) > 0 {
			m := s.rcv.popLocked()
			s.rcv.mu.Unlock()
			c := ctx.Credentials()
			m.conn.mu.Lock()
			m.conn.opts.passcred = passcred
			// The new socket's inode belongs to the accepting process,
			// as Linux allocates it in accept.
			m.conn.inode.UID, m.conn.inode.GID = uint32(c.EffectiveKUID), uint32(c.EffectiveKGID)
			m.conn.mu.Unlock()
			return m.conn, 0
		}
		ch, shut := s.rcv.changed, s.rcv.readShut
		s.rcv.mu.Unlock()
		if nonblock {
			return nil, linux.EAGAIN
		}
		if shut {
			// shutdown(2) of a listener ends blocking accepts.
			return nil, linux.EINVAL
		}
		if err := net.Wait(ctx, ch, until); err != 0 {
			return nil, err
		}
	}
}

// Shutdown implements shutdown(2) with SHUT_RD, SHUT_WR or SHUT_RDWR.
// For stream and seqpacket sockets the peer sees the mirror image: it
// reads end of file after our SHUT_WR and gets EPIPE writing after our
// SHUT_RD.
func (s *Socket) Shutdown(how int32) linux.Errno {
	if how < sysunix.SHUT_RD || how > sysunix.SHUT_RDWR {
		return linux.EINVAL
	}
	rd, wr := how != sysunix.SHUT_WR, how != sysunix.SHUT_RD
	s.mu.Lock()
	s.shutRd = s.shutRd || rd
	s.shutWr = s.shutWr || wr
	peer := s.peer
	if s.typ == sysunix.SOCK_DGRAM {
		peer = nil
	}
	s.mu.Unlock()
	if rd {
		s.rcv.shutRead(false)
	}
	if peer != nil {
		if wr {
			peer.rcv.shutWrite(false)
		}
		peer.mu.Lock()
		peer.shutRd = peer.shutRd || wr
		peer.shutWr = peer.shutWr || rd
		peer.mu.Unlock()
	}
	s.queue.Notify(vfs.EventHUp | vfs.EventRdHUp | vfs.EventWritable | vfs.EventReadable)
	return 0
}
