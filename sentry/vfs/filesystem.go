package vfs

import (
	"moat/sentry/abi/linux"
)

// FilesystemImpl is the per-instance part of a file system type.
type FilesystemImpl interface {
	// Name returns the file system type name, such as "tmpfs".
	Name() string
	// StatFS returns statfs(2) information.
	StatFS(ctx Context) (linux.Statfs, linux.Errno)
	// Release is called when the file system is no longer mounted.
	Release()
}

// Filesystem is one instance of a file system: a root inode, a device
// number and its dentry tree.
type Filesystem struct {
	vfs      *VirtualFilesystem
	impl     FilesystemImpl
	devMinor uint32
	root     *Dentry
}

// NewFilesystem registers a file system instance whose root is root and
// gives it an anonymous device number.
func (v *VirtualFilesystem) NewFilesystem(impl FilesystemImpl, root Inode) *Filesystem {
	fs := &Filesystem{vfs: v, impl: impl, devMinor: uint32(v.nextDev.Add(1))}
	fs.root = newDentry(fs, nil, "", root)
	return fs
}

// Impl returns the file system's implementation.
func (fs *Filesystem) Impl() FilesystemImpl { return fs.impl }

// Root returns the root dentry of fs.
func (fs *Filesystem) Root() *Dentry { return fs.root }

// Dev returns the device number st_dev reports for files of fs.
func (fs *Filesystem) Dev() uint64 { return linux.MakeDev(0, fs.devMinor) }

// DevMinor returns the minor device number (the major is 0).
func (fs *Filesystem) DevMinor() uint32 { return fs.devMinor }

// NewAnonDevMinor allocates a device minor number (major 0) for files that
// belong to no Filesystem, such as host fds.
func (v *VirtualFilesystem) NewAnonDevMinor() uint32 { return v.nextDev.Add(1) }
