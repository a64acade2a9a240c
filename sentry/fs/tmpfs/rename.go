package tmpfs

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// lockDirs locks the dirMu of one or two directories in inode order.
func lockDirs(a, b *dirInode) func() {
	if a == b {
		a.dirMu.Lock()
		return a.dirMu.Unlock
	}
	if a.ino > b.ino {
		a, b = b, a
	}
	a.dirMu.Lock()
	b.dirMu.Lock()
	return func() { b.dirMu.Unlock(); a.dirMu.Unlock() }
}

// Rename implements vfs.Inode.Rename.
func (d *dirInode) Rename(_ vfs.Context, oldName string, _ vfs.Inode, newParent vfs.Inode, newName string, _ vfs.Inode, flags uint32) linux.Errno {
	nd, ok := newParent.(*dirInode)
	if !ok || nd.fs != d.fs {
		return linux.EXDEV
	}
	unlock := lockDirs(d, nd)
	defer unlock()
	e := d.byName[oldName]
	if e == nil {
		return linux.ENOENT
	}
	re := nd.byName[newName]
	if flags&unix.RENAME_EXCHANGE != 0 {
		if re == nil {
			return linux.ENOENT
		}
		d.exchangeLocked(e, nd, re)
		return 0
	}
	if re != nil {
		if re.inode == e.inode {
			return 0
		}
		if rd, ok := re.inode.(*dirInode); ok {
			if !rd.isEmpty() {
				return linux.ENOTEMPTY
			}
			nd.removeLocked(newName)
			rd.mu.Lock()
			rd.nlink = 0
			rd.mu.Unlock()
			d.fs.inodes.Add(-1)
		} else {
			nd.removeLocked(newName)
			dropLink(re.inode)
		}
	}
	child := d.removeLocked(oldName)
	nd.addLocked(newName, child)
	child.base().touchCTime()
	return 0
}

// exchangeLocked swaps the inodes of two entries (RENAME_EXCHANGE).
//
// Preconditions:
// - d.dirMu and nd.dirMu are held.
func (d *dirInode) exchangeLocked(e *dirent, nd *dirInode, re *dirent) {
	a, b := e.inode, re.inode
	e.inode, re.inode = b, a
	if d != nd {
		// a moves to nd, b to d.
		if ad, ok := a.(*dirInode); ok {
			ad.parent = nd
			adjustLinks(d, -1)
			adjustLinks(nd, +1)
		}
		if bd, ok := b.(*dirInode); ok {
			bd.parent = d
			adjustLinks(nd, -1)
			adjustLinks(d, +1)
		}
	}
	a.base().touchCTime()
	b.base().touchCTime()
	d.touchCMTime()
	nd.touchCMTime()
}

func adjustLinks(d *dirInode, delta int32) {
	d.mu.Lock()
	d.nlink = uint32(int32(d.nlink) + delta)
	d.mu.Unlock()
}
