package ipc

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
)

// Shmctl implements shmctl(2). in is the caller's struct shmid64_ds for
// IPC_SET (copied in first, as Linux does); out is what the command
// writes back to the caller's buffer.
func (ns *Namespace) Shmctl(ctx Context, id int32, cmd int, in []byte) (ret int32, out []byte, errno linux.Errno) {
	if cmd < 0 || id < 0 {
		return 0, nil, linux.EINVAL
	}
	r := &ns.shm
	r.mu.Lock()
	defer r.mu.Unlock()
	c := ctx.Credentials()
	switch cmd {
	case linux.IPC_INFO:
		out = make([]byte, linux.SizeofShminfo)
		linux.PutUint64s(out, r.ctlMax, shmMin, uint64(r.ctlMni), defaultShmMni, r.ctlAll)
		return max(r.maxIdx(), 0), out, 0
	case linux.SHM_INFO:
		out = make([]byte, linux.SizeofShmInfo)
		var rss uint64
		for _, s := range r.objs {
			rss += s.residentPages()
		}
		linux.PutInt32s(out, int32(r.inUse()))
		linux.PutUint64s(out[8:], r.totPages, rss, 0, 0, 0)
		return max(r.maxIdx(), 0), out, 0
	case linux.IPC_STAT, linux.SHM_STAT, linux.SHM_STAT_ANY:
		var s *Segment
		if cmd == linux.IPC_STAT {
			s, errno = r.byID(id)
		} else {
			s, errno = r.byIndex(id)
		}
		if errno != 0 {
			return 0, nil, errno
		}
		if cmd != linux.SHM_STAT_ANY && !s.allowed(c, mayRead) {
			return 0, nil, linux.EACCES
		}
		if cmd != linux.IPC_STAT {
			ret = s.ID
		}
		out = make([]byte, linux.SizeofShmidDS)
		ds := linux.ShmidDS{
			Perm: s.ABI(), Segsz: s.size, Atime: s.atime, Dtime: s.dtime, Ctime: s.ctime,
			Cpid: pidOf(s.cpid, ctx), Lpid: pidOf(s.lpid, ctx), Nattch: uint64(s.nattch),
		}
		ds.MarshalBytes(out)
		return ret, out, 0
	case linux.IPC_SET, linux.IPC_RMID:
		s, errno := r.byID(id)
		if errno != 0 {
			return 0, nil, errno
		}
		if !s.owns(c) {
			return 0, nil, linux.EPERM
		}
		if cmd == linux.IPC_SET {
			var p linux.IPCPerm
			p.UnmarshalBytes(in)
			s.set(p)
			s.ctime = now()
			return 0, nil, 0
		}
		s.Mode |= linux.SHM_DEST
		r.dropKey(s)
		s.maybeDestroyLocked()
		return 0, nil, 0
	case linux.SHM_LOCK, linux.SHM_UNLOCK:
		s, errno := r.byID(id)
		if errno != 0 {
			return 0, nil, errno
		}
		if !c.HasCap(capIPCLock) && c.EffectiveKUID != s.UID && c.EffectiveKUID != s.CUID {
			return 0, nil, linux.EPERM
		}
		if cmd == linux.SHM_LOCK {
			s.Mode |= linux.SHM_LOCKED
		} else {
			s.Mode &^= linux.SHM_LOCKED
		}
		return 0, nil, 0
	}
	return 0, nil, linux.EINVAL
}

// residentPages is how much of the segment's memory exists (the memfd's
// allocated blocks).
func (s *Segment) residentPages() uint64 {
	var st unix.Stat_t
	if s.fd < 0 || unix.Fstat(s.fd, &st) != nil {
		return 0
	}
	return uint64(st.Blocks) * 512 / arch.PageSize
}
