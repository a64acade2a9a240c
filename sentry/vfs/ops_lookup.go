package vfs

import (
	"moat/sentry/abi/linux"
)

// GetDentryAt resolves op to the file it names.
func (v *VirtualFilesystem) GetDentryAt(ctx Context, op *PathOp) (VirtualDentry, linux.Errno) {
	v.renameMu.RLock()
	defer v.renameMu.RUnlock()
	r, err := v.newResolver(ctx, op)
	if err != 0 {
		return VirtualDentry{}, err
	}
	return r.resolve(op.Follow)
}

// GetDirectoryAt resolves op to a directory the caller may search (chdir,
// chroot).
func (v *VirtualFilesystem) GetDirectoryAt(ctx Context, op *PathOp) (VirtualDentry, linux.Errno) {
	vd, err := v.GetDentryAt(ctx, op)
	if err != 0 {
		return vd, err
	}
	if !vd.dentry.IsDir() {
		return VirtualDentry{}, linux.ENOTDIR
	}
	if err := CheckPermissions(ctx.Credentials(), MayExec, vd.dentry.inode.Perms()); err != 0 {
		return VirtualDentry{}, err
	}
	return vd, 0
}

// StatAt implements stat(2) and friends on a path.
func (v *VirtualFilesystem) StatAt(ctx Context, op *PathOp, mask uint32) (linux.Statx, linux.Errno) {
	vd, err := v.GetDentryAt(ctx, op)
	if err != 0 {
		return linux.Statx{}, err
	}
	return statDentry(ctx, vd, mask)
}

// StatVirtualDentry returns the attributes of vd (fstatat with
// AT_EMPTY_PATH on a file opened with O_PATH, for instance).
func StatVirtualDentry(ctx Context, vd VirtualDentry, mask uint32) (linux.Statx, linux.Errno) {
	return statDentry(ctx, vd, mask)
}

// statDentry asks the file system and adds what the vfs knows.
func statDentry(ctx Context, vd VirtualDentry, mask uint32) (linux.Statx, linux.Errno) {
	st, err := vd.dentry.inode.Stat(ctx, mask)
	if err != 0 {
		return st, err
	}
	st.DevMajor, st.DevMinor = 0, vd.dentry.fs.devMinor
	st.MntID = vd.mount.id
	st.Mask |= linux.STATX_MNT_ID
	st.AttributesMask |= statxAttrMountRoot
	if vd.dentry == vd.mount.root {
		st.Attributes |= statxAttrMountRoot
	}
	return st, 0
}

// ReadlinkAt implements readlink(2).
func (v *VirtualFilesystem) ReadlinkAt(ctx Context, op *PathOp) (string, linux.Errno) {
	op.Follow = false
	vd, err := v.GetDentryAt(ctx, op)
	if err != 0 {
		return "", err
	}
	return ReadlinkVirtualDentry(ctx, vd)
}

// ReadlinkVirtualDentry reads the symlink vd (readlinkat with an empty path
// on an O_PATH|O_NOFOLLOW fd).
func ReadlinkVirtualDentry(ctx Context, vd VirtualDentry) (string, linux.Errno) {
	if !vd.dentry.IsSymlink() {
		return "", linux.EINVAL
	}
	return vd.dentry.inode.Readlink(ctx)
}

// AccessAt implements access(2)/faccessat(2): ctx carries the credentials
// to check with (the real IDs unless AT_EACCESS). mode is R_OK|W_OK|X_OK
// or F_OK (0).
func (v *VirtualFilesystem) AccessAt(ctx Context, op *PathOp, mode uint32) linux.Errno {
	if mode&^7 != 0 {
		return linux.EINVAL
	}
	vd, err := v.GetDentryAt(ctx, op)
	if err != 0 {
		return err
	}
	return AccessVirtualDentry(ctx, vd, mode)
}

// AccessVirtualDentry is AccessAt on a resolved file.
func AccessVirtualDentry(ctx Context, vd VirtualDentry, mode uint32) linux.Errno {
	if mode == 0 {
		return 0
	}
	if mode&uint32(MayWrite) != 0 && vd.mount.ReadOnly() {
		switch vd.dentry.typ {
		case sIFREG, sIFDIR, sIFLNK:
			return linux.EROFS
		}
	}
	return CheckPermissions(ctx.Credentials(), AccessTypes(mode), vd.dentry.inode.Perms())
}

// StatFSAt implements statfs(2).
func (v *VirtualFilesystem) StatFSAt(ctx Context, op *PathOp) (linux.Statfs, linux.Errno) {
	vd, err := v.GetDentryAt(ctx, op)
	if err != 0 {
		return linux.Statfs{}, err
	}
	return StatFSVirtualDentry(ctx, vd)
}

// StatFSVirtualDentry implements fstatfs(2).
func StatFSVirtualDentry(ctx Context, vd VirtualDentry) (linux.Statfs, linux.Errno) {
	st, err := vd.dentry.fs.impl.StatFS(ctx)
	if err != 0 {
		return st, err
	}
	st.Fsid = [2]int32{int32(vd.dentry.fs.devMinor), 0}
	st.Flags |= mountStatfsFlags(vd.mount.Flags())
	return st, 0
}

// mountStatfsFlags returns the ST_* flags statfs reports for a mount.
func mountStatfsFlags(f MountFlags) int64 {
	var fl int64 = 0x20 | 0x1000 // ST_VALID | ST_RELATIME
	if f.ReadOnly {
		fl |= 0x1 // ST_RDONLY
	}
	if f.NoSuid {
		fl |= 0x2 // ST_NOSUID
	}
	if f.NoDev {
		fl |= 0x4 // ST_NODEV
	}
	if f.NoExec {
		fl |= 0x8 // ST_NOEXEC
	}
	return fl
}

// statxAttrMountRoot is STATX_ATTR_MOUNT_ROOT.
const statxAttrMountRoot = 0x2000
