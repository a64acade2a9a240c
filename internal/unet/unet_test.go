package unet

import (
	"bytes"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func pair(t *testing.T) (*Conn, *Conn) {
	t.Helper()
	a, b, err := SocketPair()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func TestSendRecv(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("hello")
	tests := []struct {
		name string
		msg  []byte
		fds  []int
	}{
		{"bytes", []byte("abc"), nil},
		{"one fd", []byte{1}, []int{int(f.Fd())}},
		{"three fds", bytes.Repeat([]byte{7}, 1000), []int{int(f.Fd()), int(f.Fd()), int(f.Fd())}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := pair(t)
			if err := a.Send(tt.msg, tt.fds); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 4096)
			n, fds, err := b.Recv(buf, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf[:n], tt.msg) {
				t.Fatalf("got %q, want %q", buf[:n], tt.msg)
			}
			if len(fds) != len(tt.fds) {
				t.Fatalf("got %d fds, want %d", len(fds), len(tt.fds))
			}
			for _, fd := range fds {
				p := make([]byte, 5)
				if n, err := unix.Pread(fd, p, 0); err != nil || string(p[:n]) != "hello" {
					t.Fatalf("pread donated fd: %q %v", p[:n], err)
				}
				fl, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
				if fl&unix.FD_CLOEXEC == 0 {
					t.Errorf("donated fd %d is not close-on-exec", fd)
				}
				unix.Close(fd)
			}
		})
	}
}

func TestTruncated(t *testing.T) {
	a, b := pair(t)
	if err := a.Send(make([]byte, 100), nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Recv(make([]byte, 10), nil); err != ErrTruncated {
		t.Fatalf("Recv into short buffer: %v, want ErrTruncated", err)
	}
}

func TestTooManyFDs(t *testing.T) {
	a, _ := pair(t)
	if err := a.Send([]byte{1}, make([]int, MaxFDs+1)); err != unix.EINVAL {
		t.Fatalf("Send with %d fds: %v, want EINVAL", MaxFDs+1, err)
	}
}

// TestCloseWakesRecv checks that Close ends blocked receivers on both ends.
func TestCloseWakesRecv(t *testing.T) {
	a, b := pair(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for _, c := range []*Conn{a, a, b, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := c.Recv(make([]byte, 16), nil)
			errs <- err
		}()
	}
	time.Sleep(20 * time.Millisecond)
	a.Close()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != ErrClosed {
			t.Errorf("Recv after Close: %v, want ErrClosed", err)
		}
	}
	if err := a.Send([]byte{1}, nil); err != ErrClosed {
		t.Errorf("Send after Close: %v, want ErrClosed", err)
	}
	if err := b.Send([]byte{1}, nil); err != ErrClosed {
		t.Errorf("Send to closed peer: %v, want ErrClosed", err)
	}
}

// TestNewConnBlocking checks that NewConn puts a non-blocking socket in
// blocking mode, and that Shutdown ends the peer's Recv.
func TestNewConnBlocking(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewConn(fds[0])
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := NewConn(fds[1])
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if fl, _ := unix.FcntlInt(uintptr(a.FD()), unix.F_GETFL, 0); fl&unix.O_NONBLOCK != 0 {
		t.Fatalf("NewConn left O_NONBLOCK set")
	}
	errc := make(chan error, 1)
	go func() {
		_, _, err := b.Recv(make([]byte, 8), nil)
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	if err := a.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != ErrClosed {
		t.Fatalf("Recv after the peer's Shutdown: %v, want ErrClosed", err)
	}
}
