package vfs

import (
	"moat/sentry/abi/linux"
	"moat/sentry/auth"
)

// AccessTypes is a set of MayRead, MayWrite and MayExec.
type AccessTypes uint32

// Access types, with the values of access(2)'s R_OK/W_OK/X_OK.
const (
	MayExec  AccessTypes = 1
	MayWrite AccessTypes = 2
	MayRead  AccessTypes = 4
)

// CheckPermissions decides whether creds may access a file with perms in
// the ways ats asks, like Linux's generic_permission.
func CheckPermissions(creds *auth.Credentials, ats AccessTypes, p Perms) linux.Errno {
	var bits uint32
	switch {
	case creds.FSUID == p.UID:
		bits = (p.Mode >> 6) & 7
	case creds.InGroup(p.GID):
		bits = (p.Mode >> 3) & 7
	default:
		bits = p.Mode & 7
	}
	if uint32(ats)&^bits == 0 {
		return 0
	}
	isDir := p.Type() == sIFDIR
	// CAP_DAC_OVERRIDE allows everything except executing a non-directory
	// with no execute bit at all.
	if creds.HasCap(auth.CapDacOverride) {
		if ats&MayExec == 0 || isDir || p.Mode&0o111 != 0 {
			return 0
		}
	}
	// CAP_DAC_READ_SEARCH allows reading any file and searching any
	// directory.
	if creds.HasCap(auth.CapDacReadSearch) {
		if ats&^MayRead == 0 || (isDir && ats&MayWrite == 0) {
			return 0
		}
	}
	return linux.EACCES
}

// mayWriteDir checks creds may add or remove names in dir.
func mayWriteDir(creds *auth.Credentials, dir *Dentry) linux.Errno {
	return CheckPermissions(creds, MayWrite|MayExec, dir.inode.Perms())
}

// mayDelete checks creds may remove or replace child of dir, including the
// sticky-bit rule: in a sticky directory only the owner of the file, of the
// directory, or a holder of CAP_FOWNER may do it.
func mayDelete(creds *auth.Credentials, dir, child *Dentry) linux.Errno {
	dp := dir.inode.Perms()
	if err := CheckPermissions(creds, MayWrite|MayExec, dp); err != 0 {
		return err
	}
	if dp.Mode&01000 != 0 {
		cp := child.inode.Perms()
		if creds.FSUID != cp.UID && creds.FSUID != dp.UID && !creds.HasCap(auth.CapFowner) {
			return linux.EPERM
		}
	}
	return 0
}

// isOwner reports whether creds own p or hold CAP_FOWNER.
func isOwner(creds *auth.Credentials, p Perms) bool {
	return creds.FSUID == p.UID || creds.HasCap(auth.CapFowner)
}

// newFileOwner returns the owner and group of a file created in dir, and
// adjusts mode for a set-group-ID parent (new directories inherit S_ISGID).
func newFileOwner(creds *auth.Credentials, dir *Dentry, mode uint32) CreateOptions {
	dp := dir.inode.Perms()
	opts := CreateOptions{Mode: mode, UID: creds.FSUID, GID: creds.FSGID}
	if dp.Mode&02000 != 0 {
		opts.GID = dp.GID
		if mode&sIFMT == sIFDIR {
			opts.Mode |= 02000
		}
	}
	return opts
}

// mayFollow applies Linux's protected_symlinks rule (on by default on
// Debian and most distributions): in a sticky, world-writable directory, a
// symlink is followed only by its owner or when the directory's owner also
// owns the link.
func mayFollow(creds *auth.Credentials, dir, link *Dentry) linux.Errno {
	dp := dir.inode.Perms()
	if dp.Mode&01002 != 01002 {
		return 0
	}
	lp := link.inode.Perms()
	if creds.FSUID == lp.UID || dp.UID == lp.UID {
		return 0
	}
	return linux.EACCES
}

// mayLink applies Linux's protected_hardlinks rule: a hard link to a file
// needs its ownership, CAP_FOWNER, or a regular file without set-ID bits
// that the caller may read and write.
func mayLink(creds *auth.Credentials, target *Dentry) linux.Errno {
	p := target.inode.Perms()
	if isOwner(creds, p) {
		return 0
	}
	if p.Type() == sIFREG && p.Mode&04000 == 0 && p.Mode&02010 != 02010 &&
		CheckPermissions(creds, MayRead|MayWrite, p) == 0 {
		return 0
	}
	return linux.EPERM
}
