package gofer

import (
	"golang.org/x/sys/unix"

	"moat/gofer/proto"
	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Changes to a directory. Each is one gofer call on the directory's
// handle, pinned for the call; the names inodes know are kept up to date
// (names.go).

// pinWritable pins the directory's handle for a change, or fails with
// EROFS on a read-only file system.
func (d *dirInode) pinWritable() (proto.Handle, linux.Errno) {
	if d.fs.opts.ReadOnly {
		return 0, linux.EROFS
	}
	d.changed()
	return d.pin()
}

// Create implements vfs.Inode.Create. The new file comes with a host
// descriptor open for reading and writing, which its inode keeps.
func (d *dirInode) Create(_ vfs.Context, name string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	dh, e := d.pinWritable()
	if e != 0 {
		return nil, e
	}
	h, st, fd, err := d.fs.client.Create(dh, name, unix.O_RDWR|unix.O_EXCL, opts.Mode&07777, uint32(opts.UID), uint32(opts.GID))
	d.unpin()
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
	d.fs.adopt(r, d, name)
	// The vfs opens the new file next; until then it is idle like any
	// closed file.
	d.fs.addIdle(r.res)
	return r, 0
}

// Mkdir implements vfs.Inode.Mkdir.
func (d *dirInode) Mkdir(_ vfs.Context, name string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	dh, e := d.pinWritable()
	if e != 0 {
		return nil, e
	}
	h, st, err := d.fs.client.Mkdir(dh, name, opts.Mode&07777, uint32(opts.UID), uint32(opts.GID))
	d.unpin()
	if err != nil {
		return nil, errno(err)
	}
	return d.newChild(h, &st, sIFDIR, name)
}

// newChild makes the inode of a node the sandbox made as name in d.
func (d *dirInode) newChild(h proto.Handle, st *proto.Stat, typ uint32, name string) (goferInode, linux.Errno) {
	in, e := d.fs.newInodeOfType(h, st, typ)
	if e != 0 {
		return nil, e
	}
	d.fs.adopt(in, d, name)
	return in, 0
}

// Mknod implements vfs.Inode.Mknod for FIFOs and sockets. The gofer makes
// no device nodes: a container's /dev is the sentry's own devfs, so mknod
// of a device here fails with EPERM.
func (d *dirInode) Mknod(_ vfs.Context, name string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	typ := opts.Mode & sIFMT
	if typ != sIFIFO && typ != sIFSOCK && !d.fs.opts.ReadOnly {
		return nil, linux.EPERM
	}
	dh, e := d.pinWritable()
	if e != 0 {
		return nil, e
	}
	h, st, err := d.fs.client.Mknod(dh, name, opts.Mode&(sIFMT|07777), uint32(opts.UID), uint32(opts.GID))
	d.unpin()
	if err != nil {
		return nil, errno(err)
	}
	return d.newChild(h, &st, typ, name)
}

// Symlink implements vfs.Inode.Symlink.
func (d *dirInode) Symlink(_ vfs.Context, name, target string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	dh, e := d.pinWritable()
	if e != 0 {
		return nil, e
	}
	h, st, err := d.fs.client.Symlink(dh, name, target, uint32(opts.UID), uint32(opts.GID))
	d.unpin()
	if err != nil {
		return nil, errno(err)
	}
	in, e := d.newChild(h, &st, sIFLNK, name)
	if e != 0 {
		return nil, e
	}
	in.(*symlinkInode).setTarget(target)
	return in, 0
}

// Link implements vfs.Inode.Link. The vfs binds the new name to target
// itself, so the handle the gofer returns for it is closed; the name is
// added to target's.
func (d *dirInode) Link(_ vfs.Context, name string, target vfs.Inode) linux.Errno {
	if d.fs.opts.ReadOnly {
		return linux.EROFS
	}
	t, ok := target.(goferInode)
	if !ok || t.base().fs != d.fs {
		return linux.EXDEV
	}
	th, e := t.base().pin()
	if e != 0 {
		return e
	}
	defer t.base().unpin()
	dh, e := d.pinWritable()
	if e != 0 {
		return e
	}
	h, st, err := d.fs.client.Link(dh, name, th)
	d.unpin()
	if err != nil {
		return errno(err)
	}
	d.fs.queueClose(h)
	t.base().setAttr(&st)
	t.base().addName(d.res, name)
	return 0
}

// prepareRemove is inode.prepareRemove for the name in d of c, which may
// be nil.
func (d *dirInode) prepareRemove(c vfs.Inode, name string) (undo func(), err linux.Errno) {
	g, ok := c.(goferInode)
	if !ok {
		return func() {}, 0
	}
	return g.base().prepareRemove(d.res, name)
}

// remove is Unlink (flags 0) and Rmdir (AT_REMOVEDIR).
func (d *dirInode) remove(name string, child vfs.Inode, flags int) linux.Errno {
	dh, e := d.pinWritable()
	if e != 0 {
		return e
	}
	defer d.unpin()
	undo, e := d.prepareRemove(child, name)
	if e != 0 {
		return e
	}
	if err := d.fs.client.Unlink(dh, name, flags); err != nil {
		undo()
		return errno(err)
	}
	if c, ok := child.(goferInode); ok {
		c.base().changed()
		c.base().removeName(d.res, name)
		if flags&unix.AT_REMOVEDIR != 0 {
			c.base().updateAttr(func(s *proto.Stat) { s.Nlink = 0 })
		} else {
			c.base().dropLink()
		}
	}
	return 0
}

// Unlink implements vfs.Inode.Unlink.
func (d *dirInode) Unlink(_ vfs.Context, name string, child vfs.Inode) linux.Errno {
	return d.remove(name, child, 0)
}

// Rmdir implements vfs.Inode.Rmdir; the host reports ENOTEMPTY.
func (d *dirInode) Rmdir(_ vfs.Context, name string, child vfs.Inode) linux.Errno {
	return d.remove(name, child, unix.AT_REMOVEDIR)
}

// Rename implements vfs.Inode.Rename. Handles follow the nodes they name;
// the inodes' names are updated (names.go), and a replaced inode loses a
// link.
func (d *dirInode) Rename(_ vfs.Context, oldName string, child vfs.Inode, newParent vfs.Inode, newName string, replaced vfs.Inode, flags uint32) linux.Errno {
	np, ok := newParent.(*dirInode)
	if !ok || np.fs != d.fs {
		return linux.EXDEV
	}
	oh, e := d.pinWritable()
	if e != 0 {
		return e
	}
	defer d.unpin()
	nh, e := np.pinWritable()
	if e != 0 {
		return e
	}
	defer np.unpin()
	// The moved node keeps its handle while its names are out of date, so
	// no walk can use the old name in between.
	c, ok := child.(goferInode)
	if !ok {
		return linux.EXDEV
	}
	if _, e := c.base().pin(); e != 0 {
		return e
	}
	defer c.base().unpin()
	exchange := flags&unix.RENAME_EXCHANGE != 0
	undo := func() {}
	r, rok := replaced.(goferInode)
	switch {
	case exchange && rok:
		if _, e := r.base().pin(); e != 0 {
			return e
		}
		defer r.base().unpin()
	case !exchange:
		if undo, e = np.prepareRemove(replaced, newName); e != 0 {
			return e
		}
	}
	if err := d.fs.client.Rename(oh, oldName, nh, newName, int(flags)); err != nil {
		undo()
		return errno(err)
	}
	c.base().changed()
	c.base().renameName(d.res, oldName, np.res, newName)
	if rok {
		r.base().changed()
	}
	switch {
	case !rok:
	case exchange:
		r.base().renameName(np.res, newName, d.res, oldName)
	case r.base().typ == sIFDIR:
		r.base().removeName(np.res, newName)
		r.base().updateAttr(func(s *proto.Stat) { s.Nlink = 0 })
	default:
		r.base().removeName(np.res, newName)
		r.base().dropLink()
	}
	return 0
}
