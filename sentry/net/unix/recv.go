package unix

import (
	"time"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// RecvOptions are recv's flags, as for every family.
type RecvOptions = net.RecvOptions

// RecvResult is what one receive delivered.
type RecvResult struct {
	// N is the result of the call: bytes copied, or with MSG_TRUNC on a
	// datagram socket the datagram's real length.
	N int
	// Truncated: a datagram or record did not fit (MSG_TRUNC in
	// msg_flags).
	Truncated bool
	// From is the sender's name.
	From Address
	// Control holds received rights (the caller installs or drops
	// them) and, under SO_PASSCRED, the sender's credentials.
	Control Control
	// Timestamp is when a datagram or record was sent, under
	// SO_TIMESTAMP (zero otherwise); NS asks for SCM_TIMESTAMPNS rather
	// than SCM_TIMESTAMP.
	Timestamp   time.Time
	TimestampNS bool
}

// RecvMsg implements recv(2), recvfrom(2) and recvmsg(2).
func (s *Socket) RecvMsg(ctx vfs.Context, dst []byte, o RecvOptions) (RecvResult, linux.Errno) {
	s.mu.Lock()
	state, passcred, until := s.state, s.opts.passcred, net.Deadline(s.opts.RcvTimeo)
	tstamp, tstampNS := s.opts.tstamp, s.opts.tstampNS
	// target is how much a blocking stream receive waits for.
	target := min(int(s.opts.rcvlowat), len(dst))
	if o.WaitAll && !o.Peek {
		target = len(dst)
	}
	s.mu.Unlock()
	switch {
	case s.typ == sysunix.SOCK_STREAM && state != stateConnected:
		return RecvResult{}, linux.EINVAL
	case s.typ == sysunix.SOCK_SEQPACKET && state != stateConnected:
		return RecvResult{}, linux.ENOTCONN
	}
	if s.typ == sysunix.SOCK_STREAM && len(dst) == 0 {
		return RecvResult{}, 0
	}
	b := s.rcv
	var r RecvResult
	for {
		b.mu.Lock()
		var done bool
		if s.typ == sysunix.SOCK_STREAM {
			done = b.readStreamLocked(dst, &r, o, passcred)
			if r.N >= target {
				done = true
			}
		} else {
			if s.typ == sysunix.SOCK_SEQPACKET && b.reset {
				// A record socket reports the reset before the data
				// still queued, as Linux's datagram receive does.
				b.reset = false
				b.mu.Unlock()
				return r, linux.ECONNRESET
			}
			done = b.readRecordLocked(dst, &r, o, passcred)
			if done && tstamp {
				r.TimestampNS = tstampNS
			} else {
				r.Timestamp = time.Time{}
			}
		}
		if done {
			b.mu.Unlock()
			return r, 0
		}
		if b.reset {
			// The reset comes after the data already copied.
			if r.N == 0 {
				b.reset = false
			}
			b.mu.Unlock()
			if r.N > 0 {
				return r, 0
			}
			return r, linux.ECONNRESET
		}
		if (b.readShut || b.writeShut) && !(o.Nonblock && s.typ == sysunix.SOCK_DGRAM) {
			// End of file; a non-blocking datagram receive still says
			// EAGAIN, as on Linux.
			b.mu.Unlock()
			return r, 0
		}
		ch := b.changed
		b.mu.Unlock()
		if o.Nonblock {
			if r.N > 0 {
				return r, 0
			}
			return r, linux.EAGAIN
		}
		if err := net.Wait(ctx, ch, until); err != 0 {
			if r.N > 0 {
				return r, 0
			}
			return r, err
		}
	}
}

// readStreamLocked copies stream data into dst[r.N:], and reports
// whether the read must end here: dst is full, or the next data carries
// other credentials (under SO_PASSCRED) or passed files came with this
// data. Bytes written by different sends are merged, as on Linux.
//
// Preconditions:
// - b.mu is held.
func (b *buffer) readStreamLocked(dst []byte, r *RecvResult, o RecvOptions, passcred bool) bool {
	if o.Peek {
		r.N = 0
	}
	for i := 0; r.N < len(dst) && i < len(b.msgs); {
		m := b.msgs[i]
		if passcred {
			if r.Control.Cred != nil && m.ctl.Cred != nil && *r.Control.Cred != *m.ctl.Cred {
				return true
			}
			if r.Control.Cred == nil {
				r.Control.Cred = credOrNone(m.ctl.Cred)
			}
		}
		if r.N == 0 {
			r.From = m.from
		}
		n := copy(dst[r.N:], m.data)
		r.N += n
		rights := len(m.ctl.Rights) > 0
		if o.Peek {
			if rights {
				r.Control.Rights = dupRights(m.ctl.Rights)
				return true
			}
			i++
			continue
		}
		if rights {
			r.Control.Rights, m.ctl.Rights = m.ctl.Rights, nil
		}
		m.data = m.data[n:]
		b.size -= n
		if len(m.data) > 0 {
			b.notifyLocked(0, vfs.EventWritable)
			return true
		}
		b.popLocked()
		if rights {
			return true
		}
	}
	return r.N == len(dst) && len(dst) > 0
}

// readRecordLocked receives the first datagram or record, if any.
//
// Preconditions:
// - b.mu is held.
func (b *buffer) readRecordLocked(dst []byte, r *RecvResult, o RecvOptions, passcred bool) bool {
	if len(b.msgs) == 0 {
		return false
	}
	m := b.msgs[0]
	n := copy(dst, m.data)
	r.N, r.Truncated, r.From, r.Timestamp = n, n < len(m.data), m.from, m.sent
	if o.Trunc {
		r.N = len(m.data)
	}
	if passcred {
		r.Control.Cred = credOrNone(m.ctl.Cred)
	}
	if o.Peek {
		r.Control.Rights = dupRights(m.ctl.Rights)
		return true
	}
	r.Control.Rights, m.ctl.Rights = m.ctl.Rights, nil
	b.popLocked()
	return true
}

// credOrNone returns a copy of c, or the credentials of no process.
func credOrNone(c *Cred) *Cred {
	if c == nil {
		n := Cred{UID: 65534, GID: 65534}
		return &n
	}
	cc := *c
	return &cc
}

// dupRights returns new references to fs (MSG_PEEK passes the files
// without taking them off the queue).
func dupRights(fs []*vfs.FileDescription) []*vfs.FileDescription {
	if len(fs) == 0 {
		return nil
	}
	out := make([]*vfs.FileDescription, len(fs))
	for i, f := range fs {
		f.IncRef()
		out[i] = f
	}
	return out
}
