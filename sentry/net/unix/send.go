package unix

import (
	"time"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// maxDgramQueue is /proc/sys/net/unix/max_dgram_qlen: a datagram
// receiver's queue is full when it holds more messages than this.
const maxDgramQueue = 10

// SendOptions are the arguments of one send beyond its data.
type SendOptions struct {
	// Nonblock: O_NONBLOCK or MSG_DONTWAIT.
	Nonblock bool
	// NoSignal is MSG_NOSIGNAL: EPIPE without SIGPIPE.
	NoSignal bool
	// To is sendto's destination, or nil; FS resolves a path name.
	To *Address
	FS *FS
	// Control goes with the first byte sent; SendMsg takes its
	// references (it drops them if nothing carries them).
	Control Control
}

// SendMsg implements send(2), sendto(2) and sendmsg(2). A stream send
// blocks until all of data is queued and returns a short count only when
// interrupted, timed out (SO_SNDTIMEO) or non-blocking; a datagram or
// record is queued whole or not at all. EPIPE raises SIGPIPE (unless
// MSG_NOSIGNAL) on stream sockets only, as on Linux.
func (s *Socket) SendMsg(ctx vfs.Context, data []byte, o SendOptions) (int, linux.Errno) {
	defer o.Control.Release()
	if o.Control.Cred == nil {
		c := credOf(ctx, false)
		o.Control.Cred = &c
	}
	var n int
	var err linux.Errno
	if s.typ == sysunix.SOCK_STREAM {
		n, err = s.sendStream(ctx, data, &o)
	} else {
		n, err = s.sendRecord(ctx, data, &o)
	}
	if err == linux.EPIPE && !o.NoSignal && s.typ == sysunix.SOCK_STREAM {
		net.SigPipe(ctx)
	}
	return n, err
}

// sendStream queues data on the peer's buffer, as much as SO_SNDBUF
// allows at a time.
func (s *Socket) sendStream(ctx vfs.Context, data []byte, o *SendOptions) (int, linux.Errno) {
	s.mu.Lock()
	peer, shut, local := s.peer, s.shutWr, s.local
	sndbuf, until := s.opts.SndBuf, net.Deadline(s.opts.SndTimeo)
	s.mu.Unlock()
	switch {
	case o.To != nil && peer != nil:
		return 0, linux.EISCONN
	case o.To != nil:
		return 0, linux.EOPNOTSUPP
	case peer == nil:
		return 0, linux.ENOTCONN
	case shut:
		return 0, linux.EPIPE
	}
	b := peer.rcv
	done := 0
	for {
		b.mu.Lock()
		if b.readShut {
			b.mu.Unlock()
			if done > 0 {
				return done, 0
			}
			return 0, linux.EPIPE
		}
		if room := sndbuf - b.size; room > 0 && done < len(data) {
			n := min(room, len(data)-done)
			chunk := data[done : done+n]
			if last := b.lastLocked(); last != nil && len(o.Control.Rights) == 0 && last.mergeable(local, o.Control.Cred) {
				last.data = append(last.data, chunk...)
				b.size += n
				b.notifyLocked(vfs.EventReadable, 0)
			} else {
				m := &message{data: append([]byte(nil), chunk...), from: local, ctl: o.Control}
				o.Control = Control{Cred: o.Control.Cred}
				b.pushLocked(m)
			}
			done += n
		}
		if done == len(data) {
			b.mu.Unlock()
			return done, 0
		}
		ch := b.changed
		b.mu.Unlock()
		if o.Nonblock {
			if done > 0 {
				return done, 0
			}
			return 0, linux.EAGAIN
		}
		if err := net.Wait(ctx, ch, until); err != 0 {
			if done > 0 {
				return done, 0
			}
			return 0, err
		}
	}
}

// lastLocked returns the last message queued, or nil.
//
// Preconditions:
// - b.mu is held.
func (b *buffer) lastLocked() *message {
	if len(b.msgs) == 0 {
		return nil
	}
	return b.msgs[len(b.msgs)-1]
}

// mergeable reports whether stream data from a sender named from with
// credentials c may be appended to m.
func (m *message) mergeable(from Address, c *Cred) bool {
	return m.conn == nil && len(m.ctl.Rights) == 0 && m.from == from &&
		m.ctl.Cred != nil && c != nil && *m.ctl.Cred == *c
}

// sendRecord queues one datagram or seqpacket record.
func (s *Socket) sendRecord(ctx vfs.Context, data []byte, o *SendOptions) (int, linux.Errno) {
	s.mu.Lock()
	state, peer, shut := s.state, s.peer, s.shutWr
	sndbuf, until := s.opts.SndBuf, net.Deadline(s.opts.SndTimeo)
	if err := s.autobindLocked(); err != 0 {
		s.mu.Unlock()
		return 0, err
	}
	local := s.local
	s.mu.Unlock()
	seq := s.typ == sysunix.SOCK_SEQPACKET
	if seq && state != stateConnected {
		return 0, linux.ENOTCONN
	}
	if seq && s.rcv.takeReset() {
		// A pending reset is reported (once) by the next send too.
		return 0, linux.ECONNRESET
	}
	if shut {
		return 0, linux.EPIPE
	}
	if len(data) > recordLimit(sndbuf) {
		return 0, linux.EMSGSIZE
	}
	t := peer
	if o.To != nil && !seq {
		var err linux.Errno
		if t, err = s.resolve(ctx, o.FS, *o.To); err != 0 {
			return 0, err
		}
	}
	if t == nil {
		return 0, linux.ENOTCONN
	}
	if !seq && !t.mayReceiveFrom(s) {
		return 0, linux.EPERM
	}
	t.mu.Lock()
	rcvbuf := t.opts.RcvBuf
	t.mu.Unlock()
	b := t.rcv
	for {
		b.mu.Lock()
		switch {
		case b.dead && !seq:
			b.mu.Unlock()
			if t == peer {
				s.mu.Lock()
				if s.peer == t {
					s.setDgramPeerLocked(nil, Address{})
				}
				s.mu.Unlock()
			}
			return 0, linux.ECONNREFUSED
		case b.readShut:
			b.mu.Unlock()
			return 0, linux.EPIPE
		}
		var full bool
		if seq {
			full = len(b.msgs) > 0 && b.size+len(data) > sndbuf
		} else {
			full = len(b.msgs) > maxDgramQueue || (len(b.msgs) > 0 && b.size+len(data) > rcvbuf)
		}
		if !full {
			b.pushLocked(&message{data: append([]byte(nil), data...), from: local, ctl: o.Control, sent: time.Now()})
			o.Control = Control{}
			b.mu.Unlock()
			return len(data), 0
		}
		ch := b.changed
		b.mu.Unlock()
		if o.Nonblock {
			return 0, linux.EAGAIN
		}
		if err := net.Wait(ctx, ch, until); err != 0 {
			return 0, err
		}
	}
}

// MaxRecord returns the largest datagram or record s may send
// (SO_SNDBUF - 32, as on Linux): larger ones are EMSGSIZE.
func (s *Socket) MaxRecord() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return recordLimit(s.opts.SndBuf)
}

func recordLimit(sndbuf int) int { return sndbuf - 32 }
