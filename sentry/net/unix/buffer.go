package unix

import (
	"sync"
	"time"

	"moat/sentry/vfs"
)

// message is one unit of a receive buffer: the data of one send (a
// datagram, a record, or a piece of a byte stream), its control data and
// its sender's name; or, on a listener, a connection waiting for accept.
type message struct {
	data []byte
	ctl  Control
	from Address
	// conn is the server end of a connection waiting for accept.
	conn *Socket
	// sent is when a datagram or record was sent (SO_TIMESTAMP).
	sent time.Time
}

// release drops what m holds: passed files and unaccepted connections.
func (m *message) release() {
	m.ctl.Release()
	if m.conn != nil {
		m.conn.releaseEmbryo()
	}
}

// buffer is a socket's receive queue.
type buffer struct {
	// owner is the receiving socket's poll queue.
	owner *vfs.Queue
	// space tells datagram senders' pollers that room was made.
	space vfs.Queue

	// mu guards the fields below.
	mu sync.Mutex
	// writer is the poll queue of the socket connected to write here
	// (stream, seqpacket), or nil.
	writer *vfs.Queue
	msgs   []*message
	// size is the number of data bytes queued.
	size int
	// readShut: the owner shut down reading or closed; writers fail
	// with EPIPE (ECONNREFUSED for a datagram sender whose peer closed:
	// see dead).
	readShut bool
	// dead: the owner is closed.
	dead bool
	// writeShut: the connected writer shut down writing or closed; the
	// reader sees end of file after the data.
	writeShut bool
	// reset: the connected writer closed with data of its own unread;
	// the reader gets ECONNRESET once, after the data.
	reset bool
	// changed is closed and replaced on every change, waking blocked
	// readers and writers.
	changed chan struct{}
}

func newBuffer(owner *vfs.Queue) *buffer {
	return &buffer{owner: owner, changed: make(chan struct{})}
}

// notifyLocked wakes blocked callers and tells the owner's pollers of
// ownerEv and writers' pollers of writerEv.
//
// Preconditions:
// - b.mu is held.
func (b *buffer) notifyLocked(ownerEv, writerEv uint32) {
	close(b.changed)
	b.changed = make(chan struct{})
	if ownerEv != 0 && b.owner != nil {
		b.owner.Notify(ownerEv)
	}
	if writerEv != 0 {
		if b.writer != nil {
			b.writer.Notify(writerEv)
		}
		b.space.Notify(writerEv)
	}
}

// pushLocked queues m.
//
// Preconditions:
// - b.mu is held.
func (b *buffer) pushLocked(m *message) {
	b.msgs = append(b.msgs, m)
	b.size += len(m.data)
	b.notifyLocked(vfs.EventReadable, 0)
}

// popLocked removes the first message.
//
// Preconditions:
// - b.mu is held; b.msgs is not empty.
func (b *buffer) popLocked() *message {
	m := b.msgs[0]
	b.msgs[0] = nil
	b.msgs = b.msgs[1:]
	if len(b.msgs) == 0 {
		b.msgs = nil
	}
	b.size -= len(m.data)
	b.notifyLocked(0, vfs.EventWritable)
	return m
}

// drainLocked empties the queue and returns what it held, to be
// released without b.mu.
//
// Preconditions:
// - b.mu is held.
func (b *buffer) drainLocked() []*message {
	ms := b.msgs
	b.msgs, b.size = nil, 0
	return ms
}

// shutRead marks the reading side closed (shutdown SHUT_RD, or close if
// dead). It returns the messages a close drops.
func (b *buffer) shutRead(dead bool) []*message {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.readShut = true
	var dropped []*message
	if dead {
		b.dead = true
		dropped = b.drainLocked()
	}
	b.notifyLocked(vfs.EventReadable|vfs.EventRdHUp, vfs.EventWritable|vfs.EventErr|vfs.EventHUp)
	return dropped
}

// shutWrite marks the connected writer gone (SHUT_WR or close); reset
// adds a pending ECONNRESET for the reader.
func (b *buffer) shutWrite(reset bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writeShut = true
	b.reset = b.reset || reset
	b.notifyLocked(vfs.EventReadable|vfs.EventRdHUp|vfs.EventHUp, vfs.EventWritable)
}

// pending returns the number of data bytes and of messages queued.
func (b *buffer) pending() (bytes, msgs int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.size, len(b.msgs)
}

// takeReset clears a pending ECONNRESET and reports whether there was one.
func (b *buffer) takeReset() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.reset
	b.reset = false
	return r
}

// setWriter records the poll queue of the connected writer.
func (b *buffer) setWriter(q *vfs.Queue) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writer = q
}
