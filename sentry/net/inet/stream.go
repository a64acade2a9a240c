package inet

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// allEvents is what a change of connection state may change.
const allEvents = vfs.EventReadable | vfs.EventWritable | vfs.EventErr | vfs.EventHUp | vfs.EventRdHUp

// sendStream implements send for TCP: it queues data in the peer's
// receive buffer as room allows, blocking (within SO_SNDTIMEO) unless
// non-blocking. Errors are Linux's: the pending error first, EPIPE once
// shut down for writing or never connected.
func (s *Socket) sendStream(ctx vfs.Context, data []byte, o net.SendOptions) (int, linux.Errno) {
	s.mu.Lock()
	until := net.Deadline(s.opts.SndTimeo)
	s.mu.Unlock()
	done := 0
	for {
		s.mu.Lock()
		if err := s.err; err != 0 {
			s.err = 0
			s.mu.Unlock()
			return result(done, err)
		}
		if s.state == stateSynSent && !s.sndShut {
			// Wait for the connection, as Linux's
			// sk_stream_wait_connect does.
			ch := s.changes.C()
			s.mu.Unlock()
			if o.Nonblock {
				return result(done, linux.EAGAIN)
			}
			if err := net.Wait(ctx, ch, until); err != 0 {
				return result(done, err)
			}
			continue
		}
		if s.sndShut || (s.state != stateEstablished && s.state != stateCloseWait) {
			s.mu.Unlock()
			return result(done, linux.EPIPE)
		}
		peer := s.peer
		if peer == nil {
			// The peer closed: it answers with a reset, which the
			// next call reports.
			s.resetLocked()
			s.mu.Unlock()
			return len(data), 0
		}
		s.mu.Unlock()
		b := peer.rcv
		b.mu.Lock()
		if n := min(b.roomLocked(), len(data)-done); n > 0 {
			b.appendLocked(data[done : done+n])
			done += n
			s.stack.lo.count(n)
		}
		ch := b.changes.C()
		b.mu.Unlock()
		if done == len(data) {
			return done, 0
		}
		if o.Nonblock {
			return result(done, linux.EAGAIN)
		}
		if err := net.Wait(ctx, ch, until); err != 0 {
			return result(done, err)
		}
	}
}

// result is a partial count if anything was done, else err.
func result(done int, err linux.Errno) (int, linux.Errno) {
	if done > 0 {
		return done, 0
	}
	return 0, err
}

// recvStream implements recv for TCP, as Linux's tcp_recvmsg orders
// its checks: queued data first, then end of file after a FIN, the
// pending error, the reading side shut down, ENOTCONN when closed.
func (s *Socket) recvStream(ctx vfs.Context, dst []byte, o net.RecvOptions) (net.RecvResult, linux.Errno) {
	s.mu.Lock()
	until := net.Deadline(s.opts.RcvTimeo)
	target := min(int(s.opts.rcvlowat), len(dst))
	if o.WaitAll {
		target = len(dst)
	}
	listening := s.state == stateListen
	s.mu.Unlock()
	if listening {
		return net.RecvResult{}, linux.ENOTCONN
	}
	n := 0
	for {
		s.mu.Lock()
		b := s.rcv
		b.mu.Lock()
		if o.Peek {
			n = b.readStreamLocked(dst, true)
		} else {
			n += b.readStreamLocked(dst[n:], false)
		}
		ch := b.changes.C()
		b.mu.Unlock()
		var err linux.Errno
		stop := n >= target
		switch {
		case stop:
		case n > 0:
			stop = s.err != 0 || s.state == stateClosed || s.rcvShut || o.Nonblock
		case s.finRcvd:
			stop = true
		case s.err != 0:
			err, s.err, stop = s.err, 0, true
		case s.rcvShut:
			stop = true
		case s.state == stateClosed:
			err, stop = linux.ENOTCONN, true
		case o.Nonblock:
			err, stop = linux.EAGAIN, true
		}
		s.mu.Unlock()
		if stop {
			return net.RecvResult{N: n}, err
		}
		if err := net.Wait(ctx, ch, until); err != 0 {
			return result2(n, err)
		}
	}
}

func result2(n int, err linux.Errno) (net.RecvResult, linux.Errno) {
	if n > 0 {
		return net.RecvResult{N: n}, 0
	}
	return net.RecvResult{}, err
}

// resetLocked is a reset received: the pending error is EPIPE after a
// FIN, else ECONNRESET; the connection is closed both ways.
//
// Preconditions:
// - s.mu is held.
func (s *Socket) resetLocked() {
	if s.state == stateCloseWait {
		s.err = linux.EPIPE
	} else {
		s.err = linux.ECONNRESET
	}
	s.state = stateClosed
	s.rcvShut, s.sndShut = true, true
	s.peer = nil
	s.queue.Notify(allEvents)
	s.rcv.wake(allEvents)
}

// finLocked is a FIN received: reads end after the queued data. gone
// says the peer closed (so it will answer what s sends with a reset).
//
// Preconditions:
// - s.mu is held.
func (s *Socket) finLocked(gone bool) {
	s.finRcvd, s.rcvShut = true, true
	if s.state == stateEstablished {
		s.state = stateCloseWait
	}
	if gone {
		s.peer = nil
	}
	s.rcv.wake(vfs.EventReadable | vfs.EventRdHUp)
}

// closeStream is the close of a TCP socket: a listener resets the
// connections it never accepted (Release does that), a connected
// socket sends its peer a FIN, or a reset when data it received was
// never read or SO_LINGER is on with a zero timeout.
func (s *Socket) closeStream() {
	s.mu.Lock()
	peer := s.peer
	s.peer = nil
	if s.state == stateListen {
		s.stack.setListening(s.bound, false)
	}
	s.state = stateClosed
	s.rcv.mu.Lock()
	unread := s.rcv.size > 0
	s.rcv.mu.Unlock()
	reset := unread || (s.opts.Linger.On && s.opts.Linger.Secs == 0)
	s.mu.Unlock()
	if peer == nil {
		return
	}
	peer.mu.Lock()
	defer peer.mu.Unlock()
	if peer.peer != s {
		return
	}
	if reset {
		peer.resetLocked()
	} else {
		peer.finLocked(true)
	}
}

// abort resets an accepted connection nobody accepted (its listener
// closed or shut down).
func (s *Socket) abort() {
	s.mu.Lock()
	s.opts.Linger = net.Linger{On: true}
	s.mu.Unlock()
	s.Release()
}

// Shutdown implements shutdown(2). For TCP, SHUT_WR sends the peer a
// FIN; SHUT_RD only ends this socket's reads (Linux does not tell the
// peer); a listener shut down for reading stops listening and resets
// its queue. An unconnected socket is ENOTCONN but still marked, as
// on Linux.
func (s *Socket) Shutdown(how int32) linux.Errno {
	if how < unix.SHUT_RD || how > unix.SHUT_RDWR {
		return linux.EINVAL
	}
	rd, wr := how != unix.SHUT_WR, how != unix.SHUT_RD
	s.mu.Lock()
	var err linux.Errno
	var pending []*Socket
	switch {
	case s.state == stateListen:
		if rd {
			s.stack.setListening(s.bound, false)
			s.state = stateClosed
			pending, s.acceptq = s.acceptq, nil
			s.changes.Broadcast()
		}
		s.mu.Unlock()
		for _, c := range pending {
			c.abort()
		}
		s.queue.Notify(allEvents)
		return 0
	case s.state == stateSynSent:
		// A connect still waiting is abandoned; the socket is new
		// again (Linux's tcp_disconnect).
		s.state, s.connecting = stateClosed, false
		s.changes.Broadcast()
		s.mu.Unlock()
		s.queue.Notify(allEvents)
		return 0
	case s.state == stateClosed && !(s.typ == unix.SOCK_DGRAM && s.remote.IsValid()):
		err = linux.ENOTCONN
	}
	s.rcvShut = s.rcvShut || rd
	finPeer := wr && !s.sndShut && s.typ == unix.SOCK_STREAM
	s.sndShut = s.sndShut || wr
	peer := s.peer
	s.mu.Unlock()
	s.rcv.wake(allEvents)
	s.queue.Notify(allEvents)
	if finPeer && peer != nil {
		peer.mu.Lock()
		if peer.peer == s {
			peer.finLocked(false)
		}
		peer.mu.Unlock()
	}
	return err
}

// SendMsg implements send(2), sendto(2) and sendmsg(2). EPIPE on a TCP
// socket raises SIGPIPE unless MSG_NOSIGNAL.
func (s *Socket) SendMsg(ctx vfs.Context, data []byte, o net.SendOptions) (int, linux.Errno) {
	if s.typ == unix.SOCK_DGRAM {
		return s.sendDgram(ctx, data, o)
	}
	n, err := s.sendStream(ctx, data, o)
	if err == linux.EPIPE && !o.NoSignal {
		net.SigPipe(ctx)
	}
	return n, err
}

// RecvMsg implements recv(2), recvfrom(2) and recvmsg(2).
func (s *Socket) RecvMsg(ctx vfs.Context, dst []byte, o net.RecvOptions) (net.RecvResult, linux.Errno) {
	if s.typ == unix.SOCK_DGRAM {
		return s.recvDgram(ctx, dst, o)
	}
	return s.recvStream(ctx, dst, o)
}

// Connect implements connect(2). AF_UNSPEC dissolves a UDP socket's
// association (a TCP socket's connection, if any, is reset).
func (s *Socket) Connect(ctx vfs.Context, b []byte, nonblock bool) linux.Errno {
	if len(b) >= 2 && b[0] == unix.AF_UNSPEC && b[1] == 0 {
		return s.disconnect()
	}
	a, err := s.parse(b, false, s.typ == unix.SOCK_DGRAM)
	if err != 0 {
		return err
	}
	if isMapped(s.family, b) || (s.family == unix.AF_INET6 && a.Addr().Is4()) {
		s.mu.Lock()
		v6only := s.opts.v6only
		s.mu.Unlock()
		if v6only {
			return linux.ENETUNREACH
		}
	}
	if s.typ == unix.SOCK_DGRAM {
		return s.connectDgram(ctx, a)
	}
	return s.connectStream(ctx, a, nonblock)
}
