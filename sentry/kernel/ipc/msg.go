package ipc

import (
	"math"
	"sync"
	"time"

	"moat/sentry/abi/linux"
)

// msgRegistry is a namespace's message queues.
type msgRegistry struct {
	// mu guards everything here and in the queues.
	mu sync.Mutex
	registry[*MsgQueue]
	// ctlMax, ctlMnb and ctlMni are msgmax, msgmnb and msgmni.
	ctlMax, ctlMnb, ctlMni int
	// msgs and bytes count the messages queued in the namespace.
	msgs, bytes int
}

func (r *msgRegistry) init() {
	r.registry.init()
	r.ctlMax, r.ctlMnb, r.ctlMni = defaultMsgMax, defaultMsgMnb, defaultMsgMni
}

// MsgQueue is a System V message queue.
type MsgQueue struct {
	Perm
	reg                 *msgRegistry
	msgs                []message
	cbytes              int
	qbytes              int
	stime, rtime, ctime int64
	lspid, lrpid        int32
	// changed is closed (and replaced) whenever a message comes or goes
	// or the queue is removed: blocked senders and receivers retry.
	changed chan struct{}
}

type message struct {
	mtype int64
	text  []byte
}

func (q *MsgQueue) perm() *Perm { return &q.Perm }

// notifyLocked wakes every blocked sender and receiver.
func (q *MsgQueue) notifyLocked() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// Msgget implements msgget(2).
func (ns *Namespace) Msgget(ctx Context, key int32, flags int) (int32, linux.Errno) {
	r := &ns.msg
	r.mu.Lock()
	defer r.mu.Unlock()
	c := ctx.Credentials()
	return get(&r.registry, c, getOptions{key: key, flags: flags, limit: r.ctlMni}, kind[*MsgQueue]{
		build: func() (*MsgQueue, linux.Errno) {
			return &MsgQueue{
				Perm: newPerm(c, key, flags), reg: r, qbytes: r.ctlMnb,
				ctime: now(), changed: make(chan struct{}),
			}, 0
		},
	})
}

// MsgMax returns the namespace's MSGMAX (the largest message).
func (ns *Namespace) MsgMax() int {
	ns.msg.mu.Lock()
	defer ns.msg.mu.Unlock()
	return ns.msg.ctlMax
}

// wait blocks the caller until q changes; it returns the error of a
// wait cut short (ERESTARTNOHAND for a signal, as Linux does: restarted
// only when no handler runs).
//
// Preconditions:
//   - q.reg.mu is held; it is released while waiting and held again on
//     return.
func (q *MsgQueue) wait(ctx Context) linux.Errno {
	ch := q.changed
	q.reg.mu.Unlock()
	interrupted, _ := ctx.BlockUntil(ch, time.Time{})
	q.reg.mu.Lock()
	if interrupted {
		return linux.ERESTARTNOHAND
	}
	return 0
}

// Msgsnd implements msgsnd(2) once the caller has checked the size and
// copied the message in.
func (ns *Namespace) Msgsnd(ctx Context, id int32, mtype int64, text []byte, flags int) linux.Errno {
	r := &ns.msg
	r.mu.Lock()
	defer r.mu.Unlock()
	q, errno := r.byID(id)
	if errno != 0 {
		return errno
	}
	for {
		if !q.allowed(ctx.Credentials(), mayWrite) {
			return linux.EACCES
		}
		if q.removed {
			return linux.EIDRM
		}
		if q.cbytes+len(text) <= q.qbytes && len(q.msgs)+1 <= q.qbytes {
			break
		}
		if flags&linux.IPC_NOWAIT != 0 {
			return linux.EAGAIN
		}
		if errno := q.wait(ctx); errno != 0 {
			return errno
		}
	}
	q.msgs = append(q.msgs, message{mtype: mtype, text: text})
	q.cbytes += len(text)
	r.msgs++
	r.bytes += len(text)
	q.lspid, q.stime = ctx.PID(), now()
	q.notifyLocked()
	return 0
}

// Search modes of msgrcv (convert_mode).
const (
	searchAny = iota
	searchEqual
	searchNotEqual
	searchLessEqual
	searchNumber
)

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
			if size < len(m.text) && flags&linux.MSG_NOERROR == 0 {
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
			q.lrpid, q.rtime = ctx.PID(), now()
			q.notifyLocked()
			return m.mtype, text, 0
		}
		if flags&linux.IPC_NOWAIT != 0 {
			return 0, nil, linux.ENOMSG
		}
		if errno := q.wait(ctx); errno != 0 {
			return 0, nil, errno
		}
	}
}
