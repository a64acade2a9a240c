package vfs

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// flockKey is the lock space of flock(2) locks of an inode, apart from its
// record locks (the two kinds do not interact on Linux).
type flockKey struct{ inode Inode }

// Flock implements flock(2) on fd: LOCK_SH, LOCK_EX or LOCK_UN, with
// LOCK_NB for EWOULDBLOCK instead of waiting. The lock belongs to the file
// description and goes with its last reference.
func (fd *FileDescription) Flock(ctx Context, op int32) linux.Errno {
	if fd.vd.dentry == nil {
		return linux.EINVAL
	}
	var typ LockType
	switch op &^ unix.LOCK_NB {
	case unix.LOCK_SH:
		typ = ReadLock
	case unix.LOCK_EX:
		typ = WriteLock
	case unix.LOCK_UN:
		typ = Unlock
	default:
		return linux.EINVAL
	}
	fd.ofdLocks.Store(true)
	return fd.vd.mount.vfs.setLock(ctx, flockKey{fd.vd.dentry.inode}, fd, -1, typ, 0, LockEOF, op&unix.LOCK_NB == 0)
}
