package gofer

import (
	"testing"

	"golang.org/x/sys/unix"

	goferserver "moat/gofer"
	"moat/internal/unet"
	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// TestNewFromFD builds a root mount the way the boot code does, from the
// sentry's end of a connected gofer socket, and checks that Release ends
// the connection.
func TestNewFromFD(t *testing.T) {
	host := makeTree(t)
	rootFD, err := goferserver.OpenRoot(host)
	if err != nil {
		t.Fatal(err)
	}
	cli, srv, err := unet.SocketPair()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- goferserver.Serve(srv, rootFD, goferserver.Config{ReadOnly: true}) }()

	v := vfs.New()
	fs, err := NewFromFD(v, cli.Release(), Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("NewFromFD: %v", err)
	}
	if _, err := v.MountRoot(fs, vfs.MountFlags{ReadOnly: true}); err != 0 {
		t.Fatalf("MountRoot: %v", err)
	}
	if fs.Impl().Name() != "9p" || !fs.Impl().(*Filesystem).ReadOnly() {
		t.Errorf("file system %q, read-only %v", fs.Impl().Name(), fs.Impl().(*Filesystem).ReadOnly())
	}
	root := v.Root()
	st, errno := v.StatAt(rootCtx, &vfs.PathOp{Root: root, Start: root, Path: "/dir/sub", Follow: true}, linux.STATX_BASIC_STATS)
	if errno != 0 || st.Size != 3 {
		t.Errorf("stat /dir/sub: size %d, %v", st.Size, errno)
	}
	fs.Impl().Release()
	if err := <-done; err != nil {
		t.Errorf("Serve after Release: %v", err)
	}
}

// TestNewErrors: a connection that is not a gofer's fails cleanly.
func TestNewErrors(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fds[1]) // nobody serves
	if _, err := NewFromFD(vfs.New(), fds[0], Options{}); err == nil {
		t.Error("NewFromFD without a gofer succeeded")
	}
}

// TestAttrChanges covers SetStat on directories and special files and
// synchronous writes.
func TestAttrChanges(t *testing.T) {
	e := newEnv(t, false)
	for _, tc := range []struct {
		path string
		err  linux.Errno
	}{
		{"dir", 0},
		{"fifo", 0},
		{"link", linux.EOPNOTSUPP}, // as Linux's lchmod
	} {
		err := e.v.SetStatAt(rootCtx, e.op(tc.path, false), &vfs.SetStatOptions{Mask: linux.STATX_MODE, Mode: 0o700})
		if err != tc.err {
			t.Errorf("chmod %q: %v, want %v", tc.path, err, tc.err)
			continue
		}
		if err == 0 && e.hostLstat(tc.path).Mode&0o7777 != 0o700 {
			t.Errorf("chmod %q: host mode %#o", tc.path, e.hostLstat(tc.path).Mode)
		}
	}
	if err := e.fs.root.SetStat(rootCtx, &vfs.SetStatOptions{Mask: linux.STATX_SIZE}); err != linux.EISDIR {
		t.Errorf("truncate of a directory: %v", err)
	}
	fifo, _ := e.v.GetDentryAt(rootCtx, e.op("fifo", false))
	if err := fifo.Dentry().Inode().SetStat(rootCtx, &vfs.SetStatOptions{Mask: linux.STATX_SIZE}); err != linux.EINVAL {
		t.Errorf("truncate of a FIFO: %v", err)
	}
	fd := e.open("file", unix.O_WRONLY|unix.O_SYNC, 0)
	defer fd.DecRef()
	if n, err := fd.Write(rootCtx, []byte("HE")); n != 2 || err != 0 {
		t.Errorf("O_SYNC write: %d %v", n, err)
	}
	if got := e.hostRead("file"); got != "HEllo" {
		t.Errorf("after O_SYNC write: %q", got)
	}
	if _, err := fd.Read(rootCtx, make([]byte, 1)); err != linux.EBADF {
		t.Errorf("read of a write-only description: %v", err)
	}
}
