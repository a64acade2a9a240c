// Package dev builds the sandbox's /dev: a tmpfs (like Linux's devtmpfs)
// holding device nodes for the memory devices (null, zero, full, random,
// urandom) and tty, the fd/stdin/stdout/stderr symlinks into /proc/self/fd,
// the ptmx symlink into pts, and the pts and shm directories; package
// devpts is the file system to mount on /dev/pts (pseudo-terminals). The devices
// are registered in the mount namespace's device registry, so a node made
// with mknod(2) elsewhere opens the same device.
package dev

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

// Device numbers (major, minor) as on Linux.
const (
	memMajor     = 1
	nullMinor    = 3
	zeroMinor    = 5
	fullMinor    = 7
	randomMinor  = 8
	urandomMinor = 9
	ttyMajor     = 5
	ttyMinor     = 0
)

// RegisterDevices registers the devices of this package in v. New calls
// it; it panics if called twice for one v.
func RegisterDevices(v *vfs.VirtualFilesystem) {
	v.RegisterDevice(vfs.CharDevice, memMajor, nullMinor, opener(func() vfs.FileImpl { return nullFile{} }))
	v.RegisterDevice(vfs.CharDevice, memMajor, zeroMinor, opener(func() vfs.FileImpl { return zeroFile{} }))
	v.RegisterDevice(vfs.CharDevice, memMajor, fullMinor, opener(func() vfs.FileImpl { return fullFile{} }))
	v.RegisterDevice(vfs.CharDevice, memMajor, randomMinor, opener(func() vfs.FileImpl { return randomFile{} }))
	v.RegisterDevice(vfs.CharDevice, memMajor, urandomMinor, opener(func() vfs.FileImpl { return randomFile{} }))
	v.RegisterDevice(vfs.CharDevice, ttyMajor, ttyMinor, ttyDevice{})
}

// opener is a vfs.Device whose files need no state.
type opener func() vfs.FileImpl

// Open implements vfs.Device.Open.
func (o opener) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	return o(), 0
}

// ttyDevice is /dev/tty, the controlling terminal.
type ttyDevice struct{}

// Open implements vfs.Device.Open: the caller's controlling terminal, or
// ENXIO without one, as on Linux.
func (ttyDevice) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	return vfs.OpenControllingTerminal(ctx, vd, flags)
}

type node struct {
	name         string
	major, minor uint32
}

var nodes = []node{
	{"null", memMajor, nullMinor},
	{"zero", memMajor, zeroMinor},
	{"full", memMajor, fullMinor},
	{"random", memMajor, randomMinor},
	{"urandom", memMajor, urandomMinor},
	{"tty", ttyMajor, ttyMinor},
}

var symlinks = [][2]string{
	{"fd", "/proc/self/fd"},
	{"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"},
	{"stderr", "/proc/self/fd/2"},
	{"ptmx", "pts/ptmx"},
}

// New registers the devices in v and returns a populated /dev file system.
func New(v *vfs.VirtualFilesystem) (*vfs.Filesystem, linux.Errno) {
	RegisterDevices(v)
	return NewInstance(v)
}

// NewInstance returns another populated /dev file system for v, whose
// devices New registered (a pod member's /dev).
func NewInstance(v *vfs.VirtualFilesystem) (*vfs.Filesystem, linux.Errno) {
	fs := tmpfs.New(v, tmpfs.Options{RootMode: 0o755})
	ctx := vfs.RootContext()
	root := fs.Root().Inode()
	for _, n := range nodes {
		opts := vfs.CreateOptions{Mode: unix.S_IFCHR | 0o666, Dev: linux.MakeDev(n.major, n.minor)}
		if _, err := root.Mknod(ctx, n.name, opts); err != 0 {
			return nil, err
		}
	}
	for _, s := range symlinks {
		if _, err := root.Symlink(ctx, s[0], s[1], vfs.CreateOptions{Mode: 0o777}); err != 0 {
			return nil, err
		}
	}
	if _, err := root.Mkdir(ctx, "pts", vfs.CreateOptions{Mode: 0o755}); err != 0 {
		return nil, err
	}
	if _, err := root.Mkdir(ctx, "shm", vfs.CreateOptions{Mode: 0o1777}); err != 0 {
		return nil, err
	}
	return fs, 0
}
