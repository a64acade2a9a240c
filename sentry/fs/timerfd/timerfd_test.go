package timerfd_test

import (
	"encoding/binary"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/timerfd"
	"moat/sentry/vfs"
)

type blockCtx struct{}

func (blockCtx) Credentials() *auth.Credentials       { return auth.NewRoot() }
func (blockCtx) Interrupted() bool                    { return false }
func (blockCtx) Block(ch <-chan struct{}) linux.Errno { <-ch; return 0 }

func read(fd *vfs.FileDescription) (uint64, linux.Errno) {
	b := make([]byte, 8)
	_, err := fd.Impl().Read(blockCtx{}, fd, b, -1)
	return binary.LittleEndian.Uint64(b), err
}

func TestOneShot(t *testing.T) {
	fd := timerfd.New(unix.CLOCK_MONOTONIC, timerfd.NonBlock)
	defer fd.DecRef()
	tf := timerfd.FromFile(fd)
	if _, err := read(fd); err != linux.EAGAIN {
		t.Fatalf("disarmed read: %v", err)
	}
	if _, err := tf.Set(0, timerfd.Spec{Value: int64(20 * time.Millisecond)}); err != 0 {
		t.Fatal(err)
	}
	if s := tf.Get(); s.Value <= 0 || s.Value > int64(20*time.Millisecond) || s.Interval != 0 {
		t.Fatalf("armed Get = %+v", s)
	}
	if fd.Readiness(nil, vfs.EventIn) != 0 {
		t.Fatal("readable before expiry")
	}
	_, ch := waiter(fd)
	<-ch
	if fd.Readiness(nil, vfs.EventIn) == 0 {
		t.Fatal("not readable after expiry")
	}
	if n, err := read(fd); n != 1 || err != 0 {
		t.Fatalf("read = %d, %v", n, err)
	}
	if s := tf.Get(); s != (timerfd.Spec{}) {
		t.Fatalf("expired one-shot Get = %+v, want zero", s)
	}
}

func waiter(fd *vfs.FileDescription) (*vfs.Waiter, <-chan struct{}) {
	w, ch := vfs.NewChannelWaiter(vfs.EventIn)
	fd.Waitable().EventRegister(w)
	return w, ch
}

func TestPeriodicCountsExpirations(t *testing.T) {
	fd := timerfd.New(unix.CLOCK_MONOTONIC, 0)
	defer fd.DecRef()
	tf := timerfd.FromFile(fd)
	tick := int64(5 * time.Millisecond)
	tf.Set(0, timerfd.Spec{Value: tick, Interval: tick})
	time.Sleep(60 * time.Millisecond)
	n, err := read(fd) // blocks until at least one, but several are due
	if err != 0 || n < 3 {
		t.Fatalf("read = %d, %v; want several expirations", n, err)
	}
	old, _ := tf.Set(0, timerfd.Spec{}) // disarm
	if old.Interval != tick {
		t.Fatalf("old interval = %d", old.Interval)
	}
	if fd.Readiness(nil, vfs.EventIn) != 0 {
		t.Fatal("settime did not clear expirations")
	}
}

func TestAbsoluteInThePast(t *testing.T) {
	fd := timerfd.New(unix.CLOCK_REALTIME, 0)
	defer fd.DecRef()
	tf := timerfd.FromFile(fd)
	past := time.Now().Add(-time.Hour).UnixNano()
	if _, err := tf.Set(timerfd.Abstime, timerfd.Spec{Value: past}); err != 0 {
		t.Fatal(err)
	}
	if n, err := read(fd); n != 1 || err != 0 {
		t.Fatalf("read = %d, %v", n, err)
	}
}

func TestSetErrors(t *testing.T) {
	fd := timerfd.New(unix.CLOCK_MONOTONIC, 0)
	defer fd.DecRef()
	tf := timerfd.FromFile(fd)
	if _, err := tf.Set(4, timerfd.Spec{}); err != linux.EINVAL {
		t.Errorf("bad flags: %v", err)
	}
	if _, err := tf.Set(timerfd.CancelOnSet, timerfd.Spec{}); err != 0 {
		t.Errorf("CANCEL_ON_SET without ABSTIME: %v, want success as on Linux", err)
	}
	for clock, want := range map[int32]linux.Errno{
		unix.CLOCK_REALTIME: 0, unix.CLOCK_BOOTTIME: 0, unix.CLOCK_BOOTTIME_ALARM: linux.EPERM,
		unix.CLOCK_PROCESS_CPUTIME_ID: linux.EINVAL, 99: linux.EINVAL,
	} {
		if got := timerfd.ValidClock(clock); got != want {
			t.Errorf("ValidClock(%d) = %v, want %v", clock, got, want)
		}
	}
}
