package vfs_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// The minimal file system of docs/vfs.md, kept compiling and working here.

type helloFS struct{}

func (helloFS) Name() string { return "hello" }
func (helloFS) Release()     {}
func (helloFS) StatFS(vfs.Context) (linux.Statfs, linux.Errno) {
	return linux.Statfs{Type: 0x48454c4c, Bsize: 4096, Namelen: 255}, 0
}

type rootDir struct{ vfs.InodeDefaults }

func (rootDir) Perms() vfs.Perms { return vfs.Perms{Mode: unix.S_IFDIR | 0o555} }
func (rootDir) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{Mask: linux.STATX_BASIC_STATS, Mode: unix.S_IFDIR | 0o555, Ino: 1, Nlink: 2}, 0
}
func (rootDir) Lookup(_ vfs.Context, name string) (vfs.Inode, linux.Errno) {
	if name == "hello" {
		return helloFile{}, 0
	}
	return nil, linux.ENOENT
}
func (rootDir) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	return rootDirFile{}, 0
}

type rootDirFile struct{ vfs.FileDefaults }

func (rootDirFile) ReadDir(_ vfs.Context, _ *vfs.FileDescription, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	if off <= 2 {
		emit(vfs.Dirent{Name: "hello", Ino: 2, Type: unix.DT_REG, NextOff: 3})
	}
	return 0
}

type helloFile struct{ vfs.InodeDefaults }

func (helloFile) Perms() vfs.Perms { return vfs.Perms{Mode: unix.S_IFREG | 0o444} }
func (helloFile) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{Mask: linux.STATX_BASIC_STATS, Mode: unix.S_IFREG | 0o444, Ino: 2, Nlink: 1, Size: 6}, 0
}
func (helloFile) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	return helloData{}, 0
}

type helloData struct{ vfs.FileDefaults }

func (helloData) Read(_ vfs.Context, _ *vfs.FileDescription, dst []byte, off int64) (int, linux.Errno) {
	const s = "hello\n"
	if off >= int64(len(s)) {
		return 0, 0
	}
	return copy(dst, s[off:]), 0
}
func (helloData) Seek(_ vfs.Context, _ *vfs.FileDescription, off int64, whence int32, cur int64) (int64, linux.Errno) {
	return vfs.GenericSeek(off, whence, cur, 6)
}

func TestDocExample(t *testing.T) {
	e := newEnv(t)
	e.mkdir("/hello", 0o755)
	fs := e.v.NewFilesystem(helloFS{}, rootDir{})
	if _, err := e.v.MountAt(vfs.RootContext(), e.v.Root(), "/hello", fs, vfs.MountFlags{ReadOnly: true}); err != 0 {
		t.Fatal(err)
	}
	if got := e.readFile("/hello/hello"); got != "hello\n" {
		t.Errorf("read %q", got)
	}
	fd, err := e.v.OpenAt(rootCtx, e.op("/hello", true), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != 0 {
		t.Fatal(err)
	}
	defer fd.DecRef()
	var names []string
	fd.Getdents(rootCtx, func(d vfs.Dirent) bool { names = append(names, d.Name); return true })
	if len(names) != 3 || names[2] != "hello" {
		t.Errorf("getdents: %q", names)
	}
	if err := e.v.MkdirAt(rootCtx, e.op("/hello/x", false), 0o755); err != linux.EROFS {
		t.Errorf("mkdir on the read-only mount: %v", err)
	}
	// ".." of the mount root is the parent mount's /.
	if st := e.stat("/hello/..", true); st.Ino != e.stat("/", true).Ino {
		t.Errorf("/hello/.. is not /")
	}
}
