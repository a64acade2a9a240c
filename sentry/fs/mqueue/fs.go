package mqueue

import (
	"sort"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/kernel"
	"moat/sentry/kernel/mq"
	"moat/sentry/vfs"
)

// The mqueue file system (mount -t mqueue, Docker's /dev/mqueue): a
// directory of an IPC namespace's queues. Creating a file creates a queue
// with the default attributes, unlinking one removes the queue's name,
// reading one gives its status line; chmod and chown change the queue.

// filesystem is one mqueue mount's instance.
type filesystem struct {
	reg *mq.Registry
}

// Name implements vfs.FilesystemImpl.Name.
func (*filesystem) Name() string { return "mqueue" }

// StatFS implements vfs.FilesystemImpl.StatFS (simple_statfs).
func (*filesystem) StatFS(vfs.Context) (linux.Statfs, linux.Errno) {
	return linux.Statfs{Type: linux.MQUEUE_MAGIC, Bsize: 4096, Namelen: 255, Frsize: 4096}, 0
}

// Release implements vfs.FilesystemImpl.Release.
func (*filesystem) Release() {}

// NewFilesystem returns an mqueue file system showing reg's queues.
func NewFilesystem(v *vfs.VirtualFilesystem, reg *mq.Registry) *vfs.Filesystem {
	return v.NewFilesystem(&filesystem{reg: reg}, &rootInode{reg: reg})
}

// rootInode is the directory of queues: 01777, owned by root.
type rootInode struct {
	vfs.InodeDefaults
	reg *mq.Registry
}

// Perms implements vfs.Inode.Perms.
func (*rootInode) Perms() vfs.Perms { return vfs.Perms{Mode: unix.S_IFDIR | 0o1777} }

// Stat implements vfs.Inode.Stat.
func (r *rootInode) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{Mask: linux.STATX_BASIC_STATS, Blksize: 4096, Nlink: 2, Mode: unix.S_IFDIR | 0o1777, Ino: 1}, 0
}

// Open implements vfs.Inode.Open: the directory lists the queues.
func (r *rootInode) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	return &dirFile{reg: r.reg}, 0
}

// Lookup implements vfs.Inode.Lookup.
func (r *rootInode) Lookup(_ vfs.Context, name string) (vfs.Inode, linux.Errno) {
	q := r.reg.Get(name)
	if q == nil {
		return nil, linux.ENOENT
	}
	return &queueInode{q: q}, 0
}

// Revalidate implements vfs.Revalidator: mq_open and mq_unlink change the
// directory behind the vfs's back.
func (r *rootInode) Revalidate(_ vfs.Context, name string, child vfs.Inode) bool {
	q := r.reg.Get(name)
	if c, ok := child.(*queueInode); ok {
		return c.q == q
	}
	return child == nil && q == nil
}

// Create implements vfs.Inode.Create: a queue with the default
// attributes, charged to the caller.
func (r *rootInode) Create(ctx vfs.Context, name string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	var rlimit uint64 = 819200
	if t, ok := ctx.(*kernel.Task); ok {
		rlimit = t.ThreadGroup().Limit(unix.RLIMIT_MSGQUEUE).Cur
	}
	c := ctx.Credentials()
	q, errno := r.reg.Open(c, mq.OpenOptions{Name: name, Flags: unix.O_CREAT | unix.O_EXCL, Mode: opts.Mode & 0o7777, Rlimit: rlimit})
	if errno != 0 {
		return nil, errno
	}
	q.DecRef() // the name holds the queue; Open takes a reference for the file
	return &queueInode{q: q}, 0
}

// Unlink implements vfs.Inode.Unlink (the vfs has checked the sticky
// directory's rules).
func (r *rootInode) Unlink(_ vfs.Context, name string, child vfs.Inode) linux.Errno {
	c, ok := child.(*queueInode)
	if !ok {
		return linux.ENOENT
	}
	return r.reg.Remove(name, c.q)
}

// Mkdir implements vfs.Inode.Mkdir: only queues live here.
func (*rootInode) Mkdir(vfs.Context, string, vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	return nil, linux.EPERM
}

// Mknod implements vfs.Inode.Mknod.
func (*rootInode) Mknod(vfs.Context, string, vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	return nil, linux.EPERM
}

// Symlink implements vfs.Inode.Symlink.
func (*rootInode) Symlink(vfs.Context, string, string, vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	return nil, linux.EPERM
}

// Link implements vfs.Inode.Link.
func (*rootInode) Link(vfs.Context, string, vfs.Inode) linux.Errno { return linux.EPERM }

// Rename implements vfs.Inode.Rename: queues keep their names.
func (*rootInode) Rename(vfs.Context, string, vfs.Inode, vfs.Inode, string, vfs.Inode, uint32) linux.Errno {
	return linux.EPERM
}

// dirFile is the open root directory.
type dirFile struct {
	vfs.FileDefaults
	reg *mq.Registry
}

// ReadDir implements vfs.FileImpl.ReadDir: the queues by name.
func (d *dirFile) ReadDir(_ vfs.Context, _ *vfs.FileDescription, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	names := d.reg.Names()
	sort.Strings(names)
	for i := int(off - 2); i >= 0 && i < len(names); i++ {
		q := d.reg.Get(names[i])
		if q == nil {
			continue
		}
		if !emit(vfs.Dirent{Name: names[i], Ino: q.Stat().Ino, Type: unix.DT_REG, NextOff: int64(i) + 3}) {
			break
		}
	}
	return 0
}

// Seek implements vfs.FileImpl.Seek.
func (d *dirFile) Seek(_ vfs.Context, _ *vfs.FileDescription, offset int64, whence int32, cur int64) (int64, linux.Errno) {
	return vfs.GenericSeek(offset, whence, cur, 0)
}

// queueInode is a queue's file.
type queueInode struct {
	vfs.InodeDefaults
	q *mq.Queue
}

// Perms implements vfs.Inode.Perms.
func (i *queueInode) Perms() vfs.Perms {
	st := i.q.Stat()
	return vfs.Perms{Mode: unix.S_IFREG | st.Mode, UID: st.UID, GID: st.GID}
}

// Stat implements vfs.Inode.Stat.
func (i *queueInode) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return stat(i.q), 0
}

// SetStat implements vfs.Inode.SetStat.
func (i *queueInode) SetStat(ctx vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	return setStat(ctx.Credentials(), i.q, opts)
}

// Open implements vfs.Inode.Open: a descriptor of the queue (mq_* calls
// work on it too, as on Linux).
func (i *queueInode) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	if !i.q.TryIncRef() {
		return nil, linux.ENOENT
	}
	return &File{q: i.q}, 0
}

func setStat(c *auth.Credentials, q *mq.Queue, opts *vfs.SetStatOptions) linux.Errno {
	if opts.Mask&^(linux.STATX_MODE|linux.STATX_UID|linux.STATX_GID) != 0 {
		return linux.EPERM
	}
	return q.SetOwnerMode(c, opts.Mask, opts.Mode, opts.UID, opts.GID)
}

// The interfaces the file system implements.
var (
	_ vfs.FilesystemImpl = (*filesystem)(nil)
	_ vfs.Inode          = (*rootInode)(nil)
	_ vfs.Revalidator    = (*rootInode)(nil)
	_ vfs.Inode          = (*queueInode)(nil)
)
