package unix

import (
	"sync/atomic"
	"testing"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/vfs"
)

// counter is a waiter that counts notifications.
func counter(mask uint32) (*vfs.Waiter, *atomic.Int32) {
	var n atomic.Int32
	return vfs.NewWaiter(mask, func(uint32) { n.Add(1) }), &n
}

func TestNotifications(t *testing.T) {
	ctx := newCtx()
	fa, fb, _ := Pair(ctx, NamespaceOf(vfs.New()), sysunix.SOCK_STREAM, 0, false)
	a, b := sock(fa), sock(fb)
	w, n := counter(vfs.EventReadable)
	unreg := b.EventRegister(w)
	a.SendMsg(ctx, []byte("x"), SendOptions{})
	if n.Load() == 0 {
		t.Error("no notification for data")
	}
	if b.Readiness(ctx, vfs.EventReadable) == 0 {
		t.Error("not readable with data")
	}
	ww, wn := counter(vfs.EventWritable)
	defer a.EventRegister(ww)()
	b.RecvMsg(ctx, make([]byte, 4), RecvOptions{})
	if wn.Load() == 0 {
		t.Error("the writer heard nothing when its data was read")
	}
	before := n.Load()
	fa.DecRef()
	if n.Load() == before {
		t.Error("no notification for the peer's close")
	}
	if got := b.Readiness(ctx, vfs.EventHUp|vfs.EventRdHUp); got != vfs.EventHUp|vfs.EventRdHUp {
		t.Errorf("readiness after the peer closed = %#x", got)
	}
	unreg()
	fb.DecRef()
}

func TestDatagramSpaceNotification(t *testing.T) {
	ctx := newCtx()
	fa, fb, _ := Pair(ctx, NamespaceOf(vfs.New()), sysunix.SOCK_DGRAM, 0, true)
	a, b := sock(fa), sock(fb)
	for i := 0; i <= maxDgramQueue; i++ {
		if _, err := a.SendMsg(ctx, []byte{byte(i)}, SendOptions{Nonblock: true}); err != 0 {
			t.Fatalf("datagram %d: %v", i, err)
		}
	}
	if _, err := a.SendMsg(ctx, []byte("x"), SendOptions{Nonblock: true}); err == 0 {
		t.Fatal("a full queue took one more datagram")
	}
	if a.Readiness(ctx, vfs.EventWritable) != 0 {
		t.Error("writable towards a full queue")
	}
	w, n := counter(vfs.EventWritable)
	defer a.EventRegister(w)()
	b.RecvMsg(ctx, make([]byte, 1), RecvOptions{})
	if n.Load() == 0 || a.Readiness(ctx, vfs.EventWritable) == 0 {
		t.Error("no room reported after a receive")
	}
	fa.DecRef()
	fb.DecRef()
}

// TestDatagramRegisteredBeforeConnect checks that a poller registered
// with a datagram socket before it connects hears of room made later at
// its peer.
func TestDatagramRegisteredBeforeConnect(t *testing.T) {
	ctx := newCtx()
	ns := NamespaceOf(vfs.New())
	fa, _ := New(ctx, ns, sysunix.SOCK_DGRAM, 0, true)
	fb, _ := New(ctx, ns, sysunix.SOCK_DGRAM, 0, true)
	a, b := sock(fa), sock(fb)
	w, n := counter(vfs.EventWritable)
	defer a.EventRegister(w)()
	name := Address{Abstract: "dst", IsAbstract: true}
	b.Bind(ctx, nil, name)
	if err := a.Connect(ctx, nil, name, true); err != 0 {
		t.Fatal(err)
	}
	for a.Readiness(ctx, vfs.EventWritable) != 0 {
		a.SendMsg(ctx, []byte("x"), SendOptions{Nonblock: true})
	}
	before := n.Load()
	b.RecvMsg(ctx, make([]byte, 1), RecvOptions{})
	if n.Load() == before {
		t.Error("no notification of room at the peer")
	}
	a.Disconnect()
	before = n.Load()
	b.RecvMsg(ctx, make([]byte, 1), RecvOptions{})
	if n.Load() != before {
		t.Error("notified through a dissolved association")
	}
	fa.DecRef()
	fb.DecRef()
}
