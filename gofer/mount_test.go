package gofer

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
)

// TestFileRoot serves a single regular file, as for a file bind mount.
func TestFileRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("open_by_handle_at needs CAP_DAC_READ_SEARCH")
	}
	p := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(p, []byte("127.0.0.1 localhost\n"), 0644); err != nil {
		t.Fatal(err)
	}
	opath, err := unix.Open(p, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewServer(opath, Config{}); err != unix.EBADF {
		t.Fatalf("NewServer(O_PATH file) = %v, want EBADF", err)
	}
	unix.Close(opath)
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(fd, Config{})
	if err != nil {
		t.Fatal(err)
	}
	c := serveServer(t, s)
	r, st, err := c.Attach()
	if err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != 20 {
		t.Fatalf("Attach = %+v, %v", st, err)
	}
	ofd, err := c.Open(r, unix.O_RDWR|unix.O_APPEND)
	if err != nil {
		t.Fatal(err)
	}
	unix.Write(ofd, []byte("::1 localhost\n"))
	unix.Close(ofd)
	if b, _ := os.ReadFile(p); string(b) != "127.0.0.1 localhost\n::1 localhost\n" {
		t.Fatalf("file now %q", b)
	}
	tests := []struct {
		name string
		op   func() error
		err  unix.Errno
	}{
		{"walk", func() error { _, _, err := c.WalkOne(r, "x"); return err }, unix.ENOTDIR},
		{"getdents", func() error { _, err := c.Getdents(r); return err }, unix.ENOTDIR},
		{"create", func() error {
			_, _, _, err := c.Create(r, "x", unix.O_RDWR, 0644, proto.NoID, proto.NoID)
			return err
		}, unix.ENOTDIR},
		{"open dir", func() error { _, err := c.Open(r, unix.O_RDONLY|unix.O_DIRECTORY); return err }, unix.ENOTDIR},
		{"truncate", func() error {
			_, err := c.Setattr(r, &proto.SetattrReq{Mask: proto.SetattrSize, Size: 3})
			return err
		}, 0},
		{"open trunc", func() error {
			fd, err := c.Open(r, unix.O_WRONLY|unix.O_TRUNC)
			if err == nil {
				unix.Close(fd)
			}
			return err
		}, 0},
	}
	for _, tt := range tests {
		if err := tt.op(); !errIs(err, tt.err) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.err)
		}
	}
	if st, _ := os.Stat(p); st.Size() != 0 {
		t.Fatalf("size %d after O_TRUNC", st.Size())
	}
}

// TestFileBindMount serves a read-only file bind mount from the confined
// child.
func TestFileBindMount(t *testing.T) {
	root := makeTree(t)
	p := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(p, []byte("nameserver 10.0.0.1\n"), 0644); err != nil {
		t.Fatal(err)
	}
	_, mc := startGoferMount(t, root, false, false, p, true)
	r, _, err := mc.Attach()
	if err != nil {
		t.Fatal(err)
	}
	fd, err := mc.Open(r, unix.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFD(t, fd); got != "nameserver 10.0.0.1\n" {
		t.Fatalf("read %q", got)
	}
	// The server does not check read-only; the kernel does.
	if _, err := mc.Open(r, unix.O_WRONLY); err != unix.EROFS {
		t.Fatalf("Open(O_WRONLY) = %v, want EROFS", err)
	}
}
