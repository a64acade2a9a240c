package dev_test

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/dev"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

type testCtx struct{ creds *auth.Credentials }

func (c testCtx) Credentials() *auth.Credentials { return c.creds }

var ctx = testCtx{auth.NewRoot()}

func setup(t *testing.T) (*vfs.VirtualFilesystem, func(string) *vfs.PathOp) {
	v := vfs.New()
	if _, err := v.MountRoot(tmpfs.New(v, tmpfs.Options{}), vfs.MountFlags{}); err != 0 {
		t.Fatal(err)
	}
	root := v.Root()
	op := func(p string) *vfs.PathOp { return &vfs.PathOp{Root: root, Start: root, Path: p, Follow: true} }
	if err := v.MkdirAt(ctx, op("/dev"), 0o755); err != 0 {
		t.Fatal(err)
	}
	fs, err := dev.New(v)
	if err != 0 {
		t.Fatal(err)
	}
	if _, err := v.MountAt(ctx, root, "/dev", fs, vfs.MountFlags{NoExec: true}); err != 0 {
		t.Fatal(err)
	}
	return v, op
}

func TestDevices(t *testing.T) {
	v, op := setup(t)
	user := testCtx{auth.NewUser(1000, 1000, nil)}
	open := func(p string, flags uint32) *vfs.FileDescription {
		t.Helper()
		fd, err := v.OpenAt(user, op(p), flags, 0)
		if err != 0 {
			t.Fatalf("open %s: %v", p, err)
		}
		return fd
	}
	buf := make([]byte, 64)
	for i := range buf {
		buf[i] = 0xff
	}

	null := open("/dev/null", unix.O_RDWR)
	if n, err := null.Read(user, buf); n != 0 || err != 0 {
		t.Errorf("read /dev/null: %d %v", n, err)
	}
	if n, err := null.Write(user, buf); n != len(buf) || err != 0 {
		t.Errorf("write /dev/null: %d %v", n, err)
	}
	if off, err := null.Seek(user, 100, unix.SEEK_SET); off != 0 || err != 0 {
		t.Errorf("lseek /dev/null: %d %v", off, err)
	}
	null.DecRef()

	zero := open("/dev/zero", unix.O_RDONLY)
	if n, _ := zero.Read(user, buf); n != len(buf) || !bytes.Equal(buf, make([]byte, len(buf))) {
		t.Errorf("read /dev/zero: %d %x", n, buf)
	}
	zero.DecRef()

	full := open("/dev/full", unix.O_RDWR)
	if _, err := full.Write(user, []byte("x")); err != linux.ENOSPC {
		t.Errorf("write /dev/full: %v", err)
	}
	full.DecRef()

	for _, p := range []string{"/dev/random", "/dev/urandom"} {
		r := open(p, unix.O_RDONLY)
		if n, err := r.Read(user, buf); n != len(buf) || err != 0 || bytes.Equal(buf, make([]byte, len(buf))) {
			t.Errorf("read %s: %d %v", p, n, err)
		}
		r.DecRef()
	}

	if _, err := v.OpenAt(user, op("/dev/tty"), unix.O_RDWR, 0); err != linux.ENXIO {
		t.Errorf("open /dev/tty: %v, want ENXIO", err)
	}
}

func TestTree(t *testing.T) {
	v, op := setup(t)
	for _, tc := range []struct {
		path         string
		mode         uint32
		major, minor uint32
	}{
		{"/dev/null", unix.S_IFCHR | 0o666, 1, 3},
		{"/dev/zero", unix.S_IFCHR | 0o666, 1, 5},
		{"/dev/full", unix.S_IFCHR | 0o666, 1, 7},
		{"/dev/random", unix.S_IFCHR | 0o666, 1, 8},
		{"/dev/urandom", unix.S_IFCHR | 0o666, 1, 9},
		{"/dev/tty", unix.S_IFCHR | 0o666, 5, 0},
		{"/dev/pts", unix.S_IFDIR | 0o755, 0, 0},
		{"/dev/shm", unix.S_IFDIR | 0o1777, 0, 0},
	} {
		st, err := v.StatAt(ctx, op(tc.path), linux.STATX_BASIC_STATS)
		if err != 0 || uint32(st.Mode) != tc.mode || st.RdevMajor != tc.major || st.RdevMinor != tc.minor {
			t.Errorf("%s: mode %o rdev %d:%d err %v", tc.path, st.Mode, st.RdevMajor, st.RdevMinor, err)
		}
	}
	for link, target := range map[string]string{
		"/dev/fd": "/proc/self/fd", "/dev/stdin": "/proc/self/fd/0",
		"/dev/stdout": "/proc/self/fd/1", "/dev/stderr": "/proc/self/fd/2",
	} {
		if got, err := v.ReadlinkAt(ctx, op(link)); got != target || err != 0 {
			t.Errorf("readlink %s = %q, %v", link, got, err)
		}
	}
	// A node made with mknod elsewhere opens the registered device.
	if err := v.MknodAt(ctx, op("/mynull"), unix.S_IFCHR|0o666, linux.MakeDev(1, 3)); err != 0 {
		t.Fatal(err)
	}
	fd, err := v.OpenAt(ctx, op("/mynull"), unix.O_WRONLY, 0)
	if err != 0 {
		t.Fatal(err)
	}
	if n, _ := fd.Write(ctx, []byte("abc")); n != 3 {
		t.Errorf("write to mknod'd null: %d", n)
	}
	fd.DecRef()
	// NoDev mounts refuse to open devices.
	if err := v.MkdirAt(ctx, op("/nodev"), 0o755); err != 0 {
		t.Fatal(err)
	}
	if _, err := v.MountAt(ctx, v.Root(), "/nodev", tmpfs.New(v, tmpfs.Options{}), vfs.MountFlags{NoDev: true}); err != 0 {
		t.Fatal(err)
	}
	v.MknodAt(ctx, op("/nodev/null"), unix.S_IFCHR|0o666, linux.MakeDev(1, 3))
	if _, err := v.OpenAt(ctx, op("/nodev/null"), unix.O_RDONLY, 0); err != linux.EACCES {
		t.Errorf("open device on nodev mount: %v", err)
	}
}
