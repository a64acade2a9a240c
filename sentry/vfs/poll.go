package vfs

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// Readiness events, as poll(2) and epoll(7) name them (the values are the
// same for both).
const (
	EventIn     uint32 = unix.POLLIN
	EventPri    uint32 = unix.POLLPRI
	EventOut    uint32 = unix.POLLOUT
	EventErr    uint32 = unix.POLLERR
	EventHUp    uint32 = unix.POLLHUP
	EventNVal   uint32 = unix.POLLNVAL
	EventRdNorm uint32 = 0x40
	EventRdBand uint32 = 0x80
	EventWrNorm uint32 = 0x100
	EventWrBand uint32 = 0x200
	EventRdHUp  uint32 = unix.POLLRDHUP

	// EventReadable is what a readable file reports.
	EventReadable = EventIn | EventRdNorm
	// EventWritable is what a writable file reports.
	EventWritable = EventOut | EventWrNorm
	// EventAlways are reported whether asked for or not.
	EventAlways = EventErr | EventHUp
)

// Waitable is implemented by files whose readiness changes: pipes,
// eventfds, terminals, sockets, epoll instances. Files that do not
// implement it are always readable and writable (regular files, tmpfs,
// gofer files, most devices), and epoll refuses them with EPERM.
//
// Implementations notify every registered Waiter, with the events that
// may have become ready, whenever their readiness may have changed. To
// wait without losing a change, register first, then check Readiness.
type Waitable interface {
	// Readiness returns the events of mask that hold now. ctx is the
	// caller (the task that polls); it may be nil.
	Readiness(ctx Context, mask uint32) uint32
	// EventRegister adds w to the file's waiters and returns the
	// function that removes it. After that function returns, w is not
	// notified again by this registration.
	EventRegister(w *Waiter) (unregister func())
}

// SignalWatcher is implemented by files whose readiness depends on the
// polling task's pending signals (signalfd, epoll instances that hold
// one). No queue tells of those: the waiting task watches the signals
// itself while it blocks (kernel.Task.BlockWatching).
type SignalWatcher interface {
	WatchedSignals() linux.SigSet
}

// Pollable lets a file that implements Waitable for some instances only
// (host fds: not for regular files) say whether this one is.
type Pollable interface {
	Pollable() bool
}

// Waiter receives readiness notifications from the files it is registered
// with. Its callback may run on any goroutine, possibly with the
// notifying file's locks held: it must not block and may take only leaf
// locks.
type Waiter struct {
	mask   uint32
	notify func(events uint32)
}

// NewWaiter returns a waiter that calls fn with the events of each
// notification that intersect mask (EventAlways are always included).
func NewWaiter(mask uint32, fn func(events uint32)) *Waiter {
	return &Waiter{mask: mask | EventAlways, notify: fn}
}

// NewChannelWaiter returns a waiter and a channel that becomes ready (one
// buffered value) after a notification for mask: what kernel.Task's
// blocking helpers wait on.
func NewChannelWaiter(mask uint32) (*Waiter, <-chan struct{}) {
	ch := make(chan struct{}, 1)
	return NewWaiter(mask, func(uint32) {
		select {
		case ch <- struct{}{}:
		default:
		}
	}), ch
}

// Mask returns the events w wants to hear of.
func (w *Waiter) Mask() uint32 { return w.mask }

// Notify calls w's callback if events intersect its mask.
func (w *Waiter) Notify(events uint32) {
	if events&w.mask != 0 {
		w.notify(events & w.mask)
	}
}

// Queue is a set of waiters. Files embed one, call Notify when their
// readiness may change and get EventRegister from it. Notify takes no
// lock, so files may call it with their own locks held.
type Queue struct {
	// mu serializes Register and Unregister; it is a leaf.
	mu sync.Mutex
	// waiters is replaced, never changed in place, under mu.
	waiters atomic.Pointer[[]*Waiter]
}

// EventRegister implements Waitable.EventRegister.
func (q *Queue) EventRegister(w *Waiter) func() {
	q.mu.Lock()
	var ws []*Waiter
	if old := q.waiters.Load(); old != nil {
		ws = append(ws, *old...)
	}
	ws = append(ws, w)
	q.waiters.Store(&ws)
	q.mu.Unlock()
	return func() { q.unregister(w) }
}

func (q *Queue) unregister(w *Waiter) {
	q.mu.Lock()
	defer q.mu.Unlock()
	old := q.waiters.Load()
	if old == nil {
		return
	}
	ws := make([]*Waiter, 0, len(*old))
	for _, x := range *old {
		if x != w {
			ws = append(ws, x)
		}
	}
	if len(ws) == 0 {
		q.waiters.Store(nil)
		return
	}
	q.waiters.Store(&ws)
}

// Notify tells every waiter that events may have become ready.
func (q *Queue) Notify(events uint32) {
	ws := q.waiters.Load()
	if ws == nil {
		return
	}
	for _, w := range *ws {
		w.Notify(events)
	}
}

// HasWaiters reports whether anyone is registered.
func (q *Queue) HasWaiters() bool { return q.waiters.Load() != nil }

// Waitable returns fd's Waitable, or nil if fd is always ready (and so
// cannot be added to an epoll instance).
func (fd *FileDescription) Waitable() Waitable {
	w, ok := fd.impl.(Waitable)
	if !ok {
		return nil
	}
	if p, ok := fd.impl.(Pollable); ok && !p.Pollable() {
		return nil
	}
	return w
}

// Readiness returns the events of mask that hold for fd now: files that
// are not Waitable are readable and writable.
func (fd *FileDescription) Readiness(ctx Context, mask uint32) uint32 {
	if w := fd.Waitable(); w != nil {
		return w.Readiness(ctx, mask) & mask
	}
	return (EventReadable | EventWritable) & mask
}

// WatchedSignals returns the signals whose arrival may make fd ready.
func (fd *FileDescription) WatchedSignals() linux.SigSet {
	if s, ok := fd.impl.(SignalWatcher); ok {
		return s.WatchedSignals()
	}
	return 0
}
