package gofer

import (
	"golang.org/x/sys/unix"

	"moat/gofer/proto"
)

func (s *Server) setattr(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	h := d.Handle()
	var req proto.SetattrReq
	d.Setattr(&req)
	if !d.Done() || !proto.ValidSetattrMask(req.Mask) {
		return -1, unix.EINVAL
	}
	n, errno := s.lookup(h)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(n)
	if s.cfg.ReadOnly && req.Mask != 0 {
		return -1, unix.EROFS
	}
	if errno := s.applySetattr(n, &req); errno != 0 {
		return -1, errno
	}
	var st unix.Stat_t
	if err := unix.Fstat(n.fd, &st); err != nil {
		return -1, errnoOf(err)
	}
	encodeStat(e, &st)
	return -1, 0
}

// applySetattr changes n's attributes in the order chown, chmod, truncate,
// times (chown may clear set-id bits that a chmod in the same request sets
// again), stopping at the first failure.
func (s *Server) applySetattr(n *node, req *proto.SetattrReq) unix.Errno {
	const nofollow = unix.AT_EMPTY_PATH | unix.AT_SYMLINK_NOFOLLOW
	if req.Mask&(proto.SetattrUID|proto.SetattrGID) != 0 {
		uid, gid := -1, -1
		if req.Mask&proto.SetattrUID != 0 {
			uid = int(req.UID)
		}
		if req.Mask&proto.SetattrGID != 0 {
			gid = int(req.GID)
		}
		if err := unix.Fchownat(n.fd, "", uid, gid, nofollow); err != nil {
			return errnoOf(err)
		}
	}
	if req.Mask&proto.SetattrMode != 0 {
		if err := unix.Fchmodat(n.fd, "", req.Mode&07777, nofollow); err != nil {
			return errnoOf(err)
		}
	}
	if req.Mask&proto.SetattrSize != 0 {
		switch {
		case n.isDir():
			return unix.EISDIR
		case !n.isRegular():
			return unix.EINVAL
		case req.Size > 1<<63-1:
			return unix.EFBIG
		}
		fd, errno := s.reopen(n, unix.O_WRONLY)
		if errno != 0 {
			return errno
		}
		err := unix.Ftruncate(fd, int64(req.Size))
		unix.Close(fd)
		if err != nil {
			return errnoOf(err)
		}
	}
	if req.Mask&(proto.SetattrAtime|proto.SetattrMtime) != 0 {
		ts := []unix.Timespec{{Nsec: unix.UTIME_OMIT}, {Nsec: unix.UTIME_OMIT}}
		if req.Mask&proto.SetattrAtime != 0 {
			ts[0] = req.Atime
		}
		if req.Mask&proto.SetattrMtime != 0 {
			ts[1] = req.Mtime
		}
		if err := unix.UtimesNanoAt(n.fd, "", ts, nofollow); err != nil {
			return errnoOf(err)
		}
	}
	return 0
}
