package vfs

import (
	"encoding/binary"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// Limits of inotify, as Linux's defaults.
const (
	// InotifyMaxQueuedEvents is fs.inotify.max_queued_events.
	InotifyMaxQueuedEvents = 16384
	// InotifyMaxUserWatches bounds one instance's watches.
	InotifyMaxUserWatches = 8192
	// sizeofInotifyEvent is struct inotify_event without its name.
	sizeofInotifyEvent = 16
)

// inotifyWatches is the namespace's watch registry, embedded in
// VirtualFilesystem.
type inotifyWatches struct {
	// watchCount is the number of watches; events are skipped at once
	// while it is zero.
	watchCount atomic.Int32
	// inotifyMu guards watched; it comes before Inotify.mu.
	inotifyMu sync.Mutex
	watched   map[Inode][]*inotifyWatch
	// cookies numbers rename event pairs.
	cookies atomic.Uint32
}

// inotifyWatch is one watch: an inode watched by an instance.
type inotifyWatch struct {
	in    *Inotify
	wd    int32
	inode Inode
	// mask is guarded by inotifyMu.
	mask uint32
}

type inotifyEvent struct {
	wd           int32
	mask, cookie uint32
	name         string
}

// size is the record length: the name is NUL-padded to 16 bytes.
func (e *inotifyEvent) size() int {
	if e.name == "" {
		return sizeofInotifyEvent
	}
	return sizeofInotifyEvent + (len(e.name)+1+15)&^15
}

// Inotify is an inotify instance (inotify_init): a FileImpl whose reads
// return events of the watched inodes.
type Inotify struct {
	FileDefaults
	v *VirtualFilesystem

	// mu guards the fields below.
	mu      sync.Mutex
	events  []inotifyEvent
	watches map[int32]*inotifyWatch
	byInode map[Inode]*inotifyWatch
	nextWD  int32
	changed chan struct{}
	queue   Queue
}

// NewInotify returns a new instance's file description.
func (v *VirtualFilesystem) NewInotify(flags uint32) *FileDescription {
	in := &Inotify{
		v: v, watches: make(map[int32]*inotifyWatch), byInode: make(map[Inode]*inotifyWatch),
		nextWD: 1, changed: make(chan struct{}),
	}
	return NewFileDescription(in, VirtualDentry{}, unix.O_RDONLY|flags&unix.O_NONBLOCK)
}

// IsStream implements StreamFile.IsStream.
func (in *Inotify) IsStream() bool { return true }

// Stat implements FileStater.Stat: an anonymous inode.
func (in *Inotify) Stat(Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{Mask: linux.STATX_BASIC_STATS, Mode: 0o600, Nlink: 1, Blksize: 4096}, 0
}

// SetStat implements FileStater.SetStat.
func (in *Inotify) SetStat(Context, *SetStatOptions) linux.Errno { return linux.EPERM }

// AddWatch implements inotify_add_watch(2) on a resolved file; the caller
// has checked read permission. It returns the watch descriptor.
func (in *Inotify) AddWatch(vd VirtualDentry, mask uint32) (int32, linux.Errno) {
	events := mask & unix.IN_ALL_EVENTS
	if events == 0 || (mask&unix.IN_MASK_ADD != 0 && mask&unix.IN_MASK_CREATE != 0) {
		return 0, linux.EINVAL
	}
	if mask&unix.IN_ONLYDIR != 0 && !vd.dentry.IsDir() {
		return 0, linux.ENOTDIR
	}
	keep := mask & (events | unix.IN_ONESHOT | unix.IN_EXCL_UNLINK)
	inode := vd.dentry.inode
	v := in.v
	v.inotifyMu.Lock()
	defer v.inotifyMu.Unlock()
	in.mu.Lock()
	defer in.mu.Unlock()
	if w := in.byInode[inode]; w != nil {
		if mask&unix.IN_MASK_CREATE != 0 {
			return 0, linux.EEXIST
		}
		if mask&unix.IN_MASK_ADD != 0 {
			w.mask |= keep
		} else {
			w.mask = keep
		}
		return w.wd, 0
	}
	if len(in.watches) >= InotifyMaxUserWatches {
		return 0, linux.ENOSPC
	}
	w := &inotifyWatch{in: in, wd: in.nextWD, inode: inode, mask: keep}
	in.nextWD++
	in.watches[w.wd] = w
	in.byInode[inode] = w
	if v.watched == nil {
		v.watched = make(map[Inode][]*inotifyWatch)
	}
	v.watched[inode] = append(v.watched[inode], w)
	v.watchCount.Add(1)
	return w.wd, 0
}

// RmWatch implements inotify_rm_watch(2).
func (in *Inotify) RmWatch(wd int32) linux.Errno {
	v := in.v
	v.inotifyMu.Lock()
	defer v.inotifyMu.Unlock()
	in.mu.Lock()
	defer in.mu.Unlock()
	w := in.watches[wd]
	if w == nil {
		return linux.EINVAL
	}
	v.dropWatchLocked(w)
	in.queueLocked(inotifyEvent{wd: wd, mask: unix.IN_IGNORED})
	return 0
}

// dropWatchLocked removes w everywhere.
//
// Preconditions:
// - v.inotifyMu and w.in.mu are held.
func (v *VirtualFilesystem) dropWatchLocked(w *inotifyWatch) {
	delete(w.in.watches, w.wd)
	delete(w.in.byInode, w.inode)
	ws := v.watched[w.inode]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(v.watched, w.inode)
	} else {
		v.watched[w.inode] = ws
	}
	v.watchCount.Add(-1)
}

// Release implements FileImpl.Release: every watch goes.
func (in *Inotify) Release() {
	v := in.v
	v.inotifyMu.Lock()
	defer v.inotifyMu.Unlock()
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, w := range in.watches {
		v.dropWatchLocked(w)
	}
}

// queueLocked adds an event, merging it with an identical last one and
// reporting IN_Q_OVERFLOW once the queue is full.
//
// Preconditions:
// - in.mu is held.
func (in *Inotify) queueLocked(e inotifyEvent) {
	if n := len(in.events); n > 0 && in.events[n-1] == e {
		return
	}
	switch {
	case len(in.events) == InotifyMaxQueuedEvents:
		e = inotifyEvent{wd: -1, mask: unix.IN_Q_OVERFLOW}
		if in.events[len(in.events)-1] == e {
			return
		}
	case len(in.events) > InotifyMaxQueuedEvents:
		return
	}
	in.events = append(in.events, e)
	close(in.changed)
	in.changed = make(chan struct{})
	in.queue.Notify(EventReadable)
}

// Read implements FileImpl.Read: whole struct inotify_event records; EINVAL
// if the first does not fit.
func (in *Inotify) Read(ctx Context, fd *FileDescription, dst []byte, _ int64) (int, linux.Errno) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for len(in.events) == 0 {
		if fd != nil && fd.StatusFlags()&unix.O_NONBLOCK != 0 {
			return 0, linux.EAGAIN
		}
		ch := in.changed
		in.mu.Unlock()
		err := block(ctx, ch)
		in.mu.Lock()
		if err != 0 {
			return 0, err
		}
	}
	n := 0
	for len(in.events) > 0 {
		e := &in.events[0]
		sz := e.size()
		if n+sz > len(dst) {
			if n == 0 {
				return 0, linux.EINVAL
			}
			break
		}
		b := dst[n : n+sz]
		le := binary.LittleEndian
		le.PutUint32(b[0:], uint32(e.wd))
		le.PutUint32(b[4:], e.mask)
		le.PutUint32(b[8:], e.cookie)
		le.PutUint32(b[12:], uint32(sz-sizeofInotifyEvent))
		clear(b[sizeofInotifyEvent:])
		copy(b[sizeofInotifyEvent:], e.name)
		n += sz
		in.events = in.events[1:]
	}
	return n, 0
}

// Ioctl implements FileImpl.Ioctl: FIONREAD.
func (in *Inotify) Ioctl(_ Context, _ *FileDescription, mem UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	if cmd != linux.FIONREAD {
		return 0, linux.ENOTTY
	}
	in.mu.Lock()
	n := 0
	for i := range in.events {
		n += in.events[i].size()
	}
	in.mu.Unlock()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(n))
	return 0, mem.CopyOut(arg, b[:])
}

// Readiness implements Waitable.Readiness.
func (in *Inotify) Readiness(_ Context, mask uint32) uint32 {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.events) > 0 {
		return EventReadable & mask
	}
	return 0
}

// EventRegister implements Waitable.EventRegister.
func (in *Inotify) EventRegister(w *Waiter) func() { return in.queue.EventRegister(w) }
