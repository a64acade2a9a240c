package ipc

import (
	"time"

	"moat/sentry/abi/linux"
)

// semWaiter is a blocked semop call. Like Linux, the sentry completes a
// waiter's operations on its behalf when another call changes the set
// (updateQueueLocked), oldest waiter first, so a woken caller only
// collects its result.
type semWaiter struct {
	ops   []linux.Sembuf
	undo  *semUndo
	proc  Process
	alter bool
	// blocking is the operation that could not proceed at the last
	// attempt (what GETNCNT and GETZCNT count).
	blocking linux.Sembuf
	// done is closed when result is final.
	done     chan struct{}
	result   linux.Errno
	finished bool
}

func (w *semWaiter) finish(errno linux.Errno) {
	w.result, w.finished = errno, true
	close(w.done)
}

// semBlocked is perform's answer for operations that must wait.
const semBlocked = linux.Errno(^uintptr(0))

// performLocked applies ops atomically (perform_atomic_semop): all of
// them or none. It returns 0, an error (ERANGE, EAGAIN for IPC_NOWAIT),
// or semBlocked with the operation that must wait.
func (s *SemSet) performLocked(ops []linux.Sembuf, u *semUndo, proc Process) (linux.Errno, linux.Sembuf) {
	saved := make([]int, len(s.sems))
	for i := range s.sems {
		saved[i] = s.sems[i].val
	}
	var savedAdj []int
	if u != nil {
		savedAdj = append([]int(nil), u.adj...)
	}
	rollback := func() {
		for i := range s.sems {
			s.sems[i].val = saved[i]
		}
		if u != nil {
			copy(u.adj, savedAdj)
		}
	}
	for _, op := range ops {
		cur := s.sems[op.Num].val
		res := cur + int(op.Op)
		if (op.Op == 0 && cur != 0) || res < 0 {
			rollback()
			if op.Flg&linux.IPC_NOWAIT != 0 {
				return linux.EAGAIN, op
			}
			return semBlocked, op
		}
		if res > semVmx {
			rollback()
			return linux.ERANGE, op
		}
		if op.Flg&linux.SEM_UNDO != 0 {
			adj := u.adj[op.Num] - int(op.Op)
			if adj < -semAem-1 || adj > semAem {
				rollback()
				return linux.ERANGE, op
			}
			u.adj[op.Num] = adj
		}
		s.sems[op.Num].val = res
	}
	t := now()
	for _, op := range ops {
		s.sems[op.Num].proc = proc
		s.sems[op.Num].otime = t
	}
	return 0, linux.Sembuf{}
}

// updateQueueLocked retries the blocked calls after a change, oldest
// first, completing those that can now proceed (or fail); a completed
// call that changed values starts the scan again.
func (s *SemSet) updateQueueLocked() {
	for again := true; again; {
		again = false
		for i := 0; i < len(s.pending); i++ {
			w := s.pending[i]
			errno, blocking := s.performLocked(w.ops, w.undo, w.proc)
			if errno == semBlocked {
				w.blocking = blocking
				continue
			}
			s.pending = append(s.pending[:i], s.pending[i+1:]...)
			i--
			w.finish(errno)
			if errno == 0 && w.alter {
				again = true
				break
			}
		}
	}
}

// Semtimedop implements semop(2) and semtimedop(2) once the caller has
// checked the count (EINVAL, E2BIG) and copied ops and the timeout in.
// deadline is zero for no timeout; undo is the caller's undo list (used
// when an operation has SEM_UNDO).
func (ns *Namespace) Semtimedop(ctx Context, id int32, ops []linux.Sembuf, deadline time.Time, undo *UndoList) linux.Errno {
	maxNum, undos, alter := 0, false, false
	for _, op := range ops {
		maxNum = max(maxNum, int(op.Num))
		undos = undos || op.Flg&linux.SEM_UNDO != 0
		alter = alter || op.Op != 0
	}
	r := &ns.sem
	r.mu.Lock()
	s, errno := r.byID(id)
	if errno != 0 {
		r.mu.Unlock()
		return errno
	}
	if maxNum >= len(s.sems) {
		r.mu.Unlock()
		return linux.EFBIG
	}
	acc := mayRead
	if alter {
		acc = mayWrite
	}
	if !s.allowed(ctx.Credentials(), acc) {
		r.mu.Unlock()
		return linux.EACCES
	}
	var u *semUndo
	if undos {
		u = undo.entryLocked(s)
	}
	proc := ctx.IPCProcess()
	errno, blocking := s.performLocked(ops, u, proc)
	if errno != semBlocked {
		if errno == 0 && alter {
			s.updateQueueLocked()
		}
		r.mu.Unlock()
		return errno
	}
	w := &semWaiter{ops: ops, undo: u, proc: proc, alter: alter, blocking: blocking, done: make(chan struct{})}
	s.pending = append(s.pending, w)
	r.mu.Unlock()

	interrupted, timedOut := ctx.BlockUntil(w.done, deadline)
	r.mu.Lock()
	defer r.mu.Unlock()
	if w.finished {
		return w.result
	}
	for i, o := range s.pending {
		if o == w {
			s.pending = append(s.pending[:i], s.pending[i+1:]...)
			break
		}
	}
	switch {
	case timedOut:
		return linux.EAGAIN
	case interrupted:
		return linux.EINTR
	}
	return linux.EINTR
}
