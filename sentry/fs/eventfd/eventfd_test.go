package eventfd_test

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/eventfd"
	"moat/sentry/vfs"
)

// blockCtx is an interruptible context: Block waits for ch or intr.
type blockCtx struct{ intr chan struct{} }

func (blockCtx) Credentials() *auth.Credentials { return auth.NewRoot() }
func (c blockCtx) Interrupted() bool {
	select {
	case <-c.intr:
		return true
	default:
		return false
	}
}
func (c blockCtx) Block(ch <-chan struct{}) linux.Errno {
	select {
	case <-ch:
		return 0
	case <-c.intr:
		return linux.ERESTARTSYS
	}
}

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func read(t *testing.T, ctx vfs.Context, fd *vfs.FileDescription) (uint64, linux.Errno) {
	t.Helper()
	b := make([]byte, 8)
	n, err := fd.Impl().Read(ctx, fd, b, -1)
	if err == 0 && n != 8 {
		t.Fatalf("read %d bytes", n)
	}
	return binary.LittleEndian.Uint64(b), err
}

func TestCounter(t *testing.T) {
	ctx := blockCtx{make(chan struct{})}
	fd := eventfd.New(3, eventfd.NonBlock)
	defer fd.DecRef()
	e := fd.Impl()
	for _, tc := range []struct {
		name string
		op   func() linux.Errno
		want linux.Errno
	}{
		{"short write", func() linux.Errno { _, err := e.Write(ctx, fd, []byte{1, 2, 3}, -1); return err }, linux.EINVAL},
		{"write ULLONG_MAX", func() linux.Errno { _, err := e.Write(ctx, fd, u64(math.MaxUint64), -1); return err }, linux.EINVAL},
		{"short read", func() linux.Errno { _, err := e.Read(ctx, fd, make([]byte, 7), -1); return err }, linux.EINVAL},
	} {
		if got := tc.op(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if v, err := read(t, ctx, fd); v != 3 || err != 0 {
		t.Fatalf("read = %d, %v; want 3", v, err)
	}
	if _, err := read(t, ctx, fd); err != linux.EAGAIN {
		t.Fatalf("empty read: %v, want EAGAIN", err)
	}
	if _, err := e.Write(ctx, fd, u64(math.MaxUint64-1), -1); err != 0 {
		t.Fatal(err)
	}
	if got := fd.Readiness(ctx, vfs.EventIn|vfs.EventOut); got != vfs.EventIn {
		t.Fatalf("full counter readiness = %#x, want EventIn", got)
	}
	if _, err := e.Write(ctx, fd, u64(1), -1); err != linux.EAGAIN {
		t.Fatalf("overflowing write: %v, want EAGAIN", err)
	}
}

func TestSemaphore(t *testing.T) {
	ctx := blockCtx{make(chan struct{})}
	fd := eventfd.New(2, eventfd.Semaphore|eventfd.NonBlock)
	defer fd.DecRef()
	for i := 0; i < 2; i++ {
		if v, err := read(t, ctx, fd); v != 1 || err != 0 {
			t.Fatalf("read %d = %d, %v", i, v, err)
		}
	}
	if _, err := read(t, ctx, fd); err != linux.EAGAIN {
		t.Fatalf("third read: %v", err)
	}
}

func TestBlockingReadWokenByWrite(t *testing.T) {
	ctx := blockCtx{make(chan struct{})}
	fd := eventfd.New(0, 0)
	defer fd.DecRef()
	if fd.StatusFlags()&unix.O_NONBLOCK != 0 {
		t.Fatal("O_NONBLOCK without EFD_NONBLOCK")
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		fd.Impl().Write(ctx, fd, u64(5), -1)
	}()
	if v, err := read(t, ctx, fd); v != 5 || err != 0 {
		t.Fatalf("blocking read = %d, %v", v, err)
	}
}

func TestBlockingReadInterrupted(t *testing.T) {
	ctx := blockCtx{make(chan struct{})}
	fd := eventfd.New(0, 0)
	defer fd.DecRef()
	go func() {
		time.Sleep(10 * time.Millisecond)
		close(ctx.intr)
	}()
	if _, err := read(t, ctx, fd); err != linux.ERESTARTSYS {
		t.Fatalf("interrupted read: %v, want ERESTARTSYS", err)
	}
}
