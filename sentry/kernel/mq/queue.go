package mq

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

// Context is what a blocking queue operation needs from its caller (a
// kernel.Task).
type Context interface {
	Credentials() *auth.Credentials
	// BlockUntil waits until ch is closed, the deadline passes (zero:
	// never) or a signal is pending.
	BlockUntil(ch <-chan struct{}, deadline time.Time) (interrupted, timedOut bool)
}

// Queue is a POSIX message queue.
type Queue struct {
	reg     *Registry
	name    string
	creator auth.KUID // charged with cost
	ino     uint64
	cost    uint64
	refs    atomic.Int64

	// mu guards the fields below.
	mu   sync.Mutex
	attr Attr
	uid  auth.KUID
	gid  auth.KGID
	mode uint32
	// msgs is ordered highest priority first, FIFO within one.
	msgs []Message
	// qsize is the bytes queued (QSIZE).
	qsize int64
	// receivers and senders are the blocked calls, oldest first.
	receivers           []*waiter
	senders             []*waiter
	notify              *Notification
	atime, mtime, ctime time.Time
	// events tells pollers of readiness changes.
	events vfs.Queue
}

// Message is one queued message.
type Message struct {
	Prio uint32
	Text []byte
}

// waiter is a blocked send or receive; done is closed once msg has been
// handed over.
type waiter struct {
	msg  Message
	done chan struct{}
	ok   bool
}

func newQueue(r *Registry, name string, c *auth.Credentials, mode uint32, a Attr, cost uint64) *Queue {
	now := time.Now()
	q := &Queue{
		reg: r, name: name, creator: c.RealKUID, cost: cost, attr: a,
		uid: c.FSUID, gid: c.FSGID, mode: mode,
		atime: now, mtime: now, ctime: now,
	}
	q.refs.Store(1)
	return q
}

func (q *Queue) incRef() { q.refs.Add(1) }

// TryIncRef takes a reference unless the queue is already gone.
func (q *Queue) TryIncRef() bool {
	for {
		n := q.refs.Load()
		if n <= 0 {
			return false
		}
		if q.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// DecRef drops a reference; the last frees the queue.
func (q *Queue) DecRef() {
	if q.refs.Add(-1) == 0 {
		q.reg.release(q)
	}
}

// Name returns the queue's name (without the slash).
func (q *Queue) Name() string { return q.name }

// Owner returns the queue's owner.
func (q *Queue) Owner() auth.KUID {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.uid
}

// Access bits.
const (
	mayRead  = 4
	mayWrite = 2
)

func accessOf(flags int) int {
	switch flags & unix.O_ACCMODE {
	case unix.O_RDONLY:
		return mayRead
	case unix.O_WRONLY:
		return mayWrite
	}
	return mayRead | mayWrite
}

// permits is generic_permission for a regular file: owner, group or
// other bits, then CAP_DAC_OVERRIDE (CAP_DAC_READ_SEARCH for reading).
func (q *Queue) permits(c *auth.Credentials, want int) bool {
	q.mu.Lock()
	mode := q.mode
	uid, gid := q.uid, q.gid
	q.mu.Unlock()
	granted := int(mode)
	switch {
	case c.FSUID == uid:
		granted >>= 6
	case c.InGroup(gid):
		granted >>= 3
	}
	if want&^granted&7 == 0 {
		return true
	}
	if c.HasCap(auth.CapDacOverride) {
		return true
	}
	return want == mayRead && c.HasCap(auth.CapDacReadSearch)
}

// Attr returns the queue's attributes (mq_flags is the caller's).
func (q *Queue) Attr() Attr {
	q.mu.Lock()
	defer q.mu.Unlock()
	a := q.attr
	a.CurMsgs = int64(len(q.msgs))
	return a
}

// insertLocked queues m after the messages of its priority and above.
func (q *Queue) insertLocked(m Message) {
	i := sort.Search(len(q.msgs), func(i int) bool { return q.msgs[i].Prio < m.Prio })
	q.msgs = append(q.msgs, Message{})
	copy(q.msgs[i+1:], q.msgs[i:])
	q.msgs[i] = m
	q.qsize += int64(len(m.Text))
}

// takeLocked removes the first message.
func (q *Queue) takeLocked() Message {
	m := q.msgs[0]
	q.msgs = q.msgs[1:]
	q.qsize -= int64(len(m.Text))
	return m
}

// Send implements mq_timedsend(2) once the caller has checked the size
// and priority and copied the message in. nonblock is the descriptor's
// O_NONBLOCK; deadline is zero for none. sender is passed to a
// notification.
func (q *Queue) Send(ctx Context, m Message, nonblock bool, deadline time.Time, sender any) linux.Errno {
	q.mu.Lock()
	if len(q.msgs) < int(q.attr.MaxMsg) || len(q.receivers) > 0 {
		q.sendLocked(m, sender)
		q.mu.Unlock()
		return 0
	}
	if nonblock {
		q.mu.Unlock()
		return linux.EAGAIN
	}
	w := &waiter{msg: m, done: make(chan struct{})}
	q.senders = append(q.senders, w)
	q.mu.Unlock()
	return q.wait(ctx, w, &q.senders, deadline)
}

// sendLocked delivers m to the oldest blocked receiver or queues it,
// notifying a registered process when the queue was empty.
func (q *Queue) sendLocked(m Message, sender any) {
	q.mtime, q.ctime = time.Now(), time.Now()
	if len(q.receivers) > 0 {
		w := q.receivers[0]
		q.receivers = q.receivers[1:]
		w.msg, w.ok = m, true
		close(w.done)
		return
	}
	q.insertLocked(m)
	if len(q.msgs) == 1 {
		q.notifyLocked(sender)
	}
	q.events.Notify(vfs.EventReadable)
}

// Receive implements mq_timedreceive(2) once the caller has checked the
// buffer's size.
func (q *Queue) Receive(ctx Context, nonblock bool, deadline time.Time) (Message, linux.Errno) {
	q.mu.Lock()
	if len(q.msgs) > 0 {
		m := q.takeLocked()
		q.atime, q.ctime = time.Now(), time.Now()
		if len(q.senders) > 0 {
			// pipelined_receive: the oldest blocked sender's message
			// takes the freed slot.
			w := q.senders[0]
			q.senders = q.senders[1:]
			q.insertLocked(w.msg)
			w.ok = true
			close(w.done)
		} else {
			q.events.Notify(vfs.EventWritable)
		}
		q.mu.Unlock()
		return m, 0
	}
	if nonblock {
		q.mu.Unlock()
		return Message{}, linux.EAGAIN
	}
	w := &waiter{done: make(chan struct{})}
	q.receivers = append(q.receivers, w)
	q.mu.Unlock()
	errno := q.wait(ctx, w, &q.receivers, deadline)
	return w.msg, errno
}

// wait blocks until w is served. A timeout is ETIMEDOUT; a signal is
// ERESTARTSYS (mq_overview: restarted with SA_RESTART). A waiter served
// while it was being woken keeps its message, as on Linux.
func (q *Queue) wait(ctx Context, w *waiter, list *[]*waiter, deadline time.Time) linux.Errno {
	interrupted, timedOut := ctx.BlockUntil(w.done, deadline)
	q.mu.Lock()
	defer q.mu.Unlock()
	if w.ok {
		return 0
	}
	for i, o := range *list {
		if o == w {
			*list = append((*list)[:i], (*list)[i+1:]...)
			break
		}
	}
	switch {
	case timedOut:
		return linux.ETIMEDOUT
	case interrupted:
		return linux.ERESTARTSYS
	}
	return linux.ETIMEDOUT
}

// Readiness implements vfs.Waitable.Readiness for the queue's files.
func (q *Queue) Readiness(mask uint32) uint32 {
	q.mu.Lock()
	defer q.mu.Unlock()
	var r uint32
	if len(q.msgs) > 0 {
		r |= vfs.EventReadable
	}
	if len(q.msgs) < int(q.attr.MaxMsg) {
		r |= vfs.EventWritable
	}
	return r & mask
}

// EventRegister implements vfs.Waitable.EventRegister.
func (q *Queue) EventRegister(w *vfs.Waiter) func() { return q.events.EventRegister(w) }
