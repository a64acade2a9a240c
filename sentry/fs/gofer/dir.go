package gofer

import (
	"sync"

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
	d.fs.adopt(c, d, name)
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
		h, e := d.pin()
		if e != 0 {
			return nil, e
		}
		ents, err := d.fs.client.Getdents(h)
		d.unpin()
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
