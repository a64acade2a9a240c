package ipc

import (
	"encoding/binary"

	"moat/sentry/abi/linux"
)

// Semctl implements semctl(2). arg is the fourth argument (union semun):
// a value for SETVAL, a user address for the others.
func (ns *Namespace) Semctl(ctx Context, id int32, num int, cmd int, arg uint64) (int32, linux.Errno) {
	if id < 0 {
		return 0, linux.EINVAL
	}
	r := &ns.sem
	c := ctx.Credentials()
	addr := uintptr(arg)
	switch cmd {
	case linux.IPC_INFO, linux.SEM_INFO:
		r.mu.Lock()
		v := []int32{semMap, int32(r.mni), int32(r.mns), semMnu, int32(r.msl), int32(r.opm), semUme, semUsz, semVmx, semAem}
		if cmd == linux.SEM_INFO {
			v[7], v[9] = int32(r.inUse()), int32(r.used)
		}
		ret := max(r.maxIdx(), 0)
		r.mu.Unlock()
		out := make([]byte, linux.SizeofSeminfo)
		linux.PutInt32s(out, v...)
		return ret, ctx.CopyOut(addr, out)
	case linux.IPC_STAT, linux.SEM_STAT, linux.SEM_STAT_ANY:
		r.mu.Lock()
		var s *SemSet
		var errno linux.Errno
		if cmd == linux.IPC_STAT {
			s, errno = r.byID(id)
		} else {
			s, errno = r.byIndex(id)
		}
		if errno != 0 {
			r.mu.Unlock()
			return 0, errno
		}
		if cmd != linux.SEM_STAT_ANY && !s.allowed(c, mayRead) {
			r.mu.Unlock()
			return 0, linux.EACCES
		}
		ret := s.ID
		if cmd == linux.IPC_STAT {
			ret = 0
		}
		ds := linux.SemidDS{Perm: s.ABI(), Otime: s.otime(), Ctime: s.ctime, Nsems: uint64(len(s.sems))}
		r.mu.Unlock()
		out := make([]byte, linux.SizeofSemidDS)
		ds.MarshalBytes(out)
		return ret, ctx.CopyOut(addr, out)
	case linux.IPC_SET, linux.IPC_RMID:
		var p linux.IPCPerm
		if cmd == linux.IPC_SET {
			in := make([]byte, linux.SizeofSemidDS)
			if errno := ctx.CopyIn(addr, in); errno != 0 {
				return 0, errno
			}
			p.UnmarshalBytes(in)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		s, errno := r.byID(id)
		if errno != 0 {
			return 0, errno
		}
		if !s.owns(c) {
			return 0, linux.EPERM
		}
		if cmd == linux.IPC_RMID {
			s.removeLocked()
			return 0, 0
		}
		s.set(p)
		s.ctime = now()
		return 0, 0
	case linux.SETVAL:
		return 0, ns.semSetVal(ctx, id, num, int32(arg))
	case linux.SETALL:
		return 0, ns.semSetAll(ctx, id, addr)
	case linux.GETALL, linux.GETVAL, linux.GETPID, linux.GETNCNT, linux.GETZCNT:
		return ns.semGet(ctx, id, num, cmd, addr)
	}
	return 0, linux.EINVAL
}

// Fixed fields of struct seminfo (SEMMAP, SEMMNU and SEMUME).
const (
	semMap = defaultSemMns
	semMnu = defaultSemMns
	semUme = defaultSemOpm
)

func (ns *Namespace) semGet(ctx Context, id int32, num, cmd int, addr uintptr) (int32, linux.Errno) {
	r := &ns.sem
	r.mu.Lock()
	s, errno := r.byID(id)
	if errno != 0 {
		r.mu.Unlock()
		return 0, errno
	}
	if !s.allowed(ctx.Credentials(), mayRead) {
		r.mu.Unlock()
		return 0, linux.EACCES
	}
	if cmd == linux.GETALL {
		out := make([]byte, 2*len(s.sems))
		for i, m := range s.sems {
			binary.LittleEndian.PutUint16(out[2*i:], uint16(m.val))
		}
		r.mu.Unlock()
		return 0, ctx.CopyOut(addr, out)
	}
	defer r.mu.Unlock()
	if num < 0 || num >= len(s.sems) {
		return 0, linux.EINVAL
	}
	switch cmd {
	case linux.GETVAL:
		return int32(s.sems[num].val), 0
	case linux.GETPID:
		return pidOf(s.sems[num].proc, ctx), 0
	}
	n := int32(0)
	for _, w := range s.pending {
		b := w.blocking
		if int(b.Num) == num && ((cmd == linux.GETNCNT && b.Op < 0) || (cmd == linux.GETZCNT && b.Op == 0)) {
			n++
		}
	}
	return n, 0
}

func (ns *Namespace) semSetVal(ctx Context, id int32, num int, val int32) linux.Errno {
	if val < 0 || val > semVmx {
		return linux.ERANGE
	}
	r := &ns.sem
	r.mu.Lock()
	defer r.mu.Unlock()
	s, errno := r.byID(id)
	if errno != 0 {
		return errno
	}
	if num < 0 || num >= len(s.sems) {
		return linux.EINVAL
	}
	if !s.allowed(ctx.Credentials(), mayWrite) {
		return linux.EACCES
	}
	s.clearUndosLocked(num)
	s.sems[num].val, s.sems[num].proc = int(val), ctx.IPCProcess()
	s.ctime = now()
	s.updateQueueLocked()
	return 0
}

func (ns *Namespace) semSetAll(ctx Context, id int32, addr uintptr) linux.Errno {
	r := &ns.sem
	r.mu.Lock()
	s, errno := r.byID(id)
	if errno != 0 {
		r.mu.Unlock()
		return errno
	}
	if !s.allowed(ctx.Credentials(), mayWrite) {
		r.mu.Unlock()
		return linux.EACCES
	}
	n := len(s.sems)
	r.mu.Unlock()
	in := make([]byte, 2*n)
	if errno := ctx.CopyIn(addr, in); errno != 0 {
		return errno
	}
	for i := 0; i < n; i++ {
		if binary.LittleEndian.Uint16(in[2*i:]) > semVmx {
			return linux.ERANGE
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.removed {
		return linux.EIDRM
	}
	proc := ctx.IPCProcess()
	for i := range s.sems {
		s.clearUndosLocked(i)
		s.sems[i].val, s.sems[i].proc = int(binary.LittleEndian.Uint16(in[2*i:])), proc
	}
	s.ctime = now()
	s.updateQueueLocked()
	return 0
}
