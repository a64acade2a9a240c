package vfs

import (
	"moat/sentry/abi/linux"
)

// removeTarget resolves the parent of op and the child to remove, with the
// parent's mu locked on success (the caller unlocks it).
//
// Preconditions:
// - v.renameMu is held for reading.
func (v *VirtualFilesystem) removeTarget(ctx Context, op *PathOp, dotErr func(string) linux.Errno) (parent VirtualDentry, name string, child *Dentry, trailing bool, err linux.Errno) {
	r, err := v.newResolver(ctx, op)
	if err != 0 {
		return
	}
	name, trailing, err = r.walkToLast()
	if err != 0 {
		return
	}
	if err = r.checkDir(name); err != 0 {
		return
	}
	if name == "" || name == "." || name == ".." {
		err = dotErr(name)
		return
	}
	parent = r.cur
	if parent.mount.ReadOnly() {
		err = linux.EROFS
		return
	}
	d := parent.dentry
	d.mu.Lock()
	child, err = d.lookupLocked(ctx, name)
	if err != 0 {
		d.mu.Unlock()
	}
	return
}

// isMountPoint reports whether child, seen through m, has a mount on it.
func (v *VirtualFilesystem) isMountPoint(m *Mount, child *Dentry) bool {
	return child.mounts.Load() > 0 && v.topMount(m, child) != nil
}

// UnlinkAt implements unlink(2).
func (v *VirtualFilesystem) UnlinkAt(ctx Context, op *PathOp) linux.Errno {
	v.renameMu.RLock()
	defer v.renameMu.RUnlock()
	parent, name, child, trailing, err := v.removeTarget(ctx, op, func(string) linux.Errno { return linux.EISDIR })
	if err != 0 {
		return err
	}
	d := parent.dentry
	defer d.mu.Unlock()
	if child.IsDir() {
		return linux.EISDIR
	}
	if trailing {
		return linux.ENOTDIR
	}
	if err := mayDelete(ctx.Credentials(), d, child); err != 0 {
		return err
	}
	if v.isMountPoint(parent.mount, child) {
		return linux.EBUSY
	}
	if err := d.inode.Unlink(ctx, name, child.inode); err != 0 {
		return err
	}
	d.removeChildLocked(name, child)
	v.notifyRemovedLocked(ctx, d, child, name)
	return 0
}

// RmdirAt implements rmdir(2).
func (v *VirtualFilesystem) RmdirAt(ctx Context, op *PathOp) linux.Errno {
	v.renameMu.RLock()
	defer v.renameMu.RUnlock()
	parent, name, child, _, err := v.removeTarget(ctx, op, func(name string) linux.Errno {
		switch name {
		case ".":
			return linux.EINVAL
		case "..":
			return linux.ENOTEMPTY
		}
		return linux.EBUSY
	})
	if err != 0 {
		return err
	}
	d := parent.dentry
	defer d.mu.Unlock()
	if !child.IsDir() {
		return linux.ENOTDIR
	}
	if err := mayDelete(ctx.Credentials(), d, child); err != 0 {
		return err
	}
	if v.isMountPoint(parent.mount, child) {
		return linux.EBUSY
	}
	child.mu.Lock()
	err = d.inode.Rmdir(ctx, name, child.inode)
	if err == 0 {
		child.dead = true
		child.children, child.negatives = nil, 0
	}
	child.mu.Unlock()
	if err != 0 {
		return err
	}
	d.deleteChildLocked(name, child)
	v.notifyRemovedLocked(ctx, d, child, name)
	return 0
}
