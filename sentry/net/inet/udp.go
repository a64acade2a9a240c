package inet

import (
	"encoding/binary"
	"net/netip"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// Largest UDP payloads: 65535 less the IPv4 and UDP headers, and less
// the UDP header for IPv6 (whose payload length excludes its header).
const (
	maxUDP4 = 65507
	maxUDP6 = 65527
	// dgramOverhead is what a queued datagram costs beyond its data
	// against the receiver's SO_RCVBUF, so that empty datagrams fill a
	// queue too (Linux counts the whole packet buffer).
	dgramOverhead = 256
)

// connectDgram implements connect(2) for UDP: the peer becomes the
// default destination and the only sender heard. An unbound socket is
// bound, and a wildcard name becomes the route's source address, as
// Linux's ip4_datagram_connect does.
func (s *Socket) connectDgram(ctx vfs.Context, a netip.AddrPort) linux.Errno {
	s.mu.Lock()
	defer s.mu.Unlock()
	dst, src, err := s.destination(a, s.opts.v6only)
	if err != 0 {
		return err
	}
	if err := s.autobindLocked(ctx); err != 0 {
		return err
	}
	if s.local.Addr().IsUnspecified() {
		s.local = netip.AddrPortFrom(src, s.local.Port())
		s.stack.rebind(s.bound, src)
	}
	s.remote = dst
	s.state = stateEstablished
	s.stack.setPeer(s.bound, dst)
	return 0
}

// disconnect implements connect(2) with AF_UNSPEC: a UDP socket drops
// its peer and a name it did not choose itself (an ephemeral port, a
// source address), as Linux's __udp_disconnect does; a TCP connection
// is reset.
func (s *Socket) disconnect() linux.Errno {
	if s.typ == unix.SOCK_STREAM {
		s.mu.Lock()
		if s.state == stateListen {
			s.mu.Unlock()
			return s.Shutdown(unix.SHUT_RDWR)
		}
		s.opts.Linger = net.Linger{On: true}
		s.mu.Unlock()
		s.closeStream()
		s.mu.Lock()
		s.rcvShut, s.sndShut, s.finRcvd, s.connecting = false, false, false, false
		s.remote = netip.AddrPort{}
		s.mu.Unlock()
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remote = netip.AddrPort{}
	s.state = stateClosed
	if s.bound == nil {
		return 0
	}
	s.stack.setPeer(s.bound, netip.AddrPort{})
	if !s.addrLocked {
		s.local = netip.AddrPortFrom(anyAddr(s.family), s.local.Port())
		s.stack.rebind(s.bound, s.local.Addr())
	}
	if !s.portLocked {
		s.stack.unbind(s.typ, s.bound)
		s.bound = nil
		s.local = netip.AddrPort{}
	}
	return 0
}

// sendDgram implements send for UDP: the datagram goes to the socket
// bound to its destination at once, or is dropped when that socket's
// queue is full. Without any, a connected sender learns ECONNREFUSED
// (Linux's ICMP port unreachable) from its next call.
func (s *Socket) sendDgram(ctx vfs.Context, data []byte, o net.SendOptions) (int, linux.Errno) {
	s.mu.Lock()
	if err := s.err; err != 0 {
		s.err = 0
		s.mu.Unlock()
		return 0, err
	}
	if s.sndShut {
		s.mu.Unlock()
		return 0, linux.EPIPE
	}
	dst := s.remote
	if o.To != nil && !(s.family == unix.AF_INET6 && len(o.To) >= 2 && binary.LittleEndian.Uint16(o.To) == unix.AF_UNSPEC) {
		a, err := s.parse(o.To, true, true)
		if err == 0 && a.Port() == 0 {
			err = linux.EINVAL
		}
		if err != 0 {
			s.mu.Unlock()
			return 0, err
		}
		dst = a
	}
	if !dst.IsValid() {
		s.mu.Unlock()
		return 0, linux.EDESTADDRREQ
	}
	if len(data) > maxUDP6 || (dst.Addr().Is4() && len(data) > maxUDP4) {
		s.mu.Unlock()
		return 0, linux.EMSGSIZE
	}
	to, src, err := s.destination(dst, s.opts.v6only)
	if err == 0 {
		err = s.autobindLocked(ctx)
	}
	if err != 0 {
		s.mu.Unlock()
		return 0, err
	}
	from := s.sourceLocked(src)
	toPeer := to == s.remote
	s.mu.Unlock()
	t := s.stack.lookup(unix.SOCK_DGRAM, to, from)
	if t == nil {
		if toPeer {
			s.mu.Lock()
			s.err = linux.ECONNREFUSED
			s.mu.Unlock()
			s.queue.Notify(vfs.EventErr)
			s.rcv.wake(0)
		}
		return len(data), 0
	}
	if t.deliver(data, from) {
		s.stack.lo.count(len(data))
	}
	return len(data), 0
}

// deliver queues a datagram from from, or drops it when t's queue is
// full (SO_RCVBUF), as Linux does; it reports whether it queued it. A socket shut down for reading
// still queues, as on Linux.
func (t *Socket) deliver(data []byte, from netip.AddrPort) bool {
	b := t.rcv
	b.mu.Lock()
	defer b.mu.Unlock()
	cost := len(data) + dgramOverhead
	if b.size+len(b.msgs)*dgramOverhead+cost > b.limit && len(b.msgs) > 0 {
		return false
	}
	b.pushLocked(dgram{data: append([]byte(nil), data...), from: from})
	return true
}

// recvDgram implements recv for UDP: the pending error first (as
// Linux's __skb_recv_udp checks it), then the next datagram, whole or
// truncated.
func (s *Socket) recvDgram(ctx vfs.Context, dst []byte, o net.RecvOptions) (net.RecvResult, linux.Errno) {
	s.mu.Lock()
	until := net.Deadline(s.opts.RcvTimeo)
	s.mu.Unlock()
	for {
		s.mu.Lock()
		if err := s.err; err != 0 {
			s.err = 0
			s.mu.Unlock()
			return net.RecvResult{}, err
		}
		shut := s.rcvShut
		b := s.rcv
		b.mu.Lock()
		if len(b.msgs) > 0 {
			d := b.msgs[0]
			if !o.Peek {
				b.popLocked()
			}
			b.mu.Unlock()
			s.mu.Unlock()
			n := copy(dst, d.data)
			r := net.RecvResult{N: n, Truncated: n < len(d.data), From: encodeAddr(s.family, d.from)}
			if o.Trunc {
				r.N = len(d.data)
			}
			return r, 0
		}
		ch := b.changes.C()
		b.mu.Unlock()
		s.mu.Unlock()
		switch {
		case o.Nonblock:
			return net.RecvResult{}, linux.EAGAIN
		case shut:
			return net.RecvResult{}, 0
		}
		if err := net.Wait(ctx, ch, until); err != 0 {
			return net.RecvResult{}, err
		}
	}
}

// MaxRecord returns the largest datagram s may send whole (0 for TCP,
// which sends a stream).
func (s *Socket) MaxRecord() int {
	if s.typ == unix.SOCK_STREAM {
		return 0
	}
	return maxUDP6
}
