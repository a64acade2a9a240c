package vfs

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// RenameAt implements rename(2)/renameat2(2) with RENAME_NOREPLACE and
// RENAME_EXCHANGE.
func (v *VirtualFilesystem) RenameAt(ctx Context, oldOp, newOp *PathOp, flags uint32) linux.Errno {
	if flags&^(unix.RENAME_NOREPLACE|unix.RENAME_EXCHANGE) != 0 {
		return linux.EINVAL
	}
	if flags&unix.RENAME_NOREPLACE != 0 && flags&unix.RENAME_EXCHANGE != 0 {
		return linux.EINVAL
	}
	v.renameMu.Lock()
	defer v.renameMu.Unlock()

	ro, err := v.newResolver(ctx, oldOp)
	if err != 0 {
		return err
	}
	oldName, oldTrailing, err := ro.walkToLast()
	if err != 0 {
		return err
	}
	rn, err := v.newResolver(ctx, newOp)
	if err != 0 {
		return err
	}
	newName, newTrailing, err := rn.walkToLast()
	if err != 0 {
		return err
	}
	if err := ro.checkDir(oldName); err != 0 {
		return err
	}
	if err := rn.checkDir(newName); err != 0 {
		return err
	}
	if isDot(oldName) || isDot(newName) {
		if flags&unix.RENAME_NOREPLACE != 0 && !isDot(oldName) {
			return linux.EEXIST
		}
		return linux.EBUSY
	}
	oldParent, newParent := ro.cur, rn.cur
	if oldParent.mount != newParent.mount {
		return linux.EXDEV
	}
	if oldParent.mount.ReadOnly() {
		return linux.EROFS
	}
	od, nd := oldParent.dentry, newParent.dentry
	// renameMu is held for writing: no other walk or directory operation
	// runs, so these locks cannot be contended; they are taken to honour
	// the Inode contract.
	od.mu.Lock()
	defer od.mu.Unlock()
	if nd != od {
		nd.mu.Lock()
		defer nd.mu.Unlock()
	}
	child, err := od.lookupLocked(ctx, oldName)
	if err != 0 {
		return err
	}
	replaced, err := nd.lookupLocked(ctx, newName)
	switch {
	case err == linux.ENOENT:
		replaced = nil
		if nd.dead {
			return linux.ENOENT
		}
	case err != 0:
		return err
	}
	if err := checkRename(ctx, v, oldParent, child, newParent, replaced, oldTrailing, newTrailing, flags); err != 0 {
		return err
	}
	if replaced != nil && replaced.inode == child.inode {
		// Two names of one file: rename does nothing.
		return 0
	}
	var replacedInode Inode
	if replaced != nil {
		replacedInode = replaced.inode
	}
	if err := od.inode.Rename(ctx, oldName, child.inode, nd.inode, newName, replacedInode, flags); err != 0 {
		return err
	}
	od.deleteChildLocked(oldName, child)
	if replaced != nil {
		nd.deleteChildLocked(newName, replaced)
		if flags&unix.RENAME_EXCHANGE != 0 {
			replaced.parent, replaced.name = od, oldName
			od.setChildLocked(oldName, replaced)
		} else {
			replaced.mu.Lock()
			replaced.dead = true
			replaced.children, replaced.negatives = nil, 0
			replaced.mu.Unlock()
		}
	}
	child.parent, child.name = nd, newName
	nd.setChildLocked(newName, child)
	v.notifyRenameLocked(ctx, od, oldName, nd, newName, child, replaced, flags&unix.RENAME_EXCHANGE != 0)
	return 0
}

func isDot(name string) bool { return name == "" || name == "." || name == ".." }

// checkRename checks types, busy mount points, loops and permissions.
func checkRename(ctx Context, v *VirtualFilesystem, oldParent VirtualDentry, child *Dentry, newParent VirtualDentry, replaced *Dentry, oldTrailing, newTrailing bool, flags uint32) linux.Errno {
	exchange := flags&unix.RENAME_EXCHANGE != 0
	if replaced == nil && exchange {
		return linux.ENOENT
	}
	if replaced != nil && flags&unix.RENAME_NOREPLACE != 0 {
		return linux.EEXIST
	}
	if !child.IsDir() && (oldTrailing || (newTrailing && !exchange)) {
		return linux.ENOTDIR
	}
	if replaced != nil && newTrailing && exchange && !replaced.IsDir() {
		return linux.ENOTDIR
	}
	if replaced != nil && replaced.inode == child.inode {
		return 0
	}
	if replaced != nil && !exchange {
		if child.IsDir() && !replaced.IsDir() {
			return linux.ENOTDIR
		}
		if !child.IsDir() && replaced.IsDir() {
			return linux.EISDIR
		}
	}
	// A directory may not move below itself.
	if child.IsDir() && isAncestor(child, newParent.dentry) {
		return linux.EINVAL
	}
	if replaced != nil && replaced.IsDir() && isAncestor(replaced, oldParent.dentry) {
		if exchange {
			return linux.EINVAL
		}
		return linux.ENOTEMPTY
	}
	if v.isMountPoint(oldParent.mount, child) || (replaced != nil && v.isMountPoint(newParent.mount, replaced)) {
		return linux.EBUSY
	}
	creds := ctx.Credentials()
	if err := mayDelete(creds, oldParent.dentry, child); err != 0 {
		return err
	}
	if replaced != nil {
		if err := mayDelete(creds, newParent.dentry, replaced); err != 0 {
			return err
		}
	} else if err := mayWriteDir(creds, newParent.dentry); err != 0 {
		return err
	}
	// Moving a directory to a new parent rewrites its "..".
	if oldParent.dentry != newParent.dentry {
		if child.IsDir() {
			if err := CheckPermissions(creds, MayWrite, child.inode.Perms()); err != 0 {
				return err
			}
		}
		if exchange && replaced.IsDir() {
			if err := CheckPermissions(creds, MayWrite, replaced.inode.Perms()); err != 0 {
				return err
			}
		}
	}
	return 0
}

// isAncestor reports whether a is d or one of d's ancestors in the same
// file system.
//
// Preconditions:
// - renameMu is held.
func isAncestor(a, d *Dentry) bool {
	for ; d != nil; d = d.parent {
		if d == a {
			return true
		}
	}
	return false
}

// notifyRenameLocked reports a rename to inotify: IN_MOVED_FROM and
// IN_MOVED_TO with one cookie, IN_MOVE_SELF, and for a replaced file what
// an unlink reports.
//
// Preconditions:
// - v.renameMu is held.
func (v *VirtualFilesystem) notifyRenameLocked(ctx Context, od *Dentry, oldName string, nd *Dentry, newName string, child, replaced *Dentry, exchange bool) {
	if v.watchCount.Load() == 0 {
		return
	}
	moved := func(c *Dentry, from *Dentry, fromName string, to *Dentry, toName string) {
		cookie := v.cookies.Add(1)
		v.notifyInode(from.inode, unix.IN_MOVED_FROM|dirFlag(c), cookie, fromName)
		v.notifyInode(to.inode, unix.IN_MOVED_TO|dirFlag(c), cookie, toName)
		v.notifyInode(c.inode, unix.IN_MOVE_SELF, 0, "")
	}
	moved(child, od, oldName, nd, newName)
	switch {
	case replaced == nil:
	case exchange:
		moved(replaced, nd, newName, od, oldName)
	default:
		if st, err := replaced.inode.Stat(ctx, 0); err == 0 && st.Nlink > 0 && !replaced.IsDir() {
			v.notifyInode(replaced.inode, unix.IN_ATTRIB, 0, "")
		} else {
			v.notifyInode(replaced.inode, unix.IN_DELETE_SELF, 0, "")
		}
	}
}
