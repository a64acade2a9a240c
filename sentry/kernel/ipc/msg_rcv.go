package ipc

import (
	"math"
	"time"

	"moat/sentry/abi/linux"
)

// Search modes of msgrcv (convert_mode).
const (
	searchAny = iota
	searchEqual
	searchNotEqual
	searchLessEqual
	searchNumber
)

// msgReceiver is a blocked msgrcv call.
type msgReceiver struct {
	mode int
	typ  int64
	// maxSize is the buffer's size, or unbounded with MSG_NOERROR.
	maxSize int
	proc    Process
	// done is closed when msg or errno is set: a message handed over by
	// a sender, E2BIG, EIDRM, or EAGAIN to look again (IPC_SET).
	done     chan struct{}
	msg      message
	errno    linux.Errno
	finished bool
}

func (rc *msgReceiver) finish(m message, errno linux.Errno) {
	rc.msg, rc.errno, rc.finished = m, errno, true
	close(rc.done)
}

// matches is testmsg(): whether a receiver in mode for typ takes m.
func (m *message) matches(mode int, typ int64) bool {
	switch mode {
	case searchAny, searchNumber:
		return true
	case searchLessEqual:
		return m.mtype <= typ
	case searchEqual:
		return m.mtype == typ
	case searchNotEqual:
		return m.mtype != typ
	}
	return false
}

// pipelinedSendLocked hands m to the oldest blocked receiver that wants
// it, as Linux's pipelined_send: a receiver whose buffer is too small
// gets E2BIG and the next one is tried. It reports whether m was taken.
func (q *MsgQueue) pipelinedSendLocked(m message) bool {
	for i := 0; i < len(q.receivers); {
		rc := q.receivers[i]
		if !m.matches(rc.mode, rc.typ) {
			i++
			continue
		}
		q.receivers = append(q.receivers[:i], q.receivers[i+1:]...)
		if rc.maxSize < len(m.text) {
			rc.finish(message{}, linux.E2BIG)
			continue
		}
		q.lrpid, q.rtime = rc.proc, now()
		rc.finish(m, 0)
		return true
	}
	return false
}

// expungeLocked ends every blocked receive with errno.
func (q *MsgQueue) expungeLocked(errno linux.Errno) {
	for _, rc := range q.receivers {
		rc.finish(message{}, errno)
	}
	q.receivers = nil
}

// find returns the index of the message msgrcv takes, or -1.
func (q *MsgQueue) find(mode int, typ int64) int {
	best := -1
	for i, m := range q.msgs {
		switch mode {
		case searchAny:
			return i
		case searchEqual:
			if m.mtype == typ {
				return i
			}
		case searchNotEqual:
			if m.mtype != typ {
				return i
			}
		case searchLessEqual:
			if m.mtype <= typ && (best < 0 || m.mtype < q.msgs[best].mtype) {
				best = i
				if m.mtype == 1 {
					return i
				}
			}
		case searchNumber:
			if int64(i) == typ {
				return i
			}
		}
	}
	return best
}

// Msgrcv implements msgrcv(2): it returns the message's type and text
// (cut to size with MSG_NOERROR) for the caller to copy out.
func (ns *Namespace) Msgrcv(ctx Context, id int32, size int, typ int64, flags int) (int64, []byte, linux.Errno) {
	if id < 0 || size < 0 {
		return 0, nil, linux.EINVAL
	}
	mode := searchEqual
	if flags&linux.MSG_COPY != 0 {
		if flags&linux.MSG_EXCEPT != 0 || flags&linux.IPC_NOWAIT == 0 {
			return 0, nil, linux.EINVAL
		}
		mode = searchNumber
	} else if typ == 0 {
		mode = searchAny
	} else if typ < 0 {
		mode = searchLessEqual
		if typ == math.MinInt64 {
			typ = math.MaxInt64
		} else {
			typ = -typ
		}
	} else if flags&linux.MSG_EXCEPT != 0 {
		mode = searchNotEqual
	}
	maxSize := size
	if flags&linux.MSG_NOERROR != 0 {
		maxSize = math.MaxInt
	}
	r := &ns.msg
	r.mu.Lock()
	defer r.mu.Unlock()
	q, errno := r.byID(id)
	if errno != 0 {
		return 0, nil, errno
	}
	for {
		if !q.allowed(ctx.Credentials(), mayRead) {
			return 0, nil, linux.EACCES
		}
		if q.removed {
			return 0, nil, linux.EIDRM
		}
		if mode == searchNumber && typ >= int64(len(q.msgs)) {
			return 0, nil, linux.ENOMSG
		}
		if i := q.find(mode, typ); i >= 0 {
			m := q.msgs[i]
			if maxSize < len(m.text) {
				return 0, nil, linux.E2BIG
			}
			text := m.text[:min(size, len(m.text))]
			if mode == searchNumber {
				return m.mtype, append([]byte(nil), text...), 0
			}
			q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
			q.cbytes -= len(m.text)
			r.msgs--
			r.bytes -= len(m.text)
			q.lrpid, q.rtime = ctx.IPCProcess(), now()
			q.wakeSendersLocked()
			return m.mtype, text, 0
		}
		if flags&linux.IPC_NOWAIT != 0 {
			return 0, nil, linux.ENOMSG
		}
		rc := &msgReceiver{mode: mode, typ: typ, maxSize: maxSize, proc: ctx.IPCProcess(), done: make(chan struct{})}
		q.receivers = append(q.receivers, rc)
		r.mu.Unlock()
		ctx.BlockUntil(rc.done, time.Time{})
		r.mu.Lock()
		if !rc.finished {
			for i, o := range q.receivers {
				if o == rc {
					q.receivers = append(q.receivers[:i], q.receivers[i+1:]...)
					break
				}
			}
			return 0, nil, linux.ERESTARTNOHAND
		}
		switch rc.errno {
		case 0:
			return rc.msg.mtype, rc.msg.text[:min(size, len(rc.msg.text))], 0
		case linux.EAGAIN:
			continue // IPC_SET: check the permissions again
		}
		return 0, nil, rc.errno
	}
}
