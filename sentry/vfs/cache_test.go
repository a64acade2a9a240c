package vfs_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// countFS is a file system whose single directory's contents change behind
// the vfs's back, to test negative caching and revalidation.
type countFS struct {
	negative bool
	root     *countDir
}

func (f *countFS) Name() string                                   { return "count" }
func (f *countFS) Release()                                       {}
func (f *countFS) StatFS(vfs.Context) (linux.Statfs, linux.Errno) { return linux.Statfs{}, 0 }
func (f *countFS) CacheNegativeLookups() bool                     { return f.negative }

type countDir struct {
	vfs.InodeDefaults
	names   map[string]bool
	lookups int
}

func (d *countDir) Perms() vfs.Perms { return vfs.Perms{Mode: unix.S_IFDIR | 0o755} }
func (d *countDir) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{Mode: unix.S_IFDIR | 0o755}, 0
}
func (d *countDir) Lookup(_ vfs.Context, name string) (vfs.Inode, linux.Errno) {
	d.lookups++
	if d.names[name] {
		return &countFile{}, 0
	}
	return nil, linux.ENOENT
}
func (d *countDir) Create(_ vfs.Context, name string, _ vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	d.names[name] = true
	return &countFile{}, 0
}

// revalDir revalidates every cached child against names.
type revalDir struct{ countDir }

func (d *revalDir) Revalidate(_ vfs.Context, name string, child vfs.Inode) bool {
	return d.names[name] == (child != nil)
}

type countFile struct{ vfs.InodeDefaults }

func (countFile) Perms() vfs.Perms { return vfs.Perms{Mode: unix.S_IFREG | 0o644} }
func (countFile) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{Mode: unix.S_IFREG | 0o644}, 0
}

func TestNegativeCache(t *testing.T) {
	for _, negative := range []bool{false, true} {
		e := newEnv(t)
		e.mkdir("/c", 0o755)
		dir := &countDir{names: map[string]bool{}}
		fs := e.v.NewFilesystem(&countFS{negative: negative}, dir)
		e.v.MountAt(rootCtx, e.root, "/c", fs, vfs.MountFlags{})
		for i := 0; i < 3; i++ {
			if _, err := e.v.StatAt(rootCtx, e.op("/c/missing", true), 0); err != linux.ENOENT {
				t.Fatalf("stat missing: %v", err)
			}
		}
		want := 3
		if negative {
			want = 1
		}
		if dir.lookups != want {
			t.Errorf("negative=%v: %d lookups, want %d", negative, dir.lookups, want)
		}
		// Creating the name through the vfs replaces the negative entry.
		fd, err := e.v.OpenAt(rootCtx, e.op("/c/missing", true), unix.O_CREAT|unix.O_WRONLY, 0o644)
		if err != 0 {
			t.Fatalf("create over a negative entry: %v", err)
		}
		fd.DecRef()
		if _, err := e.v.StatAt(rootCtx, e.op("/c/missing", true), 0); err != 0 {
			t.Errorf("stat after create: %v", err)
		}
	}
}

func TestRevalidate(t *testing.T) {
	e := newEnv(t)
	e.mkdir("/r", 0o755)
	dir := &revalDir{countDir{names: map[string]bool{"a": true}}}
	fs := e.v.NewFilesystem(&countFS{negative: true}, dir)
	e.v.MountAt(rootCtx, e.root, "/r", fs, vfs.MountFlags{})
	a, err := e.v.GetDentryAt(rootCtx, e.op("/r/a", true))
	if err != 0 {
		t.Fatal(err)
	}
	if _, err := e.v.StatAt(rootCtx, e.op("/r/b", true), 0); err != linux.ENOENT {
		t.Fatal(err)
	}
	// Behind the vfs's back: a goes, b comes.
	delete(dir.names, "a")
	dir.names["b"] = true
	if _, err := e.v.StatAt(rootCtx, e.op("/r/a", true), 0); err != linux.ENOENT {
		t.Errorf("stale positive entry: %v", err)
	}
	if !a.Dentry().IsDead() {
		t.Errorf("dropped dentry not marked dead")
	}
	if _, err := e.v.StatAt(rootCtx, e.op("/r/b", true), 0); err != 0 {
		t.Errorf("stale negative entry: %v", err)
	}
}

func (countFile) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	return vfs.FileDefaults{}, 0
}
