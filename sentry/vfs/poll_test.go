package vfs_test

import (
	"sync"
	"testing"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// levelFile is a Waitable whose readiness the test sets.
type levelFile struct {
	vfs.FileDefaults
	mu    sync.Mutex
	ready uint32
	q     vfs.Queue
}

func (f *levelFile) Readiness(_ vfs.Context, mask uint32) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ready & mask
}

func (f *levelFile) EventRegister(w *vfs.Waiter) func() { return f.q.EventRegister(w) }

func (f *levelFile) set(r uint32) {
	f.mu.Lock()
	f.ready = r
	f.mu.Unlock()
	f.q.Notify(r)
}

func TestQueueNotifiesByMask(t *testing.T) {
	var q vfs.Queue
	var got []uint32
	w := vfs.NewWaiter(vfs.EventIn, func(ev uint32) { got = append(got, ev) })
	unregister := q.EventRegister(w)
	if !q.HasWaiters() {
		t.Fatal("no waiters after EventRegister")
	}
	q.Notify(vfs.EventOut)               // not asked for
	q.Notify(vfs.EventIn | vfs.EventOut) // EventIn only
	q.Notify(vfs.EventHUp)               // always reported
	unregister()
	q.Notify(vfs.EventIn) // after unregister: nothing
	want := []uint32{vfs.EventIn, vfs.EventHUp}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("notifications = %#x, want %#x", got, want)
	}
	if q.HasWaiters() {
		t.Fatal("waiter left after unregister")
	}
}

func TestQueueUnregisterKeepsOthers(t *testing.T) {
	var q vfs.Queue
	var a, b int
	ua := q.EventRegister(vfs.NewWaiter(vfs.EventIn, func(uint32) { a++ }))
	q.EventRegister(vfs.NewWaiter(vfs.EventIn, func(uint32) { b++ }))
	ua()
	ua() // twice is harmless
	q.Notify(vfs.EventIn)
	if a != 0 || b != 1 {
		t.Fatalf("a=%d b=%d, want 0 1", a, b)
	}
}

func TestChannelWaiterCoalesces(t *testing.T) {
	w, ch := vfs.NewChannelWaiter(vfs.EventIn)
	w.Notify(vfs.EventIn)
	w.Notify(vfs.EventIn) // must not block: one value is buffered
	<-ch
	select {
	case <-ch:
		t.Fatal("second value buffered")
	default:
	}
	w.Notify(vfs.EventOut)
	select {
	case <-ch:
		t.Fatal("notified for an event outside the mask")
	default:
	}
}

func TestReadinessDefaults(t *testing.T) {
	// A file that is not Waitable is readable and writable, and
	// cannot be waited on.
	fd := vfs.NewFileDescription(&vfs.FileDefaults{}, vfs.VirtualDentry{}, 0)
	if got := fd.Readiness(rootCtx, vfs.EventIn|vfs.EventOut|vfs.EventPri); got != vfs.EventIn|vfs.EventOut {
		t.Fatalf("default readiness = %#x", got)
	}
	if fd.Waitable() != nil {
		t.Fatal("FileDefaults is Waitable")
	}
	if fd.WatchedSignals() != 0 {
		t.Fatal("FileDefaults watches signals")
	}
	lf := &levelFile{}
	wfd := vfs.NewFileDescription(lf, vfs.VirtualDentry{}, 0)
	if wfd.Waitable() == nil {
		t.Fatal("levelFile is not Waitable")
	}
	lf.set(vfs.EventIn | vfs.EventErr)
	if got := wfd.Readiness(rootCtx, vfs.EventIn); got != vfs.EventIn {
		t.Fatalf("readiness = %#x, want EventIn", got)
	}
}

// notPollable is Waitable but says it is not (like a regular host file).
type notPollable struct{ levelFile }

func (*notPollable) Pollable() bool { return false }

func TestPollableRefusal(t *testing.T) {
	fd := vfs.NewFileDescription(&notPollable{}, vfs.VirtualDentry{}, 0)
	if fd.Waitable() != nil {
		t.Fatal("a file that is not Pollable is Waitable")
	}
	if got := fd.Readiness(rootCtx, vfs.EventIn); got != vfs.EventIn {
		t.Fatalf("readiness = %#x, want the default EventIn", got)
	}
}

// TestNoLostWakeup checks the register-then-check protocol under
// concurrent changes: a waiter never sleeps through a change.
func TestNoLostWakeup(t *testing.T) {
	for i := 0; i < 200; i++ {
		lf := &levelFile{}
		w, ch := vfs.NewChannelWaiter(vfs.EventIn)
		unregister := lf.EventRegister(w)
		go lf.set(vfs.EventIn)
		for lf.Readiness(nil, vfs.EventIn) == 0 {
			<-ch
		}
		unregister()
	}
}

// signalFile is a vfs.SignalWatcher.
type signalFile struct{ vfs.FileDefaults }

func (signalFile) WatchedSignals() linux.SigSet { return 1 }

func TestWatchedSignals(t *testing.T) {
	fd := vfs.NewFileDescription(signalFile{}, vfs.VirtualDentry{}, 0)
	if got := fd.WatchedSignals(); got != 1 {
		t.Fatalf("WatchedSignals = %#x, want 1", got)
	}
}
