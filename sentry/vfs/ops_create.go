package vfs

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// createFn makes the new file in parent (whose mu is held).
type createFn func(parent *Dentry, name string, opts CreateOptions) (Inode, linux.Errno)

// createAt is the common part of mkdir, mknod and symlink: resolve the
// parent, check the name is free, the mount writable and the directory
// writable, then call fn. isDir allows a trailing slash.
func (v *VirtualFilesystem) createAt(ctx Context, op *PathOp, mode uint32, isDir bool, fn createFn) linux.Errno {
	v.renameMu.RLock()
	defer v.renameMu.RUnlock()
	r, err := v.newResolver(ctx, op)
	if err != 0 {
		return err
	}
	name, trailing, err := r.walkToLast()
	if err != 0 {
		return err
	}
	if name == "" || name == "." || name == ".." {
		if err := r.checkDir(name); err != 0 {
			return err
		}
		return linux.EEXIST
	}
	if err := r.checkDir(name); err != 0 {
		return err
	}
	parent := r.cur
	d := parent.dentry
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := d.lookupLocked(ctx, name); err == 0 {
		return linux.EEXIST
	} else if err != linux.ENOENT {
		return err
	}
	if trailing && !isDir {
		return linux.ENOENT
	}
	if d.dead {
		return linux.ENOENT
	}
	if parent.mount.ReadOnly() {
		return linux.EROFS
	}
	creds := ctx.Credentials()
	if err := mayWriteDir(creds, d); err != 0 {
		return err
	}
	inode, err := fn(d, name, newFileOwner(creds, d, mode))
	if err != 0 {
		return err
	}
	c := d.insertChildLocked(name, inode)
	v.notifyInode(d.inode, unix.IN_CREATE|dirFlag(c), 0, name)
	return 0
}

// MkdirAt implements mkdir(2); mode has the umask applied.
func (v *VirtualFilesystem) MkdirAt(ctx Context, op *PathOp, mode uint32) linux.Errno {
	return v.createAt(ctx, op, mode&07777|sIFDIR, true, func(d *Dentry, name string, opts CreateOptions) (Inode, linux.Errno) {
		opts.Mode &^= sIFMT
		return d.inode.Mkdir(ctx, name, opts)
	})
}

// MknodAt implements mknod(2); mode has the file type and the umask
// applied. dev is an encoded device number. Creating devices needs
// CAP_MKNOD.
func (v *VirtualFilesystem) MknodAt(ctx Context, op *PathOp, mode uint32, dev uint64) linux.Errno {
	switch mode & sIFMT {
	case 0:
		mode |= sIFREG
	case sIFREG, sIFIFO, sIFSOCK:
	case sIFCHR, sIFBLK:
		if !ctx.Credentials().HasCap(capMknod) {
			return linux.EPERM
		}
	case sIFDIR:
		return linux.EPERM
	default:
		return linux.EINVAL
	}
	return v.createAt(ctx, op, mode&(sIFMT|07777), false, func(d *Dentry, name string, opts CreateOptions) (Inode, linux.Errno) {
		opts.Dev = dev
		if opts.Mode&sIFMT == sIFREG {
			opts.Mode &^= sIFMT
			return d.inode.Create(ctx, name, opts)
		}
		return d.inode.Mknod(ctx, name, opts)
	})
}

// capMknod is CAP_MKNOD.
const capMknod = 27

// SymlinkAt implements symlink(2).
func (v *VirtualFilesystem) SymlinkAt(ctx Context, op *PathOp, target string) linux.Errno {
	if target == "" {
		return linux.ENOENT
	}
	if len(target) >= PathMax {
		return linux.ENAMETOOLONG
	}
	return v.createAt(ctx, op, 0o777, false, func(d *Dentry, name string, opts CreateOptions) (Inode, linux.Errno) {
		return d.inode.Symlink(ctx, name, target, opts)
	})
}

// LinkAt implements link(2): a new name newOp for the file oldOp names
// (oldOp.Follow for AT_SYMLINK_FOLLOW).
func (v *VirtualFilesystem) LinkAt(ctx Context, oldOp, newOp *PathOp) linux.Errno {
	old, err := v.GetDentryAt(ctx, oldOp)
	if err != 0 {
		return err
	}
	return v.LinkVirtualDentry(ctx, old, newOp)
}

// LinkVirtualDentry links a resolved file at newOp (linkat with
// AT_EMPTY_PATH).
func (v *VirtualFilesystem) LinkVirtualDentry(ctx Context, old VirtualDentry, newOp *PathOp) linux.Errno {
	if old.dentry.IsDir() {
		return linux.EPERM
	}
	v.renameMu.RLock()
	defer v.renameMu.RUnlock()
	r, err := v.newResolver(ctx, newOp)
	if err != 0 {
		return err
	}
	name, trailing, err := r.walkToLast()
	if err != 0 {
		return err
	}
	if err := r.checkDir(name); err != 0 {
		return err
	}
	if name == "" || name == "." || name == ".." {
		return linux.EEXIST
	}
	parent := r.cur
	d := parent.dentry
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := d.lookupLocked(ctx, name); err == 0 {
		return linux.EEXIST
	} else if err != linux.ENOENT {
		return err
	}
	if trailing {
		return linux.ENOENT
	}
	if d.dead {
		return linux.ENOENT
	}
	if parent.mount != old.mount {
		return linux.EXDEV
	}
	if parent.mount.ReadOnly() {
		return linux.EROFS
	}
	if err := mayWriteDir(ctx.Credentials(), d); err != 0 {
		return err
	}
	if err := mayLink(ctx.Credentials(), old.dentry); err != 0 {
		return err
	}
	if err := d.inode.Link(ctx, name, old.dentry.inode); err != 0 {
		return err
	}
	d.insertChildLocked(name, old.dentry.inode)
	v.notifyInode(old.dentry.inode, unix.IN_ATTRIB, 0, "")
	v.notifyInode(d.inode, unix.IN_CREATE, 0, name)
	return 0
}
