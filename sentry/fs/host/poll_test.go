package host_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/fs/host"
	"moat/sentry/vfs"
)

func TestHostPipeReadiness(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	r, errno := host.NewFile(p[0], host.Options{})
	if errno != 0 {
		t.Fatal(errno)
	}
	defer r.DecRef()
	defer unix.Close(p[1])
	if r.Waitable() == nil {
		t.Fatal("a host pipe is not Waitable")
	}
	if got := r.Readiness(ctx, vfs.EventIn); got != 0 {
		t.Fatalf("empty host pipe = %#x", got)
	}
	w, ch := vfs.NewChannelWaiter(vfs.EventIn)
	unregister := r.Waitable().EventRegister(w)
	defer unregister()
	unix.Write(p[1], []byte("x"))
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("no notification for data on the host pipe")
	}
	if got := r.Readiness(ctx, vfs.EventIn); got != vfs.EventIn {
		t.Fatalf("host pipe with data = %#x", got)
	}
	unix.Close(p[1])
	p[1] = -1
	if got := r.Readiness(ctx, vfs.EventIn|vfs.EventAlways); got != vfs.EventIn|vfs.EventHUp {
		t.Fatalf("host pipe, writer closed = %#x", got)
	}
}

func TestHostRegularFileAlwaysReady(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	hfd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f, errno := host.NewFile(hfd, host.Options{})
	if errno != 0 {
		t.Fatal(errno)
	}
	defer f.DecRef()
	if f.Waitable() != nil {
		t.Fatal("a regular host file is Waitable (epoll must refuse it)")
	}
	if got := f.Readiness(ctx, vfs.EventIn|vfs.EventOut); got != vfs.EventIn|vfs.EventOut {
		t.Fatalf("regular host file = %#x", got)
	}
}
