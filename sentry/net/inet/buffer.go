package inet

import (
	"net/netip"
	"sync"

	"moat/sentry/net"
	"moat/sentry/vfs"
)

// buffer is a socket's receive queue: the bytes of a TCP stream, or UDP
// datagrams with their senders.
type buffer struct {
	// owner is the receiving socket's poll queue.
	owner *vfs.Queue

	// mu guards the fields below.
	mu sync.Mutex
	// writer is the poll queue of the TCP socket that writes here, told
	// when room is made.
	writer *vfs.Queue
	msgs   []dgram
	// size is the number of data bytes queued; limit is how many may
	// be.
	size, limit int
	// changes wakes blocked readers and writers.
	changes net.Changes
}

// dgram is a datagram, or a piece of a stream.
type dgram struct {
	data []byte
	from netip.AddrPort
}

func newBuffer(owner *vfs.Queue, limit int) *buffer {
	b := &buffer{owner: owner, limit: limit}
	b.changes.Init()
	return b
}

// notifyLocked wakes blocked callers and tells the owner's pollers of
// ownerEv and the writer's of writerEv.
//
// Preconditions:
// - b.mu is held.
func (b *buffer) notifyLocked(ownerEv, writerEv uint32) {
	b.changes.Broadcast()
	if ownerEv != 0 && b.owner != nil {
		b.owner.Notify(ownerEv)
	}
	if writerEv != 0 && b.writer != nil {
		b.writer.Notify(writerEv)
	}
}

// room returns how many bytes fit.
//
// Preconditions:
// - b.mu is held.
func (b *buffer) roomLocked() int { return b.limit - b.size }

// appendLocked adds stream bytes.
//
// Preconditions:
// - b.mu is held.
func (b *buffer) appendLocked(p []byte) {
	if n := len(b.msgs); n > 0 && cap(b.msgs[n-1].data)-len(b.msgs[n-1].data) >= len(p) {
		b.msgs[n-1].data = append(b.msgs[n-1].data, p...)
	} else {
		b.msgs = append(b.msgs, dgram{data: append(make([]byte, 0, max(len(p), 4096)), p...)})
	}
	b.size += len(p)
	b.notifyLocked(vfs.EventReadable, 0)
}

// pushLocked queues a datagram.
//
// Preconditions:
// - b.mu is held.
func (b *buffer) pushLocked(d dgram) {
	b.msgs = append(b.msgs, d)
	b.size += len(d.data)
	b.notifyLocked(vfs.EventReadable, 0)
}

// readStreamLocked copies queued bytes into dst (leaving them with
// peek) and returns how many.
//
// Preconditions:
// - b.mu is held.
func (b *buffer) readStreamLocked(dst []byte, peek bool) int {
	n := 0
	for i := 0; n < len(dst) && i < len(b.msgs); i++ {
		n += copy(dst[n:], b.msgs[i].data)
	}
	if !peek && n > 0 {
		b.consumeLocked(n)
	}
	return n
}

// consumeLocked drops the first n stream bytes.
//
// Preconditions:
// - b.mu is held; n <= b.size.
func (b *buffer) consumeLocked(n int) {
	b.size -= n
	for n > 0 {
		m := &b.msgs[0]
		c := min(n, len(m.data))
		m.data = m.data[c:]
		n -= c
		if len(m.data) == 0 {
			b.msgs[0] = dgram{}
			b.msgs = b.msgs[1:]
		}
	}
	if len(b.msgs) == 0 {
		b.msgs = nil
	}
	b.notifyLocked(0, vfs.EventWritable)
}

// popLocked removes the first datagram.
//
// Preconditions:
// - b.mu is held; b.msgs is not empty.
func (b *buffer) popLocked() dgram {
	d := b.msgs[0]
	b.msgs[0] = dgram{}
	b.msgs = b.msgs[1:]
	if len(b.msgs) == 0 {
		b.msgs = nil
	}
	b.size -= len(d.data)
	b.notifyLocked(0, vfs.EventWritable)
	return d
}

// clearLocked drops everything queued.
//
// Preconditions:
// - b.mu is held.
func (b *buffer) clearLocked() {
	b.msgs, b.size = nil, 0
	b.notifyLocked(0, vfs.EventWritable)
}

// pending returns the bytes and the datagrams (or pieces) queued.
func (b *buffer) pending() (bytes, msgs int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.size, len(b.msgs)
}

// queued returns the bytes queued.
func (b *buffer) queued() int {
	n, _ := b.pending()
	return n
}

// firstSize returns the size of the first datagram queued (0 if none).
func (b *buffer) firstSize() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.msgs) == 0 {
		return 0
	}
	return len(b.msgs[0].data)
}

// setWriter records the poll queue of the TCP socket that writes here.
func (b *buffer) setWriter(q *vfs.Queue) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writer = q
}

// wake tells blocked callers and pollers of the owner of a change of
// state (a FIN, a reset, a shutdown).
func (b *buffer) wake(ev uint32) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.notifyLocked(ev, 0)
}
