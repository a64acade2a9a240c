package vfs

import (
	"moat/sentry/abi/linux"
	"moat/sentry/auth"
)

// Perms is the part of an inode's attributes that path resolution and
// permission checks read on every component: the mode (file type and
// permission bits, as in st_mode), the owner and the group.
type Perms struct {
	Mode uint32
	UID  auth.KUID
	GID  auth.KGID
}

// Type returns the file type bits (S_IFMT) of p.
func (p Perms) Type() uint32 { return p.Mode & sIFMT }

// CreateOptions describe a new file. The vfs has already applied the umask
// and chosen the owner (the caller's fsuid, and the fsgid or the parent's
// group for a set-group-ID directory).
type CreateOptions struct {
	// Mode holds the permission bits and, for Mknod, the file type.
	Mode uint32
	UID  auth.KUID
	GID  auth.KGID
	// Dev is the device number for Mknod of a device (linux.MakeDev).
	Dev uint64
}

// UTIME_NOW and UTIME_OMIT as accepted in SetStatOptions timestamps' Nsec.
const (
	UtimeNow  = (1 << 30) - 1
	UtimeOmit = (1 << 30) - 2
)

// SetStatOptions is a change of attributes. Mask has STATX_MODE, STATX_UID,
// STATX_GID, STATX_SIZE, STATX_ATIME and STATX_MTIME bits for the fields to
// change. A timestamp whose Nsec is UtimeNow means "the current time".
// Permission checks are done by the vfs before the file system sees it.
type SetStatOptions struct {
	Mask  uint32
	Mode  uint32
	UID   auth.KUID
	GID   auth.KGID
	Size  uint64
	Atime linux.StatxTimestamp
	Mtime linux.StatxTimestamp
}

// Inode is a file system's object behind a Dentry. The vfs calls it with
// single path components only: names are never "", "." or "..", never
// contain '/', and are at most 255 bytes. Directory methods are called with
// the directory's Dentry.mu held, so a file system sees at most one change
// at a time in a directory (and, for Rename, the vfs rename lock is held
// exclusively). Embed InodeDefaults for the methods a file type lacks.
type Inode interface {
	// Perms returns the file type, mode, owner and group. It is called on
	// every path component and must not block or do I/O.
	Perms() Perms

	// Stat returns attributes. mask is the STATX_* set the caller wants;
	// a file system may return more. The vfs fills in the device numbers
	// and the mount ID.
	Stat(ctx Context, mask uint32) (linux.Statx, linux.Errno)

	// SetStat changes attributes.
	SetStat(ctx Context, opts *SetStatOptions) linux.Errno

	// Open returns the implementation of an open file of this inode. flags
	// are the open(2) flags without O_CREAT/O_EXCL/O_NOFOLLOW; access
	// checks are done. O_TRUNC on a regular file is applied by the vfs
	// through SetStat before Open.
	Open(ctx Context, vd VirtualDentry, flags uint32) (FileImpl, linux.Errno)

	// Readlink returns a symlink's target (EINVAL if not a symlink).
	Readlink(ctx Context) (string, linux.Errno)

	// Lookup returns the child called name, or ENOENT.
	Lookup(ctx Context, name string) (Inode, linux.Errno)

	// Create makes a regular file. The vfs has checked that name does not
	// exist in its cache; the file system returns EEXIST if it does.
	Create(ctx Context, name string, opts CreateOptions) (Inode, linux.Errno)

	// Mkdir makes a directory.
	Mkdir(ctx Context, name string, opts CreateOptions) (Inode, linux.Errno)

	// Mknod makes a device, FIFO or socket node; opts.Mode has the type.
	Mknod(ctx Context, name string, opts CreateOptions) (Inode, linux.Errno)

	// Symlink makes a symbolic link to target.
	Symlink(ctx Context, name, target string, opts CreateOptions) (Inode, linux.Errno)

	// Link makes name a new hard link to target, an inode of the same
	// Filesystem that is not a directory.
	Link(ctx Context, name string, target Inode) linux.Errno

	// Unlink removes name, which is child and is not a directory.
	Unlink(ctx Context, name string, child Inode) linux.Errno

	// Rmdir removes the directory name (child); ENOTEMPTY if not empty.
	Rmdir(ctx Context, name string, child Inode) linux.Errno

	// Rename moves oldName (child) of this directory to newName in
	// newParent (same Filesystem). replaced is the inode newName names now,
	// or nil. The vfs has checked types (EISDIR/ENOTDIR), permissions,
	// RENAME_NOREPLACE and that a directory is not moved below itself; the
	// file system checks that a replaced directory is empty. flags may
	// have RENAME_EXCHANGE, in which case replaced is non-nil and the two
	// names swap.
	Rename(ctx Context, oldName string, child Inode, newParent Inode, newName string, replaced Inode, flags uint32) linux.Errno
}

// InodeDefaults gives an Inode the error results of the methods that do not
// apply to its type. Embed it and override what the type supports.
type InodeDefaults struct{}

// SetStat implements Inode.SetStat.
func (InodeDefaults) SetStat(Context, *SetStatOptions) linux.Errno { return linux.EPERM }

// Open implements Inode.Open.
func (InodeDefaults) Open(Context, VirtualDentry, uint32) (FileImpl, linux.Errno) {
	return nil, linux.ENXIO
}

// Readlink implements Inode.Readlink.
func (InodeDefaults) Readlink(Context) (string, linux.Errno) { return "", linux.EINVAL }

// Lookup implements Inode.Lookup.
func (InodeDefaults) Lookup(Context, string) (Inode, linux.Errno) { return nil, linux.ENOTDIR }

// Create implements Inode.Create.
func (InodeDefaults) Create(Context, string, CreateOptions) (Inode, linux.Errno) {
	return nil, linux.ENOTDIR
}

// Mkdir implements Inode.Mkdir.
func (InodeDefaults) Mkdir(Context, string, CreateOptions) (Inode, linux.Errno) {
	return nil, linux.ENOTDIR
}

// Mknod implements Inode.Mknod.
func (InodeDefaults) Mknod(Context, string, CreateOptions) (Inode, linux.Errno) {
	return nil, linux.ENOTDIR
}

// Symlink implements Inode.Symlink.
func (InodeDefaults) Symlink(Context, string, string, CreateOptions) (Inode, linux.Errno) {
	return nil, linux.ENOTDIR
}

// Link implements Inode.Link.
func (InodeDefaults) Link(Context, string, Inode) linux.Errno { return linux.ENOTDIR }

// Unlink implements Inode.Unlink.
func (InodeDefaults) Unlink(Context, string, Inode) linux.Errno { return linux.ENOTDIR }

// Rmdir implements Inode.Rmdir.
func (InodeDefaults) Rmdir(Context, string, Inode) linux.Errno { return linux.ENOTDIR }

// Rename implements Inode.Rename.
func (InodeDefaults) Rename(Context, string, Inode, Inode, string, Inode, uint32) linux.Errno {
	return linux.ENOTDIR
}

// MagicLink is implemented by symlink inodes whose target is an object
// rather than a path, like /proc/[pid]/fd/N. Path resolution jumps to the
// returned VirtualDentry instead of walking Readlink's text.
type MagicLink interface {
	LinkTarget(ctx Context) (VirtualDentry, linux.Errno)
}
