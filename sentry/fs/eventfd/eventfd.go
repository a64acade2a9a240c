// Package eventfd implements eventfd(2) files: a 64-bit counter that
// writes add to and reads take (all of it, or one with EFD_SEMAPHORE),
// blocking or not, readable while non-zero and writable while one more
// can be added.
//
// Lock order: EventFD.mu, then the leaf locks of pollers' callbacks.
package eventfd

import (
	"encoding/binary"
	"math"
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/fs/anon"
	"moat/sentry/vfs"
)

// Flags of eventfd2(2).
const (
	// Semaphore is EFD_SEMAPHORE: a read takes 1, not the whole count.
	Semaphore = 1
	// NonBlock is EFD_NONBLOCK (O_NONBLOCK).
	NonBlock = unix.O_NONBLOCK
	// CloseOnExec is EFD_CLOEXEC (O_CLOEXEC).
	CloseOnExec = unix.O_CLOEXEC
)

// maxCount is the largest value the counter holds: ULLONG_MAX is kept
// out of reach, as on Linux.
const maxCount = math.MaxUint64 - 1

// EventFD is an eventfd file.
type EventFD struct {
	anon.File
	semaphore bool

	// mu guards count.
	mu    sync.Mutex
	count uint64
	// queue tells pollers and blocked readers and writers of changes.
	queue vfs.Queue
}

// New returns an eventfd file description holding initval. flags are
// eventfd2's (Semaphore, NonBlock; CloseOnExec is the caller's).
func New(initval uint32, flags uint32) *vfs.FileDescription {
	e := &EventFD{count: uint64(initval), semaphore: flags&Semaphore != 0}
	return vfs.NewFileDescription(e, vfs.VirtualDentry{}, unix.O_RDWR|flags&NonBlock)
}

// Read implements vfs.FileImpl.Read: 8 bytes, the count (or 1).
func (e *EventFD) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, off int64) (int, linux.Errno) {
	if err := anon.Positional(off); err != 0 {
		return 0, err
	}
	if len(dst) < 8 {
		return 0, linux.EINVAL
	}
	var v uint64
	err := e.block(ctx, fd, vfs.EventReadable, func() bool {
		if e.count == 0 {
			return false
		}
		if e.semaphore {
			v = 1
		} else {
			v = e.count
		}
		e.count -= v
		e.queue.Notify(vfs.EventWritable)
		return true
	})
	if err != 0 {
		return 0, err
	}
	binary.LittleEndian.PutUint64(dst, v)
	return 8, 0
}

// Write implements vfs.FileImpl.Write: adds an 8-byte value, waiting while
// it does not fit; ULLONG_MAX itself is EINVAL.
func (e *EventFD) Write(ctx vfs.Context, fd *vfs.FileDescription, src []byte, off int64) (int, linux.Errno) {
	if err := anon.Positional(off); err != 0 {
		return 0, err
	}
	if len(src) < 8 {
		return 0, linux.EINVAL
	}
	v := binary.LittleEndian.Uint64(src)
	if v == math.MaxUint64 {
		return 0, linux.EINVAL
	}
	err := e.block(ctx, fd, vfs.EventWritable, func() bool {
		if maxCount-e.count < v {
			return false
		}
		e.count += v
		e.queue.Notify(vfs.EventReadable)
		return true
	})
	if err != 0 {
		return 0, err
	}
	return 8, 0
}

// block runs try with e.mu held until it succeeds, waiting for events in
// between unless fd is non-blocking (EAGAIN). A signal ends the wait with
// ERESTARTSYS.
func (e *EventFD) block(ctx vfs.Context, fd *vfs.FileDescription, events uint32, try func() bool) linux.Errno {
	var ch <-chan struct{}
	for {
		e.mu.Lock()
		ok := try()
		e.mu.Unlock()
		if ok {
			return 0
		}
		if fd.StatusFlags()&unix.O_NONBLOCK != 0 {
			return linux.EAGAIN
		}
		intr, can := ctx.(vfs.Interruptible)
		if !can {
			return linux.EAGAIN
		}
		if ch == nil {
			// Register, then try again before sleeping: no change
			// is lost in between.
			var w *vfs.Waiter
			w, ch = vfs.NewChannelWaiter(events)
			defer e.queue.EventRegister(w)()
			continue
		}
		if err := intr.Block(ch); err != 0 {
			return err
		}
	}
}

// Readiness implements vfs.Waitable.Readiness.
func (e *EventFD) Readiness(_ vfs.Context, mask uint32) uint32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	var r uint32
	if e.count > 0 {
		r |= vfs.EventReadable
	}
	if e.count < maxCount {
		r |= vfs.EventWritable
	}
	return r & mask
}

// EventRegister implements vfs.Waitable.EventRegister.
func (e *EventFD) EventRegister(w *vfs.Waiter) func() { return e.queue.EventRegister(w) }

// Count returns the counter (for tests and /proc fdinfo).
func (e *EventFD) Count() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.count
}

// The interfaces the file implements.
var (
	_ vfs.Waitable   = (*EventFD)(nil)
	_ vfs.FileStater = (*EventFD)(nil)
	_ vfs.FileImpl   = (*EventFD)(nil)
)

// AnonInodeName names the file in /proc/PID/fd ("anon_inode:[eventfd]").
func (*EventFD) AnonInodeName() string { return "[eventfd]" }
