package gofer

import (
	"sync"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// dirInode is a directory.
type dirInode struct {
	inode

	// mu guards the fields below, which a read-only file system fills in
	// and never invalidates: its tree cannot change.
	mu sync.Mutex
	// negative holds names a walk found missing.
	negative map[string]struct{}
	// dirents is the listing, once read (listed).
	dirents []proto.Dirent
	listed  bool
}

// Lookup implements vfs.Inode.Lookup with one gofer walk; the attributes
// of the child come with it.
func (d *dirInode) Lookup(_ vfs.Context, name string) (vfs.Inode, linux.Errno) {
	ro := d.fs.opts.ReadOnly
	if ro && d.isNegative(name) {
		return nil, linux.ENOENT
	}
	dh, e := d.pin()
	if e != 0 {
		return nil, e
	}
	h, st, err := d.fs.client.WalkOne(dh, name)
	d.unpin()
	if err != nil {
		if h != 0 {
			d.fs.queueClose(h)
		}
		e := errno(err)
		if e == linux.ENOENT && ro {
			d.addNegative(name)
		}
		return nil, e
	}
	c := d.fs.newInode(h, &st)
	if ro {
		// The handle may be dropped and walked to again (handle_cache.go).
		r := c.base().res
		r.parent, r.name = d.res, name
		d.fs.touchHandle(r)
	}
	return c, 0
}

// isNegative reports whether name is known to be missing.
func (d *dirInode) isNegative(name string) bool {
	d.mu.Lock()
	_, ok := d.negative[name]
	d.mu.Unlock()
	return ok
}

// addNegative remembers that name is missing, forgetting older names once
// Options.MaxNegative are remembered.
func (d *dirInode) addNegative(name string) {
	max := d.fs.opts.MaxNegative
	if max < 0 {
		return
	}
	d.mu.Lock()
	if d.negative == nil || len(d.negative) >= max {
		d.negative = make(map[string]struct{})
	}
	d.negative[name] = struct{}{}
	d.mu.Unlock()
}

// listing returns the directory's entries: read once and kept on a
// read-only file system, read afresh otherwise.
func (d *dirInode) listing() ([]proto.Dirent, linux.Errno) {
	if !d.fs.opts.ReadOnly {
		ents, err := d.fs.client.Getdents(d.res.h)
		return ents, errno(err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.listed {
		h, e := d.pin()
		if e != 0 {
			return nil, e
		}
		ents, err := d.fs.client.Getdents(h)
		d.unpin()
		if err != nil {
			return nil, errno(err)
		}
		d.dirents, d.listed = ents, true
	}
	return d.dirents, 0
}

// Open implements vfs.Inode.Open. Directories are listed through the
// handle; no host descriptor is needed.
func (d *dirInode) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	return &dirFile{dir: d}, 0
}

// SetStat implements vfs.Inode.SetStat.
func (d *dirInode) SetStat(ctx vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	if opts.Mask&linux.STATX_SIZE != 0 {
		return linux.EISDIR
	}
	return d.inode.SetStat(ctx, opts)
}

// writable returns EROFS on a read-only file system. The changing methods
// below run on writable file systems only, whose handles never change:
// they use res.h directly.
func (d *dirInode) writable() linux.Errno {
	if d.fs.opts.ReadOnly {
		return linux.EROFS
	}
	return 0
}

// Create implements vfs.Inode.Create. The new file comes with a host
// descriptor open for reading and writing, which its inode keeps.
func (d *dirInode) Create(_ vfs.Context, name string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	if err := d.writable(); err != 0 {
		return nil, err
	}
	h, st, fd, err := d.fs.client.Create(d.res.h, name, unix.O_RDWR|unix.O_EXCL, opts.Mode&07777, uint32(opts.UID), uint32(opts.GID))
	if err != nil {
		return nil, errno(err)
	}
	in, e := d.fs.newInodeOfType(h, &st, sIFREG)
	if e != 0 {
		unix.Close(fd)
		return nil, e
	}
	r := in.(*regularInode)
	r.res.rwFD = fd
	// The vfs opens the new file next; until then it is idle like any
	// closed file.
	d.fs.addIdle(r.res)
	return r, 0
}

// Mkdir implements vfs.Inode.Mkdir.
func (d *dirInode) Mkdir(_ vfs.Context, name string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	if err := d.writable(); err != 0 {
		return nil, err
	}
	h, st, err := d.fs.client.Mkdir(d.res.h, name, opts.Mode&07777, uint32(opts.UID), uint32(opts.GID))
	if err != nil {
		return nil, errno(err)
	}
	return d.fs.newInodeOfType(h, &st, sIFDIR)
}

// Mknod implements vfs.Inode.Mknod for FIFOs and sockets. The gofer makes
// no device nodes: a container's /dev is the sentry's own devfs, so mknod
// of a device here fails with EPERM.
func (d *dirInode) Mknod(_ vfs.Context, name string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	if err := d.writable(); err != 0 {
		return nil, err
	}
	switch opts.Mode & sIFMT {
	case sIFIFO, sIFSOCK:
	default:
		return nil, linux.EPERM
	}
	h, st, err := d.fs.client.Mknod(d.res.h, name, opts.Mode&(sIFMT|07777), uint32(opts.UID), uint32(opts.GID))
	if err != nil {
		return nil, errno(err)
	}
	return d.fs.newInodeOfType(h, &st, opts.Mode&sIFMT)
}

// Symlink implements vfs.Inode.Symlink.
func (d *dirInode) Symlink(_ vfs.Context, name, target string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	if err := d.writable(); err != 0 {
		return nil, err
	}
	h, st, err := d.fs.client.Symlink(d.res.h, name, target, uint32(opts.UID), uint32(opts.GID))
	if err != nil {
		return nil, errno(err)
	}
	in, e := d.fs.newInodeOfType(h, &st, sIFLNK)
	if e != 0 {
		return nil, e
	}
	in.(*symlinkInode).setTarget(target)
	return in, 0
}

// Link implements vfs.Inode.Link. The vfs binds the new name to target
// itself, so the handle the gofer returns for it is closed.
func (d *dirInode) Link(_ vfs.Context, name string, target vfs.Inode) linux.Errno {
	if err := d.writable(); err != 0 {
		return err
	}
	t, ok := target.(goferInode)
	if !ok || t.base().fs != d.fs {
		return linux.EXDEV
	}
	h, st, err := d.fs.client.Link(d.res.h, name, t.base().res.h)
	if err != nil {
		return errno(err)
	}
	d.fs.queueClose(h)
	t.base().setAttr(&st)
	return 0
}

// Unlink implements vfs.Inode.Unlink.
func (d *dirInode) Unlink(_ vfs.Context, name string, child vfs.Inode) linux.Errno {
	if err := d.writable(); err != 0 {
		return err
	}
	if err := d.fs.client.Unlink(d.res.h, name, 0); err != nil {
		return errno(err)
	}
	if c, ok := child.(goferInode); ok {
		c.base().dropLink()
	}
	return 0
}

// Rmdir implements vfs.Inode.Rmdir; the host reports ENOTEMPTY.
func (d *dirInode) Rmdir(_ vfs.Context, name string, child vfs.Inode) linux.Errno {
	if err := d.writable(); err != 0 {
		return err
	}
	if err := d.fs.client.Unlink(d.res.h, name, unix.AT_REMOVEDIR); err != nil {
		return errno(err)
	}
	if c, ok := child.(goferInode); ok {
		c.base().updateAttr(func(s *proto.Stat) { s.Nlink = 0 })
	}
	return 0
}

// Rename implements vfs.Inode.Rename. Handles follow the nodes they name,
// so no inode changes but a replaced one, which loses a link.
func (d *dirInode) Rename(_ vfs.Context, oldName string, child vfs.Inode, newParent vfs.Inode, newName string, replaced vfs.Inode, flags uint32) linux.Errno {
	if err := d.writable(); err != 0 {
		return err
	}
	np, ok := newParent.(*dirInode)
	if !ok || np.fs != d.fs {
		return linux.EXDEV
	}
	if err := d.fs.client.Rename(d.res.h, oldName, np.res.h, newName, int(flags)); err != nil {
		return errno(err)
	}
	if r, ok := replaced.(goferInode); ok && flags&unix.RENAME_EXCHANGE == 0 {
		if r.base().typ == sIFDIR {
			r.base().updateAttr(func(s *proto.Stat) { s.Nlink = 0 })
		} else {
			r.base().dropLink()
		}
	}
	return 0
}
