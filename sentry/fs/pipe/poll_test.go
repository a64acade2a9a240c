package pipe_test

import (
	"testing"

	"moat/sentry/auth"
	"moat/sentry/fs/pipe"
	"moat/sentry/vfs"
)

type testCtx struct{}

func (testCtx) Credentials() *auth.Credentials { return auth.NewRoot() }

const all = vfs.EventReadable | vfs.EventWritable | vfs.EventAlways

func TestPipeReadiness(t *testing.T) {
	ctx := testCtx{}
	r, w := pipe.New(ctx, 0)
	defer r.DecRef()
	if got := r.Readiness(ctx, all); got != 0 {
		t.Fatalf("empty read end = %#x, want 0", got)
	}
	if got := w.Readiness(ctx, all); got != vfs.EventWritable {
		t.Fatalf("empty write end = %#x, want writable", got)
	}

	// A write wakes a reader's waiter with EventIn.
	var got uint32
	unregister := r.Waitable().EventRegister(vfs.NewWaiter(vfs.EventIn, func(ev uint32) { got |= ev }))
	if _, err := w.Impl().Write(ctx, w, []byte("x"), -1); err != 0 {
		t.Fatal(err)
	}
	unregister()
	if got&vfs.EventIn == 0 {
		t.Fatalf("write notified %#x, want EventIn", got)
	}
	if got := r.Readiness(ctx, all); got != vfs.EventReadable {
		t.Fatalf("read end with data = %#x", got)
	}

	// Writer gone: readable and hung up while data is left, then hung up.
	w.DecRef()
	if got := r.Readiness(ctx, all); got != vfs.EventReadable|vfs.EventHUp {
		t.Fatalf("read end, no writer, data = %#x", got)
	}
	buf := make([]byte, 8)
	if n, err := r.Impl().Read(ctx, r, buf, -1); n != 1 || err != 0 {
		t.Fatalf("read = %d, %v", n, err)
	}
	if got := r.Readiness(ctx, all); got != vfs.EventHUp {
		t.Fatalf("read end, no writer, empty = %#x", got)
	}
}

func TestPipeWriteEndErrAndFull(t *testing.T) {
	ctx := testCtx{}
	r, w := pipe.New(ctx, 0)
	defer w.DecRef()
	big := make([]byte, pipe.DefaultCapacity)
	if n, err := w.Impl().Write(ctx, w, big, -1); n != len(big) || err != 0 {
		t.Fatalf("fill: %d, %v", n, err)
	}
	if got := w.Readiness(ctx, all); got != 0 {
		t.Fatalf("full write end = %#x, want 0", got)
	}
	var got uint32
	unregister := w.Waitable().EventRegister(vfs.NewWaiter(vfs.EventOut, func(ev uint32) { got |= ev }))
	defer unregister()
	if _, err := r.Impl().Read(ctx, r, make([]byte, pipe.AtomicWrite), -1); err != 0 {
		t.Fatal(err)
	}
	if got&vfs.EventOut == 0 {
		t.Fatalf("read notified %#x, want EventOut", got)
	}
	if got := w.Readiness(ctx, all); got != vfs.EventWritable {
		t.Fatalf("write end with PIPE_BUF free = %#x", got)
	}
	r.DecRef()
	if got := w.Readiness(ctx, all); got != vfs.EventWritable|vfs.EventErr {
		t.Fatalf("write end, no reader = %#x", got)
	}
}
