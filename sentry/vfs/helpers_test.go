package vfs_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

// testCtx is a vfs.Context with given credentials.
type testCtx struct{ creds *auth.Credentials }

func (c testCtx) Credentials() *auth.Credentials { return c.creds }

var rootCtx = testCtx{auth.NewRoot()}

func userCtx(uid, gid uint32) testCtx {
	return testCtx{auth.NewUser(auth.KUID(uid), auth.KGID(gid), nil)}
}

// env is a mount namespace over a tmpfs root, built with vfs calls.
type env struct {
	t    *testing.T
	v    *vfs.VirtualFilesystem
	root vfs.VirtualDentry
}

func newEnv(t *testing.T) *env {
	t.Helper()
	v := vfs.New()
	fs := tmpfs.New(v, tmpfs.Options{RootMode: 0o755})
	if _, err := v.MountRoot(fs, vfs.MountFlags{}); err != 0 {
		t.Fatalf("MountRoot: %v", err)
	}
	return &env{t: t, v: v, root: v.Root()}
}

func (e *env) op(path string, follow bool) *vfs.PathOp {
	return &vfs.PathOp{Root: e.root, Start: e.root, Path: path, Follow: follow}
}

func (e *env) mkdir(path string, mode uint32) {
	e.t.Helper()
	if err := e.v.MkdirAt(rootCtx, e.op(path, false), mode); err != 0 {
		e.t.Fatalf("mkdir %q: %v", path, err)
	}
}

func (e *env) symlink(target, path string) {
	e.t.Helper()
	if err := e.v.SymlinkAt(rootCtx, e.op(path, false), target); err != 0 {
		e.t.Fatalf("symlink %q: %v", path, err)
	}
}

func (e *env) writeFile(path, data string, mode uint32) {
	e.t.Helper()
	fd, err := e.v.OpenAt(rootCtx, e.op(path, true), unix.O_CREAT|unix.O_WRONLY|unix.O_TRUNC, mode)
	if err != 0 {
		e.t.Fatalf("create %q: %v", path, err)
	}
	defer fd.DecRef()
	if n, err := fd.Write(rootCtx, []byte(data)); err != 0 || n != len(data) {
		e.t.Fatalf("write %q: %d, %v", path, n, err)
	}
}

func (e *env) readFile(path string) string {
	e.t.Helper()
	fd, err := e.v.OpenAt(rootCtx, e.op(path, true), unix.O_RDONLY, 0)
	if err != 0 {
		e.t.Fatalf("open %q: %v", path, err)
	}
	defer fd.DecRef()
	buf := make([]byte, 1<<16)
	n, err := fd.Read(rootCtx, buf)
	if err != 0 {
		e.t.Fatalf("read %q: %v", path, err)
	}
	return string(buf[:n])
}

func (e *env) chown(path string, uid, gid uint32) {
	e.t.Helper()
	err := e.v.SetStatAt(rootCtx, e.op(path, false), &vfs.SetStatOptions{
		Mask: linux.STATX_UID | linux.STATX_GID, UID: auth.KUID(uid), GID: auth.KGID(gid)})
	if err != 0 {
		e.t.Fatalf("chown %q: %v", path, err)
	}
}

func (e *env) chmod(path string, mode uint32) {
	e.t.Helper()
	if err := e.v.SetStatAt(rootCtx, e.op(path, false), &vfs.SetStatOptions{Mask: linux.STATX_MODE, Mode: mode}); err != 0 {
		e.t.Fatalf("chmod %q: %v", path, err)
	}
}

func (e *env) stat(path string, follow bool) linux.Statx {
	e.t.Helper()
	st, err := e.v.StatAt(rootCtx, e.op(path, follow), linux.STATX_BASIC_STATS)
	if err != 0 {
		e.t.Fatalf("stat %q: %v", path, err)
	}
	return st
}

// mountTmpfs mounts a new tmpfs at path.
func (e *env) mountTmpfs(path string, flags vfs.MountFlags) *vfs.Mount {
	e.t.Helper()
	fs := tmpfs.New(e.v, tmpfs.Options{RootMode: 0o755})
	m, err := e.v.MountAt(rootCtx, e.root, path, fs, flags)
	if err != 0 {
		e.t.Fatalf("mount at %q: %v", path, err)
	}
	return m
}
