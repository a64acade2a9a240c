package vfs

import (
	"sync"
	"sync/atomic"

	"moat/sentry/abi/linux"
)

// Dentry binds a name in a directory to an Inode and caches the directory's
// children looked up so far. The dentry cache is authoritative for names it
// holds: every change to a directory goes through the vfs, which keeps the
// cache in step. Directories whose inode implements Revalidator are asked
// before a cached child is trusted.
//
// A Dentry with a nil inode is a negative entry: a cached failed lookup,
// kept only for file systems that ask for it (NegativeLookupCacher). It
// never leaves this file.
type Dentry struct {
	fs    *Filesystem
	inode Inode
	// typ is the file type (S_IFMT bits); it never changes.
	typ uint32
	// revalidator is inode as a Revalidator, or nil.
	revalidator Revalidator

	// parent and name are protected by VirtualFilesystem.renameMu. parent is
	// nil for a file system's root.
	parent *Dentry
	name   string

	// mounts counts Mounts whose mount point is this dentry (atomic, so
	// that walks check it without mountMu).
	mounts atomic.Int32

	// mu guards the fields below and serializes changes to this directory.
	mu sync.RWMutex
	// children caches looked-up names, negative entries included.
	children map[string]*Dentry
	// negatives counts negative entries in children.
	negatives int
	// dead is set once the dentry has been unlinked or removed.
	dead bool
}

// Revalidator is implemented by directory inodes whose children may change
// without the vfs knowing (procfs, a file system shared with the outside).
type Revalidator interface {
	// Revalidate reports whether the cached child name is still what the
	// directory holds; child is nil for a cached failed lookup. A false
	// answer drops the entry (an open file of it stays usable) and the
	// name is looked up again.
	Revalidate(ctx Context, name string, child Inode) bool
}

// NegativeLookupCacher is implemented by FilesystemImpls whose failed
// lookups the vfs may cache: their directories change only through the vfs
// (or their inodes revalidate). It spares a round trip for every miss on a
// remote file system (PATH searches, library and module searches).
type NegativeLookupCacher interface {
	CacheNegativeLookups() bool
}

// maxNegatives bounds the negative entries cached per directory.
const maxNegatives = 256

func newDentry(fs *Filesystem, parent *Dentry, name string, inode Inode) *Dentry {
	d := &Dentry{fs: fs, inode: inode, parent: parent, name: name}
	if inode != nil {
		d.typ = inode.Perms().Type()
		d.revalidator, _ = inode.(Revalidator)
	}
	return d
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

// cachedChild returns the cached positive child called name, or nil.
func (d *Dentry) cachedChild(name string) *Dentry {
	d.mu.RLock()
	c := d.children[name]
	d.mu.RUnlock()
	if c == nil || c.inode == nil || d.revalidator != nil {
		return nil
	}
	return c
}

// lookup returns the child called name, asking the file system on a cache
// miss.
func (d *Dentry) lookup(ctx Context, name string) (*Dentry, linux.Errno) {
	if d.revalidator == nil {
		d.mu.RLock()
		c := d.children[name]
		d.mu.RUnlock()
		if c != nil {
			if c.inode == nil {
				return nil, linux.ENOENT
			}
			return c, 0
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lookupLocked(ctx, name)
}

// lookupLocked is lookup with d.mu held. It never returns a negative
// entry: a cached or new failed lookup is ENOENT.
func (d *Dentry) lookupLocked(ctx Context, name string) (*Dentry, linux.Errno) {
	if c := d.children[name]; c != nil {
		if d.revalidator == nil || d.revalidator.Revalidate(ctx, name, c.inode) {
			if c.inode == nil {
				return nil, linux.ENOENT
			}
			return c, 0
		}
		d.dropChildLocked(name, c)
	}
	if d.dead {
		return nil, linux.ENOENT
	}
	inode, err := d.inode.Lookup(ctx, name)
	if err == linux.ENOENT && d.negativeOKLocked() {
		d.setChildLocked(name, newDentry(d.fs, d, name, nil))
	}
	if err != 0 {
		return nil, err
	}
	return d.insertChildLocked(name, inode), 0
}

// negativeOKLocked reports whether a failed lookup in d may be cached.
func (d *Dentry) negativeOKLocked() bool {
	c, ok := d.fs.impl.(NegativeLookupCacher)
	return ok && c.CacheNegativeLookups() && d.negatives < maxNegatives
}

// setChildLocked installs c as the entry for name, replacing any other.
//
// Preconditions:
// - d.mu is held.
func (d *Dentry) setChildLocked(name string, c *Dentry) {
	if d.children == nil {
		d.children = make(map[string]*Dentry)
	}
	if old := d.children[name]; old != nil && old.inode == nil {
		d.negatives--
	}
	if c.inode == nil {
		d.negatives++
	}
	d.children[name] = c
}

// deleteChildLocked removes the entry for name if it is c.
//
// Preconditions:
// - d.mu is held.
func (d *Dentry) deleteChildLocked(name string, c *Dentry) {
	if d.children[name] != c {
		return
	}
	if c.inode == nil {
		d.negatives--
	}
	delete(d.children, name)
}

// dropChildLocked forgets a stale entry (Revalidate said no): the old
// dentry is marked dead so that holders of it see a removed file.
func (d *Dentry) dropChildLocked(name string, c *Dentry) {
	d.deleteChildLocked(name, c)
	if c.inode != nil {
		c.mu.Lock()
		c.dead = true
		c.mu.Unlock()
	}
}

// insertChildLocked adds a cache entry for a new or looked-up child.
func (d *Dentry) insertChildLocked(name string, inode Inode) *Dentry {
	c := newDentry(d.fs, d, name, inode)
	d.setChildLocked(name, c)
	return c
}

// removeChildLocked drops child from the cache and marks it dead.
func (d *Dentry) removeChildLocked(name string, child *Dentry) {
	d.deleteChildLocked(name, child)
	child.mu.Lock()
	child.dead = true
	child.mu.Unlock()
}
