package inet

import (
	"net/netip"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// somaxconn is /proc/sys/net/core/somaxconn's default, listen's largest
// backlog.
const somaxconn = 4096

// Listen implements listen(2): EOPNOTSUPP for UDP, EINVAL for a
// connected socket; an unbound one gets an ephemeral port. Calling it
// again changes the backlog.
func (s *Socket) Listen(ctx vfs.Context, backlog int32) linux.Errno {
	if s.typ != unix.SOCK_STREAM {
		return linux.EOPNOTSUPP
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if (s.state != stateClosed && s.state != stateListen) || s.connecting {
		return linux.EINVAL
	}
	if limit := int32(s.stack.Sysctls().Somaxconn); backlog < 0 || backlog > limit {
		backlog = limit
	}
	s.backlog = int(backlog)
	if s.state == stateListen {
		s.changes.Broadcast()
		return 0
	}
	if err := s.autobindLocked(ctx); err != 0 {
		return err
	}
	if err := s.stack.listen(s.bound); err != 0 {
		return err
	}
	s.state = stateListen
	s.rcvShut, s.sndShut = false, false
	s.queue.Notify(vfs.EventHUp | vfs.EventWritable)
	return 0
}

// Connect implements connect(2) for TCP. A connection to a listener is
// made at once (the handshake cannot fail on loopback); a blocking
// connect waits while the listener's queue is full (within
// SO_SNDTIMEO). A non-blocking one says EINPROGRESS, as Linux always
// does for TCP, and its outcome shows in readiness and SO_ERROR:
// ECONNREFUSED without a listener.
func (s *Socket) connectStream(ctx vfs.Context, a netip.AddrPort, nonblock bool) linux.Errno {
	s.mu.Lock()
	switch {
	case s.state == stateSynSent:
		s.mu.Unlock()
		return linux.EALREADY
	case s.connecting:
		// The outcome of the non-blocking connect, reported once.
		s.connecting = false
		err := s.err
		s.err = 0
		if s.state == stateClosed {
			// Failed: the socket may connect again.
			s.rcvShut, s.sndShut = false, false
			if err == 0 {
				err = linux.ECONNABORTED
			}
		}
		s.mu.Unlock()
		return err
	case s.state == stateListen:
		s.mu.Unlock()
		return linux.EINVAL
	case s.state != stateClosed || s.peer != nil || s.sndShut:
		s.mu.Unlock()
		return linux.EISCONN
	}
	dst, src, err := s.destination(a, s.opts.v6only)
	if err == 0 && dst.Port() == 0 {
		// Linux sends the SYN to port 0 and is refused.
		err = linux.ECONNREFUSED
	}
	if err == 0 {
		err = s.autobindLocked(ctx)
	}
	if err != 0 {
		s.mu.Unlock()
		return err
	}
	local := s.sourceLocked(src)
	until := net.Deadline(s.opts.SndTimeo)
	s.mu.Unlock()
	for {
		l := s.stack.lookup(unix.SOCK_STREAM, dst, local)
		ch, err := s.join(l, local, dst)
		if ch == nil {
			if nonblock {
				return s.finishNonblocking(err)
			}
			return err
		}
		if nonblock {
			s.mu.Lock()
			s.state, s.connecting = stateSynSent, true
			s.mu.Unlock()
			go s.awaitRoom(l, ch, local, dst)
			return linux.EINPROGRESS
		}
		if err := net.Wait(ctx, ch, until); err != 0 {
			if err == linux.EAGAIN {
				return linux.EINPROGRESS
			}
			return err
		}
	}
}

// finishNonblocking records the outcome of a non-blocking connect for
// the next connect and SO_ERROR, and says EINPROGRESS.
func (s *Socket) finishNonblocking(err linux.Errno) linux.Errno {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.connecting = true
	if err != 0 {
		s.refusedLocked(err)
	}
	return linux.EINPROGRESS
}

// refusedLocked is the end of a connect that failed: the socket is
// closed both ways with err pending.
//
// Preconditions:
// - s.mu is held.
func (s *Socket) refusedLocked(err linux.Errno) {
	s.err = err
	s.rcvShut, s.sndShut = true, true
	s.changes.Broadcast()
	s.rcv.wake(allEvents)
	s.queue.Notify(allEvents)
}

// awaitRoom finishes a non-blocking connect to listener l once its
// full queue (whose change ch signals) has room, as Linux's SYN
// retransmissions do: it ends when s is closed, shut down or its
// connection made or refused.
func (s *Socket) awaitRoom(l *Socket, ch <-chan struct{}, local, dst netip.AddrPort) {
	for {
		s.mu.Lock()
		gone := s.changes.C()
		waiting := s.state == stateSynSent && !s.released
		s.mu.Unlock()
		if !waiting {
			return
		}
		select {
		case <-ch:
		case <-gone:
			continue
		}
		next, err := s.join(l, local, dst)
		if next == nil {
			if err != 0 {
				s.mu.Lock()
				if s.state == stateSynSent {
					s.state = stateClosed
					s.refusedLocked(err)
				}
				s.mu.Unlock()
			}
			return
		}
		ch = next
	}
}

// join queues a new connection from s (named local) on listener l, or
// returns a channel that is ready when l's full queue changes. The
// error is ECONNREFUSED without a listener.
func (s *Socket) join(l *Socket, local, dst netip.AddrPort) (<-chan struct{}, linux.Errno) {
	if l == nil {
		return nil, linux.ECONNREFUSED
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state != stateListen || l.released {
		return nil, linux.ECONNREFUSED
	}
	if len(l.acceptq) > l.backlog {
		return l.changes.C(), 0
	}
	server := newSocket(s.stack, l.family, unix.SOCK_STREAM, l.inode)
	server.opts = l.opts
	server.rcv.limit = server.opts.RcvBuf
	server.sockfs, server.local, server.remote = l.sockfs, dst, local
	server.mptcp = l.mptcp
	s.mu.Lock()
	defer s.mu.Unlock()
	if (s.state != stateClosed && s.state != stateSynSent) || s.released {
		return nil, linux.EISCONN
	}
	server.bound = &binding{sock: server, addr: dst.Addr(), port: dst.Port(), v6: l.family == unix.AF_INET6,
		reuseaddr: l.opts.ReuseAddr, reuseport: l.opts.reuseport, uid: l.bound.uid}
	s.stack.hold(server.bound)
	s.local, s.remote = local, dst
	s.peer, server.peer = server, s
	s.state, server.state = stateEstablished, stateEstablished
	s.multipath = s.mptcp && l.mptcp
	server.multipath = s.multipath
	s.rcv.setWriter(&server.queue)
	server.rcv.setWriter(&s.queue)
	l.acceptq = append(l.acceptq, server)
	l.changes.Broadcast()
	l.queue.Notify(vfs.EventReadable)
	s.changes.Broadcast()
	s.queue.Notify(vfs.EventWritable)
	return nil, 0
}

// Accept implements accept(2): the next connection from the queue,
// waiting for one unless nonblock (and within SO_RCVTIMEO). EINVAL if s
// is not listening, EOPNOTSUPP for UDP.
func (s *Socket) Accept(ctx vfs.Context, nonblock bool) (*Socket, linux.Errno) {
	if s.typ != unix.SOCK_STREAM {
		return nil, linux.EOPNOTSUPP
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	until := net.Deadline(s.opts.RcvTimeo)
	for {
		if s.state != stateListen {
			return nil, linux.EINVAL
		}
		if len(s.acceptq) > 0 {
			c := s.acceptq[0]
			s.acceptq[0] = nil
			s.acceptq = s.acceptq[1:]
			if len(s.acceptq) == 0 {
				s.acceptq = nil
			}
			s.changes.Broadcast()
			c.inode = net.NewInode(ctx, s.sockfs)
			return c, 0
		}
		if nonblock {
			return nil, linux.EAGAIN
		}
		ch := s.changes.C()
		s.mu.Unlock()
		err := net.Wait(ctx, ch, until)
		s.mu.Lock()
		if err != 0 {
			return nil, err
		}
	}
}
