package netlink

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// SendMsg implements send(2), sendto(2) and sendmsg(2): every request
// in data is answered at once, the answers queued as one datagram.
// Messages to other sockets (a nonzero port ID or groups) are not
// supported: ECONNREFUSED, as for a port nobody holds.
func (s *Socket) SendMsg(ctx vfs.Context, data []byte, o net.SendOptions) (int, linux.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pid, groups := s.dstPID, s.dstGroups
	if o.To != nil {
		var err linux.Errno
		if pid, groups, err = parse(o.To); err != 0 {
			return 0, err
		}
	}
	if pid != 0 || groups != 0 {
		return 0, linux.ECONNREFUSED
	}
	if err := s.autobindLocked(ctx); err != 0 {
		return 0, err
	}
	admin := net.HasCap(ctx, net.CapNetAdmin)
	var w writer
	for b := data; len(b) >= sizeofNlmsghdr; {
		h := decodeHeader(b)
		if int(h.Len) < sizeofNlmsghdr || int(h.Len) > len(b) {
			break
		}
		raw := b[:h.Len]
		b = b[min(align(int(h.Len)), len(b)):]
		// Answers carry the request's sequence number and the
		// socket's port ID.
		h.PID = s.portID
		var err linux.Errno
		answered := len(w.buf)
		if h.Flags&flagRequest != 0 && h.Type >= nlmsgMinType {
			if err = route(s.stack, &w, h, raw[sizeofNlmsghdr:], admin); err != 0 {
				w.buf = w.buf[:answered]
			}
		}
		if err != 0 || h.Flags&flagAck != 0 {
			putError(&w, h, raw, err, s.opts.flags[unix.NETLINK_CAP_ACK])
		}
	}
	if len(w.buf) > 0 {
		s.queueLocked(w.buf)
	}
	return len(data), 0
}

// queueLocked queues an answer, or drops it with ENOBUFS pending when
// the receive buffer is full (Linux's netlink_overrun).
//
// Preconditions:
// - s.mu is held.
func (s *Socket) queueLocked(m []byte) {
	if s.size+len(m) > s.opts.RcvBuf && len(s.msgs) > 0 {
		if !s.opts.flags[unix.NETLINK_NO_ENOBUFS] {
			s.err = linux.ENOBUFS
			s.queue.Notify(vfs.EventErr)
		}
		return
	}
	s.msgs = append(s.msgs, m)
	s.size += len(m)
	s.changes.Broadcast()
	s.queue.Notify(vfs.EventReadable)
}

// RecvMsg implements recv(2), recvfrom(2) and recvmsg(2): the next
// answer, whole or truncated, from the kernel (port ID 0).
func (s *Socket) RecvMsg(ctx vfs.Context, dst []byte, o net.RecvOptions) (net.RecvResult, linux.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	until := net.Deadline(s.opts.RcvTimeo)
	for {
		if err := s.err; err != 0 {
			s.err = 0
			return net.RecvResult{}, err
		}
		if len(s.msgs) > 0 {
			m := s.msgs[0]
			if !o.Peek {
				s.msgs = s.msgs[1:]
				s.size -= len(m)
			}
			n := copy(dst, m)
			r := net.RecvResult{N: n, Truncated: n < len(m), From: encode(0, 0)}
			if o.Trunc {
				r.N = len(m)
			}
			return r, 0
		}
		if o.Nonblock {
			return net.RecvResult{}, linux.EAGAIN
		}
		ch := s.changes.C()
		s.mu.Unlock()
		err := net.Wait(ctx, ch, until)
		s.mu.Lock()
		if err != 0 {
			return net.RecvResult{}, err
		}
	}
}
