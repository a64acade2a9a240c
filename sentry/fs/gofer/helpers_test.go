package gofer

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	goferserver "moat/gofer"
	"moat/gofer/proto"
	"moat/internal/unet"
	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

// testCtx is a vfs.Context with given credentials.
type testCtx struct{ creds *auth.Credentials }

func (c testCtx) Credentials() *auth.Credentials { return c.creds }

var rootCtx = testCtx{auth.NewRoot()}

// makeTree builds the test tree under a new temporary directory:
//
//	file        "hello"
//	dir/sub     "sub" (0600)
//	dir/inner/  (empty)
//	link     -> file
//	dirlink  -> dir
//	abs      -> /dir/sub (absolute: resolved in the sandbox's root)
//	loop     -> loop
//	fifo        (FIFO)
//	sock        (socket node)
//	null        (character device 1:3)
func makeTree(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(root, "file"), []byte("hello"), 0o644))
	must(os.MkdirAll(filepath.Join(root, "dir", "inner"), 0o755))
	must(os.WriteFile(filepath.Join(root, "dir", "sub"), []byte("sub"), 0o600))
	must(os.Symlink("file", filepath.Join(root, "link")))
	must(os.Symlink("dir", filepath.Join(root, "dirlink")))
	must(os.Symlink("/dir/sub", filepath.Join(root, "abs")))
	must(os.Symlink("loop", filepath.Join(root, "loop")))
	must(unix.Mkfifo(filepath.Join(root, "fifo"), 0o644))
	must(unix.Mknod(filepath.Join(root, "sock"), unix.S_IFSOCK|0o644, 0))
	if err := unix.Mknod(filepath.Join(root, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		// Unprivileged runs cannot make devices; a FIFO keeps the
		// tree's shape and the device cases skip.
		must(unix.Mkfifo(filepath.Join(root, "null"), 0o666))
	}
	return root
}

// env is a mount namespace whose root is a gofer file system serving a
// temporary tree through an in-process gofer server.
type env struct {
	t      testing.TB
	host   string // host path of the served tree
	v      *vfs.VirtualFilesystem
	root   vfs.VirtualDentry
	fs     *Filesystem
	client *proto.Client
}

// newEnv serves a new test tree read-only or read-write and mounts it.
func newEnv(t testing.TB, ro bool) *env {
	t.Helper()
	return newEnvOpts(t, makeTree(t), Options{ReadOnly: ro})
}

// newEnvOpts serves the tree at host and mounts it as the root.
func newEnvOpts(t testing.TB, host string, opts Options) *env {
	ro := opts.ReadOnly
	t.Helper()
	rootFD, err := goferserver.OpenRoot(host)
	if err != nil {
		t.Fatal(err)
	}
	cli, srv, err := unet.SocketPair()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- goferserver.Serve(srv, rootFD, goferserver.Config{ReadOnly: ro}) }()
	c := proto.NewClientConn(cli)
	t.Cleanup(func() {
		c.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	v := vfs.New()
	vfsfs, err := New(v, c, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, err := v.MountRoot(vfsfs, vfs.MountFlags{ReadOnly: ro}); err != 0 {
		t.Fatalf("MountRoot: %v", err)
	}
	return &env{t: t, host: host, v: v, root: v.Root(), fs: vfsfs.Impl().(*Filesystem), client: c}
}

func (e *env) op(path string, follow bool) *vfs.PathOp {
	return &vfs.PathOp{Root: e.root, Start: e.root, Path: path, Follow: follow}
}

func (e *env) hostPath(path string) string { return filepath.Join(e.host, path) }

// open opens path and fails the test on error.
func (e *env) open(path string, flags, mode uint32) *vfs.FileDescription {
	e.t.Helper()
	fd, err := e.v.OpenAt(rootCtx, e.op(path, true), flags, mode)
	if err != 0 {
		e.t.Fatalf("open %q: %v", path, err)
	}
	return fd
}

// readFile reads all of path through the vfs.
func (e *env) readFile(path string) string {
	e.t.Helper()
	fd := e.open(path, unix.O_RDONLY, 0)
	defer fd.DecRef()
	var out []byte
	buf := make([]byte, 3)
	for {
		n, err := fd.Read(rootCtx, buf)
		if err != 0 {
			e.t.Fatalf("read %q: %v", path, err)
		}
		if n == 0 {
			return string(out)
		}
		out = append(out, buf[:n]...)
	}
}

// stat stats path through the vfs.
func (e *env) stat(path string, follow bool) (linux.Statx, linux.Errno) {
	return e.v.StatAt(rootCtx, e.op(path, follow), linux.STATX_BASIC_STATS)
}

// hostLstat stats path on the host.
func (e *env) hostLstat(path string) unix.Stat_t {
	e.t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(e.hostPath(path), &st); err != nil {
		e.t.Fatalf("lstat %q: %v", path, err)
	}
	return st
}

// names lists the directory at path through getdents, in order.
func (e *env) names(path string) []string {
	e.t.Helper()
	fd := e.open(path, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	defer fd.DecRef()
	var out []string
	if err := fd.Getdents(rootCtx, func(d vfs.Dirent) bool {
		out = append(out, d.Name)
		return true
	}); err != 0 {
		e.t.Fatalf("getdents %q: %v", path, err)
	}
	return out
}
