package mq

import (
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
)

// Stat is what stat(2) of a queue's file shows.
type Stat struct {
	Mode                uint32
	UID                 auth.KUID
	GID                 auth.KGID
	QSize               int64
	Ino                 uint64
	Atime, Mtime, Ctime time.Time
}

// Stat returns the queue's attributes as a file.
func (q *Queue) Stat() Stat {
	q.mu.Lock()
	defer q.mu.Unlock()
	return Stat{
		Mode: q.mode, UID: q.uid, GID: q.gid, QSize: q.qsize, Ino: q.ino,
		Atime: q.atime, Mtime: q.mtime, Ctime: q.ctime,
	}
}

// SetOwnerMode implements chmod and chown of the queue's file (mask holds
// STATX_MODE, STATX_UID, STATX_GID) with the checks Linux makes of any
// inode: the owner or CAP_FOWNER changes the mode, CAP_CHOWN the owner,
// and the owner may give the file to a group of its own.
func (q *Queue) SetOwnerMode(c *auth.Credentials, mask, mode uint32, uid auth.KUID, gid auth.KGID) linux.Errno {
	q.mu.Lock()
	defer q.mu.Unlock()
	owner := c.FSUID == q.uid
	if mask&linux.STATX_UID != 0 && uid != q.uid && !c.HasCap(auth.CapChown) {
		return linux.EPERM
	}
	if mask&linux.STATX_GID != 0 && gid != q.gid && !c.HasCap(auth.CapChown) && !(owner && c.InGroup(gid)) {
		return linux.EPERM
	}
	if mask&linux.STATX_MODE != 0 && !owner && !c.HasCap(auth.CapFowner) {
		return linux.EPERM
	}
	if mask&linux.STATX_UID != 0 {
		q.uid = uid
	}
	if mask&linux.STATX_GID != 0 {
		q.gid = gid
	}
	if mask&linux.STATX_MODE != 0 {
		q.mode = mode & 0o7777
	}
	q.ctime = time.Now()
	return 0
}
