package vfs_test

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// interruptCtx is a Context whose blocking waits end when intr is closed.
type interruptCtx struct {
	testCtx
	intr chan struct{}
}

func (c interruptCtx) Interrupted() bool {
	select {
	case <-c.intr:
		return true
	default:
		return false
	}
}

func (c interruptCtx) Block(ch <-chan struct{}) linux.Errno {
	select {
	case <-ch:
		return 0
	case <-c.intr:
		return linux.ERESTARTSYS
	}
}

func TestRecordLocks(t *testing.T) {
	e := newEnv(t)
	e.writeFile("/f", "x", 0o644)
	vd, _ := e.v.GetDentryAt(rootCtx, e.op("/f", true))
	in := vd.Dentry().Inode()
	a, b := "proc-a", "proc-b"
	v := e.v
	set := func(owner any, typ vfs.LockType, start, end uint64) linux.Errno {
		return v.SetLock(rootCtx, in, owner, 1, typ, start, end, false)
	}
	if err := set(a, vfs.WriteLock, 0, 100); err != 0 {
		t.Fatal(err)
	}
	if err := set(b, vfs.ReadLock, 50, 60); err != linux.EAGAIN {
		t.Errorf("conflicting lock: %v", err)
	}
	if err := set(b, vfs.ReadLock, 100, 200); err != 0 {
		t.Errorf("adjacent lock: %v", err)
	}
	// a unlocks the middle: [0,40) and [60,100) stay.
	if err := set(a, vfs.Unlock, 40, 60); err != 0 {
		t.Fatal(err)
	}
	if _, ok := v.TestLock(in, b, vfs.WriteLock, 45, 55); ok {
		t.Errorf("hole still locked")
	}
	if l, ok := v.TestLock(in, b, vfs.WriteLock, 0, 10); !ok || l.Start != 0 || l.End != 40 || l.Owner != a {
		t.Errorf("left part: %+v %v", l, ok)
	}
	if l, ok := v.TestLock(in, b, vfs.ReadLock, 90, vfs.LockEOF); !ok || l.Start != 60 || l.End != 100 {
		t.Errorf("right part: %+v %v", l, ok)
	}
	// Read locks share.
	if err := set(a, vfs.ReadLock, 150, 160); err != 0 {
		t.Errorf("shared read lock: %v", err)
	}
	// A waiter is woken when the lock goes away.
	done := make(chan linux.Errno)
	go func() { done <- v.SetLock(rootCtx, in, b, 2, vfs.WriteLock, 0, 10, true) }()
	select {
	case err := <-done:
		t.Fatalf("F_SETLKW did not wait: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	v.ReleaseLocks(in, a)
	if err := <-done; err != 0 {
		t.Fatalf("woken waiter: %v", err)
	}
	// Deadlock: b holds [0,10), a holds [20,30); b waits for a; a asking
	// for b's range would deadlock.
	if err := set(a, vfs.WriteLock, 20, 30); err != 0 {
		t.Fatal(err)
	}
	intr := make(chan struct{})
	go func() {
		done <- v.SetLock(interruptCtx{rootCtx, intr}, in, b, 2, vfs.WriteLock, 20, 30, true)
	}()
	time.Sleep(20 * time.Millisecond)
	if err := v.SetLock(rootCtx, in, a, 1, vfs.WriteLock, 0, 10, true); err != linux.EDEADLK {
		t.Errorf("deadlock: %v", err)
	}
	close(intr)
	if err := <-done; err != linux.ERESTARTSYS {
		t.Errorf("interrupted wait: %v", err)
	}
	if err := set(a, vfs.WriteLock, 5, 5); err != linux.EINVAL {
		t.Errorf("empty range: %v", err)
	}
}

func TestFlock(t *testing.T) {
	e := newEnv(t)
	e.writeFile("/f", "x", 0o644)
	open := func() *vfs.FileDescription {
		fd, err := e.v.OpenAt(rootCtx, e.op("/f", true), 0, 0)
		if err != 0 {
			t.Fatal(err)
		}
		return fd
	}
	a, b := open(), open()
	if err := a.Flock(rootCtx, unix.LOCK_EX|unix.LOCK_NB); err != 0 {
		t.Fatal(err)
	}
	if err := b.Flock(rootCtx, unix.LOCK_SH|unix.LOCK_NB); err != linux.EWOULDBLOCK {
		t.Errorf("second flock: %v", err)
	}
	// Record locks live apart from flock locks.
	vd := a.VirtualDentry()
	if err := e.v.SetLock(rootCtx, vd.Dentry().Inode(), "proc", 1, vfs.WriteLock, 0, 10, false); err != 0 {
		t.Errorf("fcntl lock under a flock: %v", err)
	}
	a.DecRef() // the last reference releases the flock
	if err := b.Flock(rootCtx, unix.LOCK_EX|unix.LOCK_NB); err != 0 {
		t.Errorf("flock after release: %v", err)
	}
	if err := b.Flock(rootCtx, 99); err != linux.EINVAL {
		t.Errorf("bad op: %v", err)
	}
	b.DecRef()
}
