package ipc

import (
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
	lspid, lrpid        Process
	// receivers are the blocked msgrcv calls, oldest first: a new
	// message goes straight to the first that wants it (msg_rcv.go).
	receivers []*msgReceiver
	// roomMade is closed (and replaced) when room may have been made or
	// the queue removed: blocked senders retry.
	roomMade chan struct{}
}

type message struct {
	mtype int64
	text  []byte
}

func (q *MsgQueue) perm() *Perm { return &q.Perm }

// wakeSendersLocked wakes every blocked sender to try again.
func (q *MsgQueue) wakeSendersLocked() {
	close(q.roomMade)
	q.roomMade = make(chan struct{})
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
				ctime: now(), roomMade: make(chan struct{}),
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

// waitForRoom blocks a sender until a message leaves the queue, its size
// changes or it is removed; it returns ERESTARTNOHAND for a signal (as
// Linux does: restarted only when no handler runs).
//
// Preconditions:
//   - q.reg.mu is held; it is released while waiting and held again on
//     return.
func (q *MsgQueue) waitForRoom(ctx Context) linux.Errno {
	ch := q.roomMade
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
		if errno := q.waitForRoom(ctx); errno != 0 {
			return errno
		}
	}
	m := message{mtype: mtype, text: text}
	q.lspid, q.stime = ctx.IPCProcess(), now()
	if !q.pipelinedSendLocked(m) {
		q.msgs = append(q.msgs, m)
		q.cbytes += len(text)
		r.msgs++
		r.bytes += len(text)
	}
	return 0
}
