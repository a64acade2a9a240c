package vfs

import (
	"sync"
	"sync/atomic"

	"moat/sentry/abi/linux"
)

// Dentry binds a name in a directory to an Inode and caches the directory's
// children looked up so far. The dentry cache is authoritative for names it
// holds: every change to a directory goes through the vfs, which keeps the
// cache in step.
type Dentry struct {
	fs    *Filesystem
	inode Inode
	// typ is the file type (S_IFMT bits); it never changes.
	typ uint32

	// parent and name are protected by VirtualFilesystem.renameMu. parent is
	// nil for a file system's root.
	parent *Dentry
	name   string

	// mounts counts Mounts whose mount point is this dentry (atomic, so
	// that walks check it without mountMu).
	mounts atomic.Int32

	// mu guards the fields below and serializes changes to this directory.
	mu sync.RWMutex
	// children caches looked-up names.
	children map[string]*Dentry
	// dead is set once the dentry has been unlinked or removed.
	dead bool
}

func newDentry(fs *Filesystem, parent *Dentry, name string, inode Inode) *Dentry {
	return &Dentry{
		fs:     fs,
		inode:  inode,
		typ:    inode.Perms().Type(),
		parent: parent,
		name:   name,
	}
}

// Inode returns the dentry's inode.
func (d *Dentry) Inode() Inode { return d.inode }

// Filesystem returns the file system the dentry belongs to.
func (d *Dentry) Filesystem() *Filesystem { return d.fs }

// IsDir reports whether d is a directory.
func (d *Dentry) IsDir() bool { return d.typ == sIFDIR }

// IsSymlink reports whether d is a symbolic link.
func (d *Dentry) IsSymlink() bool { return d.typ == sIFLNK }

// Type returns the file type bits (S_IFMT) of d.
func (d *Dentry) Type() uint32 { return d.typ }

// IsDead reports whether d has been unlinked.
func (d *Dentry) IsDead() bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.dead
}

// cachedChild returns the cached child called name, or nil.
func (d *Dentry) cachedChild(name string) *Dentry {
	d.mu.RLock()
	c := d.children[name]
	d.mu.RUnlock()
	return c
}

// lookup returns the child called name, asking the file system on a cache
// miss.
func (d *Dentry) lookup(ctx Context, name string) (*Dentry, linux.Errno) {
	if c := d.cachedChild(name); c != nil {
		return c, 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lookupLocked(ctx, name)
}

// lookupLocked is lookup with d.mu held.
func (d *Dentry) lookupLocked(ctx Context, name string) (*Dentry, linux.Errno) {
	if c := d.children[name]; c != nil {
		return c, 0
	}
	if d.dead {
		return nil, linux.ENOENT
	}
	inode, err := d.inode.Lookup(ctx, name)
	if err != 0 {
		return nil, err
	}
	return d.insertChildLocked(name, inode), 0
}

// insertChildLocked adds a cache entry for a new or looked-up child.
func (d *Dentry) insertChildLocked(name string, inode Inode) *Dentry {
	c := newDentry(d.fs, d, name, inode)
	if d.children == nil {
		d.children = make(map[string]*Dentry)
	}
	d.children[name] = c
	return c
}

// removeChildLocked drops child from the cache and marks it dead.
func (d *Dentry) removeChildLocked(name string, child *Dentry) {
	if d.children[name] == child {
		delete(d.children, name)
	}
	child.mu.Lock()
	child.dead = true
	child.mu.Unlock()
}
