package vfs

import (
	"strings"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
)

// Extended attribute limits (XATTR_NAME_MAX, XATTR_SIZE_MAX, XATTR_LIST_MAX).
const (
	XattrNameMax = 255
	XattrSizeMax = 65536
	XattrListMax = 65536
)

// setxattr(2) flags.
const (
	XattrCreate  = 1
	XattrReplace = 2
)

// XattrInode is implemented by inodes that store extended attributes. The
// vfs checks names, sizes and permissions before calling; an inode that
// does not implement it reports EOPNOTSUPP.
type XattrInode interface {
	// GetXattr returns the value of name, or ENODATA.
	GetXattr(ctx Context, name string) ([]byte, linux.Errno)
	// SetXattr sets name; flags may hold XattrCreate (EEXIST if set) or
	// XattrReplace (ENODATA if not).
	SetXattr(ctx Context, name string, value []byte, flags uint32) linux.Errno
	// ListXattr returns the names set.
	ListXattr(ctx Context) ([]string, linux.Errno)
	// RemoveXattr removes name, or fails with ENODATA.
	RemoveXattr(ctx Context, name string) linux.Errno
}

// checkXattrName validates a name: non-empty, at most 255 bytes, in a
// namespace the sentry knows ("system." holds POSIX ACLs, unsupported).
func checkXattrName(name string) linux.Errno {
	if name == "" || len(name) > XattrNameMax {
		return linux.ERANGE
	}
	for _, p := range []string{"user.", "trusted.", "security."} {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return 0
		}
	}
	return linux.EOPNOTSUPP
}

// checkXattrAccess applies Linux's xattr_permission: trusted.* needs
// CAP_SYS_ADMIN; security.* needs it to write; user.* is only on regular
// files and directories (ENODATA for reads, EPERM for writes elsewhere) and
// needs read or write permission on the file.
func checkXattrAccess(ctx Context, vd VirtualDentry, name string, write bool) linux.Errno {
	creds := ctx.Credentials()
	switch {
	case strings.HasPrefix(name, "trusted."):
		if !creds.HasCap(auth.CapSysAdmin) {
			if write {
				return linux.EPERM
			}
			return linux.ENODATA
		}
		return 0
	case strings.HasPrefix(name, "security."):
		if write && !creds.HasCap(auth.CapSysAdmin) {
			return linux.EPERM
		}
		return 0
	}
	if t := vd.dentry.typ; t != sIFREG && t != sIFDIR {
		if write {
			return linux.EPERM
		}
		return linux.ENODATA
	}
	if vd.dentry.typ == sIFDIR && write {
		p := vd.dentry.inode.Perms()
		if p.Mode&01000 != 0 && creds.FSUID != p.UID && !creds.HasCap(auth.CapFowner) {
			return linux.EPERM
		}
	}
	ats := MayRead
	if write {
		ats = MayWrite
	}
	return CheckPermissions(creds, ats, vd.dentry.inode.Perms())
}

func xattrInode(vd VirtualDentry) (XattrInode, linux.Errno) {
	x, ok := vd.dentry.inode.(XattrInode)
	if !ok {
		return nil, linux.EOPNOTSUPP
	}
	return x, 0
}

// GetXattr implements getxattr(2) on a resolved file.
func GetXattr(ctx Context, vd VirtualDentry, name string) ([]byte, linux.Errno) {
	if err := checkXattrName(name); err != 0 {
		return nil, err
	}
	x, err := xattrInode(vd)
	if err != 0 {
		return nil, err
	}
	if err := checkXattrAccess(ctx, vd, name, false); err != 0 {
		return nil, err
	}
	return x.GetXattr(ctx, name)
}

// SetXattr implements setxattr(2) on a resolved file.
func SetXattr(ctx Context, vd VirtualDentry, name string, value []byte, flags uint32) linux.Errno {
	if flags&^(XattrCreate|XattrReplace) != 0 {
		return linux.EINVAL
	}
	if err := checkXattrName(name); err != 0 {
		return err
	}
	if len(value) > XattrSizeMax {
		return linux.E2BIG
	}
	if vd.mount.ReadOnly() {
		return linux.EROFS
	}
	x, err := xattrInode(vd)
	if err != 0 {
		return err
	}
	if err := checkXattrAccess(ctx, vd, name, true); err != 0 {
		return err
	}
	return x.SetXattr(ctx, name, value, flags)
}

// RemoveXattr implements removexattr(2) on a resolved file.
func RemoveXattr(ctx Context, vd VirtualDentry, name string) linux.Errno {
	if err := checkXattrName(name); err != 0 {
		return err
	}
	if vd.mount.ReadOnly() {
		return linux.EROFS
	}
	x, err := xattrInode(vd)
	if err != 0 {
		return err
	}
	if err := checkXattrAccess(ctx, vd, name, true); err != 0 {
		return err
	}
	return x.RemoveXattr(ctx, name)
}

// ListXattr implements listxattr(2) on a resolved file: the names the
// caller could read, trusted.* only for CAP_SYS_ADMIN. A file system
// without xattrs lists nothing.
func ListXattr(ctx Context, vd VirtualDentry) ([]string, linux.Errno) {
	x, ok := vd.dentry.inode.(XattrInode)
	if !ok {
		return nil, 0
	}
	names, err := x.ListXattr(ctx)
	if err != 0 {
		return nil, err
	}
	admin := ctx.Credentials().HasCap(auth.CapSysAdmin)
	out := names[:0:0]
	for _, n := range names {
		if strings.HasPrefix(n, "trusted.") && !admin {
			continue
		}
		out = append(out, n)
	}
	return out, 0
}
