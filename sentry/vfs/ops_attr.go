package vfs

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
)

// SetStatAt implements chmod, chown, truncate and utimensat on a path.
func (v *VirtualFilesystem) SetStatAt(ctx Context, op *PathOp, opts *SetStatOptions) linux.Errno {
	vd, err := v.GetDentryAt(ctx, op)
	if err != 0 {
		return err
	}
	return setStatDentry(ctx, vd, opts, false)
}

// SetStatVirtualDentry is SetStatAt on a resolved file (AT_EMPTY_PATH).
func SetStatVirtualDentry(ctx Context, vd VirtualDentry, opts *SetStatOptions) linux.Errno {
	return setStatDentry(ctx, vd, opts, false)
}

// setStatDentry checks permissions like Linux's notify_change callers and
// applies opts. viaFD is set for fchmod/fchown/futimens.
func setStatDentry(ctx Context, vd VirtualDentry, opts *SetStatOptions, viaFD bool) linux.Errno {
	if opts.Mask == 0 {
		return 0
	}
	if vd.mount.ReadOnly() {
		return linux.EROFS
	}
	creds := ctx.Credentials()
	d := vd.dentry
	p := d.inode.Perms()
	o := *opts
	if o.Mask&linux.STATX_SIZE != 0 {
		switch d.typ {
		case sIFDIR:
			return linux.EISDIR
		case sIFREG:
		default:
			return linux.EINVAL
		}
		if !viaFD {
			if err := CheckPermissions(creds, MayWrite, p); err != 0 {
				return err
			}
		}
		if err := checkFileSizeFor(ctx, o.Size); err != 0 {
			return err
		}
	}
	if o.Mask&(linux.STATX_UID|linux.STATX_GID) != 0 {
		if err := checkChown(creds, p, &o); err != 0 {
			return err
		}
		if d.typ != sIFDIR {
			m := p.Mode &^ 04000
			if m&0o010 != 0 {
				m &^= 02000
			}
			if o.Mask&linux.STATX_MODE == 0 && m != p.Mode {
				o.Mask |= linux.STATX_MODE
				o.Mode = m
			}
		}
	}
	if o.Mask&linux.STATX_MODE != 0 {
		if !isOwner(creds, p) {
			return linux.EPERM
		}
		gid := p.GID
		if o.Mask&linux.STATX_GID != 0 {
			gid = o.GID
		}
		if !creds.InGroup(gid) && !creds.HasCap(auth.CapFsetid) {
			o.Mode &^= 02000
		}
		o.Mode &= 07777
	}
	if o.Mask&(linux.STATX_ATIME|linux.STATX_MTIME) != 0 && !isOwner(creds, p) {
		explicit := (o.Mask&linux.STATX_ATIME != 0 && o.Atime.Nsec != UtimeNow) ||
			(o.Mask&linux.STATX_MTIME != 0 && o.Mtime.Nsec != UtimeNow)
		if explicit {
			return linux.EPERM
		}
		if err := CheckPermissions(creds, MayWrite, p); err != 0 {
			return err
		}
	}
	if err := d.inode.SetStat(ctx, &o); err != 0 {
		return err
	}
	vd.mount.vfs.notifyDentry(d, setStatEvents(o.Mask))
	return 0
}

// setStatEvents returns the inotify events of an attribute change.
func setStatEvents(mask uint32) uint32 {
	var ev uint32
	if mask&linux.STATX_SIZE != 0 {
		ev |= unix.IN_MODIFY
	}
	if mask&^linux.STATX_SIZE != 0 {
		ev |= unix.IN_ATTRIB
	}
	return ev
}

// checkChown applies chown(2)'s rules; IDs equal to the current ones are
// always allowed for the owner.
func checkChown(creds *auth.Credentials, p Perms, o *SetStatOptions) linux.Errno {
	if creds.HasCap(auth.CapChown) {
		return 0
	}
	if o.Mask&linux.STATX_UID != 0 && (o.UID != p.UID || creds.FSUID != p.UID) {
		return linux.EPERM
	}
	if o.Mask&linux.STATX_GID != 0 {
		if creds.FSUID != p.UID || (o.GID != p.GID && !creds.InGroup(o.GID)) {
			return linux.EPERM
		}
	}
	return 0
}
