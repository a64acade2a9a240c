package vfs

import (
	"golang.org/x/sys/unix"
)

// inotifySpecial are events delivered whatever a watch's mask says.
const inotifySpecial = unix.IN_IGNORED | unix.IN_Q_OVERFLOW | unix.IN_UNMOUNT

// notifyInode queues event for the watches of inode. name is "" for the
// inode itself, or the name of the child of directory inode it is about.
func (v *VirtualFilesystem) notifyInode(inode Inode, event, cookie uint32, name string) {
	if v.watchCount.Load() == 0 || inode == nil {
		return
	}
	v.inotifyMu.Lock()
	defer v.inotifyMu.Unlock()
	for _, w := range append([]*inotifyWatch(nil), v.watched[inode]...) {
		if w.mask&event&unix.IN_ALL_EVENTS == 0 && event&inotifySpecial == 0 {
			continue
		}
		w.in.mu.Lock()
		w.in.queueLocked(inotifyEvent{wd: w.wd, mask: event, cookie: cookie, name: name})
		if w.mask&unix.IN_ONESHOT != 0 || event&unix.IN_DELETE_SELF != 0 {
			v.dropWatchLocked(w)
			w.in.queueLocked(inotifyEvent{wd: w.wd, mask: unix.IN_IGNORED})
		}
		w.in.mu.Unlock()
	}
}

// dirFlag returns IN_ISDIR for a directory.
func dirFlag(d *Dentry) uint32 {
	if d.IsDir() {
		return unix.IN_ISDIR
	}
	return 0
}

// notifyChildLocked reports event about child, called name in directory
// parent: to the child's watches and to the directory's.
//
// Preconditions:
// - v.renameMu is held (parent and name are stable).
func (v *VirtualFilesystem) notifyChildLocked(parent, child *Dentry, name string, event, cookie uint32) {
	if v.watchCount.Load() == 0 {
		return
	}
	event |= dirFlag(child)
	v.notifyInode(child.inode, event, cookie, "")
	if parent != nil {
		v.notifyInode(parent.inode, event, cookie, name)
	}
}

// notifyDentry reports event about d (IN_MODIFY, IN_ATTRIB, IN_OPEN, ...)
// to its watches and its parent directory's.
func (v *VirtualFilesystem) notifyDentry(d *Dentry, event uint32) {
	if v.watchCount.Load() == 0 || d == nil {
		return
	}
	v.renameMu.RLock()
	defer v.renameMu.RUnlock()
	parent := d.parent
	if d.IsDead() {
		parent = nil
	}
	v.notifyChildLocked(parent, d, d.name, event, 0)
}

// notify reports event about an open file.
func (fd *FileDescription) notify(event uint32) {
	if d := fd.vd.dentry; d != nil && fd.vd.mount.vfs.watchCount.Load() != 0 {
		fd.vd.mount.vfs.notifyDentry(d, event)
	}
}

// notifyRemoved reports that child, named name in parent, was unlinked or
// removed: IN_DELETE in the directory, and for the child IN_ATTRIB (its
// link count changed) or, when no link is left, IN_DELETE_SELF, which
// also ends its watches.
//
// Preconditions:
// - v.renameMu is held.
func (v *VirtualFilesystem) notifyRemovedLocked(ctx Context, parent, child *Dentry, name string) {
	if v.watchCount.Load() == 0 {
		return
	}
	v.notifyInode(parent.inode, unix.IN_DELETE|dirFlag(child), 0, name)
	if st, err := child.inode.Stat(ctx, 0); err == 0 && st.Nlink > 0 && !child.IsDir() {
		v.notifyInode(child.inode, unix.IN_ATTRIB, 0, "")
		return
	}
	v.notifyInode(child.inode, unix.IN_DELETE_SELF, 0, "")
}
