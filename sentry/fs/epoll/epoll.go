// Package epoll implements epoll(7) instances: an interest list of (file,
// fd) pairs, a ready list that the files' readiness notifications fill,
// level- and edge-triggered reporting, EPOLLONESHOT, and nesting of
// instances.
//
// An instance holds no reference to the files it watches, as on Linux; an
// item whose file was released (every fd closed) is dropped when next
// looked at, which gives Linux's "close removes it" behaviour.
//
// Lock order: EventPoll.mu of an outer instance, then EventPoll.mu of the
// instances it holds, then the watched files' locks, then
// EventPoll.readyMu (a leaf: readiness callbacks take only it).
package epoll

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/fs/anon"
	"moat/sentry/vfs"
)

// Flags of epoll_event.events that are not readiness events.
const (
	EPOLLEXCLUSIVE = 1 << 28
	EPOLLWAKEUP    = 1 << 29
	EPOLLONESHOT   = 1 << 30
	EPOLLET        = 1 << 31
)

// exclusiveOK are the events EPOLLEXCLUSIVE may be combined with.
const exclusiveOK = vfs.EventIn | vfs.EventOut | vfs.EventErr | vfs.EventHUp | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE

// maxNests is how deep instances may be nested (EPOLL_MAX_NESTS).
const maxNests = 4

// Operations of epoll_ctl(2).
const (
	CtlAdd = unix.EPOLL_CTL_ADD
	CtlDel = unix.EPOLL_CTL_DEL
	CtlMod = unix.EPOLL_CTL_MOD
)

// Event is one reported event: epoll_event's events and data.
type Event struct {
	Events uint32
	Data   uint64
}

// key names an interest: the same file may be watched through several fds.
type key struct {
	file *vfs.FileDescription
	fd   int32
}

// item is one entry of the interest list.
type item struct {
	ep  *EventPoll
	key key
	// events are the requested events and flags; after an EPOLLONESHOT
	// report only the flags remain. Atomic: callbacks read it.
	events atomic.Uint32
	// data is epoll_event.data. Guarded by ep.mu.
	data uint64
	// watcher is set for files whose readiness depends on the polling
	// task's signals (signalfd): they are checked on every wait.
	watcher bool
	// nested is the instance the item's file is, if it is one: it is
	// checked on every wait while it watches signals.
	nested *EventPoll
	// lastReady and lastPending are a watcher item's readiness and
	// pending signals when it was last looked at: edge triggering for
	// watchers, which no notification announces. Guarded by ep.mu.
	lastReady   uint32
	lastPending linux.SigSet
	// unregister removes the item's waiter from the file.
	unregister func()
	// queued: on the ready list. Guarded by ep.readyMu.
	queued bool
	// removed: no longer in the interest list. Guarded by ep.mu.
	removed bool
}

// EventPoll is an epoll instance.
type EventPoll struct {
	anon.File

	// mu guards interest, the items' data and the fields below.
	mu       sync.Mutex
	interest map[key]*item
	// watchers counts watcher and nested items.
	watchers int
	// sweepAt is the interest list size at which released files' items
	// are next swept out.
	sweepAt int

	// readyMu guards ready and the items' queued flags.
	readyMu sync.Mutex
	ready   []*item

	// queue tells waiters in epoll_wait and outer pollers that an item
	// may have become ready.
	queue vfs.Queue
}

// New returns a new epoll instance as a file description.
func New() *vfs.FileDescription {
	return vfs.NewFileDescription(NewEventPoll(), vfs.VirtualDentry{}, unix.O_RDWR)
}

// NewEventPoll returns a new epoll instance.
func NewEventPoll() *EventPoll {
	return &EventPoll{interest: make(map[key]*item), sweepAt: 64}
}

// FromFile returns the epoll instance fd is, or nil.
func FromFile(fd *vfs.FileDescription) *EventPoll {
	ep, _ := fd.Impl().(*EventPoll)
	return ep
}

// Release implements vfs.FileImpl.Release.
func (ep *EventPoll) Release() {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	for k, it := range ep.interest {
		ep.removeLocked(k, it)
	}
}

// Ctl implements epoll_ctl(2) on ep for file, open as fd. ev is ignored
// for CtlDel.
func (ep *EventPoll) Ctl(op int32, file *vfs.FileDescription, fd int32, ev Event) linux.Errno {
	w := file.Waitable()
	if w == nil {
		return linux.EPERM
	}
	target := FromFile(file)
	if target == ep {
		return linux.EINVAL
	}
	ev.Events &^= EPOLLWAKEUP // needs CAP_BLOCK_SUSPEND; dropped as Linux does without it
	if op != CtlDel && ev.Events&EPOLLEXCLUSIVE != 0 {
		if op == CtlMod || target != nil || ev.Events&^exclusiveOK != 0 {
			return linux.EINVAL
		}
	}
	if op == CtlAdd && target != nil {
		// Checked before ep.mu is taken: the walk locks each nested
		// instance in turn.
		if target.reaches(ep, 1) {
			return linux.ELOOP
		}
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	k := key{file, fd}
	it := ep.interest[k]
	switch op {
	case CtlAdd:
		if it != nil {
			return linux.EEXIST
		}
		ep.sweepLocked()
		it = &item{ep: ep, key: k, data: ev.Data}
		it.events.Store(ev.Events)
		if target != nil {
			it.nested = target
			ep.watchers++
		} else if _, ok := file.Impl().(vfs.SignalWatcher); ok {
			it.watcher = true
			ep.watchers++
		}
		ep.interest[k] = it
		it.unregister = w.EventRegister(vfs.NewWaiter(^uint32(0), it.notify))
		it.notify(^uint32(0))
	case CtlMod:
		if it == nil {
			return linux.ENOENT
		}
		if it.events.Load()&EPOLLEXCLUSIVE != 0 {
			return linux.EINVAL
		}
		it.events.Store(ev.Events)
		it.data = ev.Data
		it.lastReady, it.lastPending = 0, 0
		it.notify(^uint32(0))
	case CtlDel:
		if it == nil {
			return linux.ENOENT
		}
		ep.removeLocked(k, it)
	default:
		return linux.EINVAL
	}
	return 0
}

// pendingReporter is implemented by watcher files (signalfd) that can say
// which of their signals are pending for the polling task: a new one is an
// edge even while the file stays readable.
type pendingReporter interface {
	PendingFor(ctx vfs.Context) linux.SigSet
}

// notify is the item's readiness callback: events may have become ready
// on its file.
func (it *item) notify(events uint32) {
	if events&(it.events.Load()|vfs.EventAlways) == 0 {
		return
	}
	ep := it.ep
	ep.readyMu.Lock()
	if !it.queued {
		it.queued = true
		ep.ready = append(ep.ready, it)
	}
	ep.readyMu.Unlock()
	ep.queue.Notify(vfs.EventReadable)
}

// removeLocked takes it out of the interest list.
//
// Preconditions:
// - ep.mu is held.
func (ep *EventPoll) removeLocked(k key, it *item) {
	it.unregister()
	it.removed = true
	if it.watcher || it.nested != nil {
		ep.watchers--
	}
	delete(ep.interest, k)
}

// sweepLocked drops the items of released files once the list has grown.
//
// Preconditions:
// - ep.mu is held.
func (ep *EventPoll) sweepLocked() {
	if len(ep.interest) < ep.sweepAt {
		return
	}
	for k, it := range ep.interest {
		if !k.file.TryIncRef() {
			ep.removeLocked(k, it)
			continue
		}
		k.file.DecRef()
	}
	ep.sweepAt = 2*len(ep.interest) + 64
}

// reaches reports whether adding ep's instance into another would make a
// loop through target, or nest instances deeper than Linux allows: depth
// is how many levels sit above ep.
func (ep *EventPoll) reaches(target *EventPoll, depth int) bool {
	if ep == target || depth > maxNests {
		return true
	}
	ep.mu.Lock()
	var inner []*EventPoll
	for k := range ep.interest {
		if e := FromFile(k.file); e != nil {
			inner = append(inner, e)
		}
	}
	ep.mu.Unlock()
	for _, e := range inner {
		if e.reaches(target, depth+1) {
			return true
		}
	}
	return false
}

// The interfaces the file implements.
var (
	_ vfs.Waitable   = (*EventPoll)(nil)
	_ vfs.FileStater = (*EventPoll)(nil)
	_ vfs.FileImpl   = (*EventPoll)(nil)
)

var _ vfs.SignalWatcher = (*EventPoll)(nil)

// AnonInodeName names the file in /proc/PID/fd ("anon_inode:[eventpoll]").
func (*EventPoll) AnonInodeName() string { return "[eventpoll]" }
