package ipc

import "moat/sentry/abi/linux"

// Msgctl implements msgctl(2). in is the caller's struct msqid64_ds for
// IPC_SET (copied in first, as Linux does); out is what the command
// writes back to the caller's buffer.
func (ns *Namespace) Msgctl(ctx Context, id int32, cmd int, in []byte) (ret int32, out []byte, errno linux.Errno) {
	if cmd < 0 || id < 0 {
		return 0, nil, linux.EINVAL
	}
	r := &ns.msg
	r.mu.Lock()
	defer r.mu.Unlock()
	c := ctx.Credentials()
	switch cmd {
	case linux.IPC_INFO, linux.MSG_INFO:
		v := []int32{msgPool, defaultMsgMnb, int32(r.ctlMax), int32(r.ctlMnb), int32(r.ctlMni), msgSsz, defaultMsgMnb}
		if cmd == linux.MSG_INFO {
			v[0], v[1], v[6] = int32(r.inUse()), int32(r.msgs), int32(r.bytes)
		}
		out = make([]byte, linux.SizeofMsginfo)
		linux.PutInt32s(out, v...)
		out[28], out[29] = msgSeg&0xff, msgSeg>>8
		return max(r.maxIdx(), 0), out, 0
	case linux.IPC_STAT, linux.MSG_STAT, linux.MSG_STAT_ANY:
		var q *MsgQueue
		if cmd == linux.IPC_STAT {
			q, errno = r.byID(id)
		} else {
			q, errno = r.byIndex(id)
		}
		if errno != 0 {
			return 0, nil, errno
		}
		if cmd != linux.MSG_STAT_ANY && !q.allowed(c, mayRead) {
			return 0, nil, linux.EACCES
		}
		if cmd != linux.IPC_STAT {
			ret = q.ID
		}
		ds := linux.MsqidDS{
			Perm: q.ABI(), Stime: q.stime, Rtime: q.rtime, Ctime: q.ctime,
			Cbytes: uint64(q.cbytes), Qnum: uint64(len(q.msgs)), Qbytes: uint64(q.qbytes),
			Lspid: pidOf(q.lspid, ctx), Lrpid: pidOf(q.lrpid, ctx),
		}
		out = make([]byte, linux.SizeofMsqidDS)
		ds.MarshalBytes(out)
		return ret, out, 0
	case linux.IPC_SET, linux.IPC_RMID:
		q, errno := r.byID(id)
		if errno != 0 {
			return 0, nil, errno
		}
		if !q.owns(c) {
			return 0, nil, linux.EPERM
		}
		if cmd == linux.IPC_RMID {
			r.remove(q)
			r.msgs -= len(q.msgs)
			r.bytes -= q.cbytes
			q.msgs, q.cbytes = nil, 0
			q.expungeLocked(linux.EIDRM)
			q.wakeSendersLocked()
			return 0, nil, 0
		}
		qbytes := linux.UnmarshalQbytes(in)
		if qbytes > uint64(r.ctlMnb) && !c.HasCap(capSysResource) {
			return 0, nil, linux.EPERM
		}
		var p linux.IPCPerm
		p.UnmarshalBytes(in)
		q.set(p)
		q.qbytes = int(min(qbytes, 1<<31-1))
		q.ctime = now()
		// Receivers check their permissions again; senders may fit now.
		q.expungeLocked(linux.EAGAIN)
		q.wakeSendersLocked()
		return 0, nil, 0
	}
	return 0, nil, linux.EINVAL
}
