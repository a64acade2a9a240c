package inet

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// nsfsKey is the key of the network namespace's mount in
// vfs.AnonymousMount.
const nsfsKey = "netns"

// nsfsMagic is NSFS_MAGIC.
const nsfsMagic = 0x6e736673

// StackOf returns the network namespace of v, making it on first use:
// one per sandbox, which the containers of a pod share. It is kept as a
// detached file system of the VFS (on Linux a network namespace is an
// nsfs inode), like unix.NamespaceOf's sockfs.
func StackOf(v *vfs.VirtualFilesystem) *Stack {
	m := v.AnonymousMount(nsfsKey, func() *vfs.Filesystem {
		return v.NewFilesystem(&nsfs{stack: NewStack()}, nsRoot{})
	})
	return m.Filesystem().Impl().(*nsfs).stack
}

// nsfs holds a Stack for the VFS.
type nsfs struct{ stack *Stack }

// Name implements vfs.FilesystemImpl.Name.
func (*nsfs) Name() string { return "nsfs" }

// StatFS implements vfs.FilesystemImpl.StatFS.
func (*nsfs) StatFS(vfs.Context) (linux.Statfs, linux.Errno) {
	return linux.Statfs{Type: nsfsMagic, Bsize: 4096, Namelen: 255}, 0
}

// Release implements vfs.FilesystemImpl.Release.
func (*nsfs) Release() {}

// nsRoot is the root of the namespace's file system, which nothing can
// reach by path.
type nsRoot struct{ vfs.InodeDefaults }

// Perms implements vfs.Inode.Perms.
func (nsRoot) Perms() vfs.Perms { return vfs.Perms{Mode: unix.S_IFDIR | 0o555} }

// Stat implements vfs.Inode.Stat.
func (nsRoot) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{Mask: linux.STATX_BASIC_STATS, Mode: unix.S_IFDIR | 0o555, Nlink: 2, Ino: 1}, 0
}
