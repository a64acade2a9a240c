// Package timerfd implements timerfd_create(2) files: a one-shot or
// periodic timer on CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME
// whose expirations a read(2) of 8 bytes collects.
//
// Timers run on the sentry's Go timers (the host's monotonic clock);
// absolute times are converted once, when the timer is set, so a step of
// the host's real-time clock afterwards does not move an armed
// CLOCK_REALTIME timer, and TFD_TIMER_CANCEL_ON_SET (accepted with any
// clock, as Linux does: it only matters for an absolute CLOCK_REALTIME
// timer) never cancels.
//
// Lock order: TimerFD.mu, then the leaf locks of pollers' callbacks.
package timerfd

import (
	"encoding/binary"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/fs/anon"
	"moat/sentry/vfs"
)

// Flags of timerfd_create(2) and timerfd_settime(2).
const (
	NonBlock     = unix.O_NONBLOCK
	CloseOnExec  = unix.O_CLOEXEC
	Abstime      = 1 // TFD_TIMER_ABSTIME
	CancelOnSet  = 2 // TFD_TIMER_CANCEL_ON_SET
	settimeFlags = Abstime | CancelOnSet
)

// Spec is an itimerspec: the first expiry and the period, in nanoseconds.
type Spec struct {
	Value    int64
	Interval int64
}

// TimerFD is a timerfd file.
type TimerFD struct {
	anon.File
	clock int32

	// mu guards the fields below.
	mu sync.Mutex
	// next is the next expiry (zero: disarmed).
	next     time.Time
	interval time.Duration
	// ticks counts expirations not yet read.
	ticks uint64
	timer *time.Timer
	// gen is bumped by every settime, so a stale timer callback is ignored.
	gen uint64
	// queue tells pollers and blocked readers of expirations.
	queue vfs.Queue
}

// ValidClock reports whether timerfd_create accepts clock, or its errno.
func ValidClock(clock int32) linux.Errno {
	switch clock {
	case unix.CLOCK_REALTIME, unix.CLOCK_MONOTONIC, unix.CLOCK_BOOTTIME:
		return 0
	case unix.CLOCK_REALTIME_ALARM, unix.CLOCK_BOOTTIME_ALARM:
		// Alarm clocks need CAP_WAKE_ALARM, which the sandbox never
		// grants.
		return linux.EPERM
	}
	return linux.EINVAL
}

// New returns a disarmed timerfd on clock; flags may hold NonBlock.
func New(clock int32, flags uint32) *vfs.FileDescription {
	return vfs.NewFileDescription(&TimerFD{clock: clock}, vfs.VirtualDentry{}, unix.O_RDWR|flags&NonBlock)
}

// FromFile returns the timerfd fd is, or nil.
func FromFile(fd *vfs.FileDescription) *TimerFD {
	t, _ := fd.Impl().(*TimerFD)
	return t
}

// clockNow reads the timer's clock in nanoseconds.
func (t *TimerFD) clockNow() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(t.clock, &ts); err != nil {
		return time.Now().UnixNano()
	}
	return ts.Nano()
}

// Release implements vfs.FileImpl.Release.
func (t *TimerFD) Release() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gen++
	if t.timer != nil {
		t.timer.Stop()
	}
}

// getLocked returns the time to the next expiry and the period.
//
// Preconditions:
// - t.mu is held.
func (t *TimerFD) getLocked() Spec {
	var s Spec
	if !t.next.IsZero() {
		// An armed timer never shows zero left: that means disarmed.
		s.Value = max(int64(time.Until(t.next)), 1)
	}
	s.Interval = int64(t.interval)
	return s
}

// Get implements timerfd_gettime(2).
func (t *TimerFD) Get() Spec {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.getLocked()
}

// Set implements timerfd_settime(2): it arms (or, with a zero value,
// disarms) the timer, clears unread expirations and returns the old
// setting.
func (t *TimerFD) Set(flags int32, s Spec) (Spec, linux.Errno) {
	if flags&^settimeFlags != 0 {
		return Spec{}, linux.EINVAL
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.getLocked()
	t.gen++
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	t.ticks = 0
	t.next = time.Time{}
	t.interval = time.Duration(s.Interval)
	if s.Value == 0 {
		return old, 0
	}
	d := time.Duration(s.Value)
	if flags&Abstime != 0 {
		d = time.Duration(s.Value - t.clockNow())
	}
	t.next = time.Now().Add(d)
	gen := t.gen
	t.timer = time.AfterFunc(max(d, 0), func() { t.expire(gen) })
	return old, 0
}

// expire counts the expirations due and re-arms a periodic timer.
func (t *TimerFD) expire(gen uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if gen != t.gen || t.next.IsZero() {
		return
	}
	now := time.Now()
	if now.Before(t.next) {
		t.timer = time.AfterFunc(t.next.Sub(now), func() { t.expire(gen) })
		return
	}
	if t.interval <= 0 {
		t.ticks++
		t.next = time.Time{}
	} else {
		n := uint64(now.Sub(t.next)/t.interval) + 1
		t.ticks += n
		t.next = t.next.Add(time.Duration(n) * t.interval)
		t.timer = time.AfterFunc(t.next.Sub(now), func() { t.expire(gen) })
	}
	t.queue.Notify(vfs.EventReadable)
}

// Read implements vfs.FileImpl.Read: the number of expirations since the
// last read or settime, as 8 bytes, waiting for one unless non-blocking.
func (t *TimerFD) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, off int64) (int, linux.Errno) {
	if err := anon.Positional(off); err != 0 {
		return 0, err
	}
	if len(dst) < 8 {
		return 0, linux.EINVAL
	}
	var ch <-chan struct{}
	for {
		t.mu.Lock()
		n := t.ticks
		t.ticks = 0
		t.mu.Unlock()
		if n > 0 {
			binary.LittleEndian.PutUint64(dst, n)
			return 8, 0
		}
		if fd.StatusFlags()&unix.O_NONBLOCK != 0 {
			return 0, linux.EAGAIN
		}
		intr, ok := ctx.(vfs.Interruptible)
		if !ok {
			return 0, linux.EAGAIN
		}
		if ch == nil {
			var w *vfs.Waiter
			w, ch = vfs.NewChannelWaiter(vfs.EventReadable)
			defer t.queue.EventRegister(w)()
			continue
		}
		if err := intr.Block(ch); err != 0 {
			return 0, err
		}
	}
}

// Readiness implements vfs.Waitable.Readiness: readable once it expired.
func (t *TimerFD) Readiness(_ vfs.Context, mask uint32) uint32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ticks > 0 {
		return vfs.EventReadable & mask
	}
	return 0
}

// EventRegister implements vfs.Waitable.EventRegister.
func (t *TimerFD) EventRegister(w *vfs.Waiter) func() { return t.queue.EventRegister(w) }

// The interfaces the file implements.
var (
	_ vfs.Waitable   = (*TimerFD)(nil)
	_ vfs.FileStater = (*TimerFD)(nil)
	_ vfs.FileImpl   = (*TimerFD)(nil)
)

// AnonInodeName names the file in /proc/PID/fd ("anon_inode:[timerfd]").
func (*TimerFD) AnonInodeName() string { return "[timerfd]" }
