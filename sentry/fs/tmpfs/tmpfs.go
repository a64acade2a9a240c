// Package tmpfs is the sentry's in-memory file system. Directories,
// symlinks and device nodes live in Go memory; the data of a regular file
// lives in a host memfd, so the memory manager can map it into the
// application (vfs.HostFDer) and page cache accounting is the host's.
//
// Lock order: dirInode.mu (two directories: lower inode number first), then
// inode.mu. The vfs serializes changes to a directory (Dentry.mu) before
// calling in.
package tmpfs

import (
	"sync/atomic"
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Options configure a tmpfs instance.
type Options struct {
	// RootMode is the root directory's permission bits (default 01777).
	RootMode uint32
	// RootUID and RootGID own the root directory.
	RootUID, RootGID uint32
	// MaxBytes limits the total size of file data (0: unlimited, reported
	// as 1 GiB free beyond what is used... see StatFS).
	MaxBytes int64
	// MaxInodes limits the number of inodes (0: unlimited).
	MaxInodes int64
	// Now returns the time in nanoseconds since the epoch (default
	// time.Now); tests set it.
	Now func() int64
	// Name and Magic are the file system type the instance reports in
	// mount tables and statfs(2) (default "tmpfs", TMPFS_MAGIC): the
	// sandbox's sysfs and mqueue mounts are tmpfs instances by another
	// name (sentry/boot).
	Name  string
	Magic int64
}

// Filesystem is one tmpfs instance.
type Filesystem struct {
	vfsfs   *vfs.Filesystem
	v       *vfs.VirtualFilesystem
	opts    Options
	nextIno atomic.Uint64
	// usedBytes is the sum of regular file sizes; inodes counts live inodes.
	usedBytes atomic.Int64
	inodes    atomic.Int64
}

// New returns a new tmpfs registered with v.
func New(v *vfs.VirtualFilesystem, opts Options) *vfs.Filesystem {
	if opts.Now == nil {
		opts.Now = func() int64 { return time.Now().UnixNano() }
	}
	if opts.RootMode == 0 {
		opts.RootMode = 0o1777
	}
	if opts.Name == "" {
		opts.Name, opts.Magic = "tmpfs", linux.TMPFS_MAGIC
	}
	fs := &Filesystem{v: v, opts: opts}
	root := fs.newDir(opts.RootMode, vfsUID(opts.RootUID), vfsGID(opts.RootGID), nil)
	fs.vfsfs = v.NewFilesystem(fs, root)
	return fs.vfsfs
}

// Name implements vfs.FilesystemImpl.Name.
func (fs *Filesystem) Name() string { return fs.opts.Name }

// Release implements vfs.FilesystemImpl.Release.
func (fs *Filesystem) Release() {}

// defaultReportedBytes is the size reported when no limit is set.
const defaultReportedBytes = 1 << 30

// StatFS implements vfs.FilesystemImpl.StatFS.
func (fs *Filesystem) StatFS(vfs.Context) (linux.Statfs, linux.Errno) {
	const bs = 4096
	used := (fs.usedBytes.Load() + bs - 1) / bs
	total := fs.opts.MaxBytes / bs
	if total == 0 {
		total = used + defaultReportedBytes/bs
	}
	files := fs.opts.MaxInodes
	if files == 0 {
		files = fs.inodes.Load() + 1<<20
	}
	free := total - used
	if free < 0 {
		free = 0
	}
	return linux.Statfs{
		Type:    fs.opts.Magic,
		Bsize:   bs,
		Frsize:  bs,
		Blocks:  uint64(total),
		Bfree:   uint64(free),
		Bavail:  uint64(free),
		Files:   uint64(files),
		Ffree:   uint64(files - fs.inodes.Load()),
		Namelen: vfs.NameMax,
	}, 0
}

// now returns the current time in nanoseconds.
func (fs *Filesystem) now() int64 { return fs.opts.Now() }

// reserveInode accounts for a new inode.
func (fs *Filesystem) reserveInode() linux.Errno {
	if n := fs.inodes.Add(1); fs.opts.MaxInodes > 0 && n > fs.opts.MaxInodes {
		fs.inodes.Add(-1)
		return linux.ENOSPC
	}
	return 0
}

// reserveBytes accounts for delta more (or fewer) bytes of data.
func (fs *Filesystem) reserveBytes(delta int64) linux.Errno {
	if n := fs.usedBytes.Add(delta); delta > 0 && fs.opts.MaxBytes > 0 && n > fs.opts.MaxBytes {
		fs.usedBytes.Add(-delta)
		return linux.ENOSPC
	}
	return 0
}
