package unix

import (
	sysunix "golang.org/x/sys/unix"

	"moat/sentry/vfs"
)

// Readiness implements vfs.Waitable.Readiness, as Linux's unix_poll and
// unix_dgram_poll decide it: readable with data (or a connection to
// accept) or after the reading side shut down; writable while the peer's
// queue has room; hung up when both directions are shut down, or for an
// unconnected stream or seqpacket socket.
func (s *Socket) Readiness(_ vfs.Context, mask uint32) uint32 {
	s.mu.Lock()
	state, peer, shutRd, shutWr := s.state, s.peer, s.shutRd, s.shutWr
	sndbuf, err := s.opts.SndBuf, s.err
	s.mu.Unlock()
	var r uint32
	s.rcv.mu.Lock()
	if len(s.rcv.msgs) > 0 {
		r |= vfs.EventReadable
	}
	if s.rcv.reset {
		r |= vfs.EventErr
	}
	s.rcv.mu.Unlock()
	if err != 0 {
		r |= vfs.EventErr
	}
	if shutRd {
		r |= vfs.EventRdHUp | vfs.EventReadable
	}
	if shutRd && shutWr {
		r |= vfs.EventHUp
	}
	if s.typ != sysunix.SOCK_DGRAM && state == stateUnconnected {
		r |= vfs.EventHUp
	}
	if state != stateListening && s.writable(peer, sndbuf) {
		r |= vfs.EventWritable
	}
	return r & mask
}

// writable reports whether a send to peer would find room.
func (s *Socket) writable(peer *Socket, sndbuf int) bool {
	if peer == nil {
		return true
	}
	b := peer.rcv
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.typ == sysunix.SOCK_DGRAM {
		return b.dead || len(b.msgs) <= maxDgramQueue
	}
	return b.readShut || b.size*4 <= sndbuf
}

// EventRegister implements vfs.Waitable.EventRegister.
func (s *Socket) EventRegister(w *vfs.Waiter) func() {
	return s.queue.EventRegister(w)
}
