package kernel

import (
	"time"

	"moat/sentry/abi/linux"
)

// Priority-inheritance futexes (FUTEX_LOCK_PI, LOCK_PI2, TRYLOCK_PI,
// UNLOCK_PI, WAIT_REQUEUE_PI, CMP_REQUEUE_PI) follow Linux's ownership
// protocol on the futex word: the owner's TID, FUTEX_WAITERS while the
// kernel has waiters (so that user space unlocks through the kernel), and
// FUTEX_OWNER_DIED when an owner exited holding the lock. User space takes
// and releases an uncontended lock with its own cmpxchg; every change the
// sentry makes to the word is an atomic compare-and-swap executed in the
// application's address space (mm.CompareAndSwapUint32), so it never
// loses a racing user-space update.
//
// The lock is handed to waiters in arrival order. Priority inheritance
// itself (boosting the owner to a waiter's priority) cannot act: the host
// schedules every application thread as SCHED_OTHER (docs/futex.md).
//
// Everything here is guarded by k.futexes.mu; lock order: futexes.mu,
// then k.mu (owner lookups by TID).

// piWaiter is a task blocked in FUTEX_LOCK_PI(2) or FUTEX_WAIT_REQUEUE_PI.
type piWaiter struct {
	t *Task
	// woken is closed when the lock is handed to t, and t unparked
	// (blockParked).
	woken chan struct{}
	// acquired is set when the lock was handed to t; ownerDied when its
	// previous owner exited holding it, so t itself must write its TID
	// with FUTEX_OWNER_DIED into the word.
	acquired, ownerDied bool
	// at is the key of the PI futex whose state lists the waiter.
	at futexKey
	// For FUTEX_WAIT_REQUEUE_PI: target is the PI futex the waiter may
	// be requeued to; requeued is set once it was.
	target   futexKey
	requeued bool
}

// piState is the kernel's side of a contended PI futex: its owner and
// the tasks waiting for it, in arrival order. It lives while it has
// waiters, or until an owner handed the lock at its predecessor's exit
// has fixed the word.
type piState struct {
	owner   *Task
	waiters []*piWaiter
	// fixup is set from an owner's exit until the waiter it handed the
	// lock to wrote its TID into the word.
	fixup bool
}

// piTable holds the PI futex states of a kernel.
type piTable struct {
	states map[futexKey]*piState
	// requeue are FUTEX_WAIT_REQUEUE_PI waiters by the futex they wait on.
	requeue map[futexKey][]*piWaiter
	// dead are tasks that released their PI futexes at exit and may
	// still be listed in the kernel: they can own nothing new.
	dead map[*Task]struct{}
}

func (pt *piTable) init() {
	if pt.states == nil {
		pt.states = map[futexKey]*piState{}
		pt.requeue = map[futexKey][]*piWaiter{}
		pt.dead = map[*Task]struct{}{}
	}
}

// hasWaitersLocked reports whether PI waiters wait on key: tasks in
// FUTEX_LOCK_PI, or in FUTEX_WAIT_REQUEUE_PI on it. Plain FUTEX_WAKE and
// FUTEX_CMP_REQUEUE meeting them fail EINVAL, as on Linux.
//
// Preconditions:
// - futexes.mu is held.
func (pt *piTable) hasWaitersLocked(key futexKey) bool {
	if st := pt.states[key]; st != nil && len(st.waiters) > 0 {
		return true
	}
	return len(pt.requeue[key]) > 0
}

// dropIfIdleLocked forgets the state of key once nobody waits on it.
func (pt *piTable) dropIfIdleLocked(key futexKey) {
	if st := pt.states[key]; st != nil && len(st.waiters) == 0 && !st.fixup {
		delete(pt.states, key)
	}
}

func removePIWaiter(q []*piWaiter, w *piWaiter) []*piWaiter {
	for i, o := range q {
		if o == w {
			return append(q[:i], q[i+1:]...)
		}
	}
	return q
}

// vtid is o's TID as t's PID namespace names it (the value in a word).
func (t *Task) vtid(o *Task) uint32 { return uint32(t.PIDNamespace().idOf(o.tid)) }

// casWord is an atomic compare-and-swap of the futex word at addr.
func (t *Task) casWord(addr uintptr, old, new uint32) (uint32, linux.Errno) {
	return t.mm.CompareAndSwapUint32(addr, old, new)
}

// lockPIAtomicLocked tries to take the PI futex at addr for o (the caller,
// or the first FUTEX_WAIT_REQUEUE_PI waiter), as Linux's
// futex_lock_pi_atomic. It reports whether the word now names o; if not,
// it returns the state o must wait in, with FUTEX_WAITERS set in the
// word. setWaiters makes a free lock taken for o carry FUTEX_WAITERS and
// a state (more waiters are about to be requeued to it).
func (t *Task) lockPIAtomicLocked(addr uintptr, key futexKey, o *Task, setWaiters bool) (bool, *piState, linux.Errno) {
	pt := &t.k.piFutexes
	pt.init()
	tid := t.vtid(o)
	for {
		uval, errno := t.readWord(addr)
		if errno != 0 {
			return false, nil, errno
		}
		if uval&futexTIDMask == tid {
			return false, nil, linux.EDEADLK
		}
		if st := pt.states[key]; st != nil {
			return false, st, t.checkPIStateLocked(uval, st)
		}
		if uval&futexTIDMask == 0 {
			// Free (perhaps with FUTEX_OWNER_DIED, which is kept for
			// user space to see).
			nv := uval&futexOwnerDied | tid
			if setWaiters {
				nv |= futexWaiters
			}
			cur, errno := t.casWord(addr, uval, nv)
			if errno != 0 {
				return false, nil, errno
			}
			if cur != uval {
				continue
			}
			if !setWaiters {
				return true, nil, 0
			}
			st := &piState{owner: o}
			pt.states[key] = st
			return true, st, 0
		}
		if uval&futexWaiters == 0 {
			cur, errno := t.casWord(addr, uval, uval|futexWaiters)
			if errno != 0 {
				return false, nil, errno
			}
			if cur != uval {
				continue
			}
			uval |= futexWaiters
		}
		owner := t.PIDNamespace().TaskWithID(int32(uval & futexTIDMask))
		if _, dead := pt.dead[owner]; owner == nil || dead {
			// The word names a thread that is gone: unless the word
			// changed meanwhile, nobody can ever unlock it.
			cur, errno := t.readWord(addr)
			if errno != 0 {
				return false, nil, errno
			}
			if cur != uval {
				continue
			}
			return false, nil, linux.ESRCH
		}
		st := &piState{owner: owner}
		pt.states[key] = st
		return false, st, 0
	}
}

// checkPIStateLocked checks the word against an existing state, as
// Linux's attach_to_pi_state: a word that names another owner than the
// kernel's is EINVAL.
func (t *Task) checkPIStateLocked(uval uint32, st *piState) linux.Errno {
	pid := uval & futexTIDMask
	if st.fixup || (uval&futexOwnerDied != 0 && pid == 0) {
		return 0
	}
	if pid != t.vtid(st.owner) {
		return linux.EINVAL
	}
	return 0
}

// FutexLockPI implements FUTEX_LOCK_PI, FUTEX_LOCK_PI2 and (with try)
// FUTEX_TRYLOCK_PI. The deadline is absolute (zero: none).
func (t *Task) FutexLockPI(addr uintptr, private, try bool, deadline time.Time) linux.Errno {
	key, errno := t.mm.FutexKey(addr, private)
	if errno != 0 {
		return errno
	}
	ft := &t.k.futexes
	pt := &t.k.piFutexes
	ft.mu.Lock()
	acquired, st, errno := t.lockPIAtomicLocked(addr, key, t, false)
	if errno != 0 || acquired {
		ft.mu.Unlock()
		return errno
	}
	if try {
		pt.dropIfIdleLocked(key)
		ft.mu.Unlock()
		return linux.EAGAIN
	}
	w := &piWaiter{t: t, woken: make(chan struct{}), at: key}
	st.waiters = append(st.waiters, w)
	ft.mu.Unlock()
	return t.waitPI(w, addr, deadline, linux.ERESTARTNOINTR)
}

// waitPI blocks w until the lock is handed to it, the deadline passes or
// a signal arrives. A signal while still waiting on the first futex of
// FUTEX_WAIT_REQUEUE_PI (or in LOCK_PI) gives onSignal; after a requeue,
// EAGAIN, as Linux.
func (t *Task) waitPI(w *piWaiter, addr uintptr, deadline time.Time, onSignal linux.Errno) linux.Errno {
	_, timedOut := t.blockParked(w.woken, deadline)
	ft := &t.k.futexes
	pt := &t.k.piFutexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if w.acquired {
		if w.ownerDied {
			return t.fixupPIOwnerLocked(addr, w.at)
		}
		return 0
	}
	switch {
	case w.target != (futexKey{}) && !w.requeued:
		q := removePIWaiter(pt.requeue[w.at], w)
		if len(q) == 0 {
			delete(pt.requeue, w.at)
		} else {
			pt.requeue[w.at] = q
		}
	default:
		if st := pt.states[w.at]; st != nil {
			st.waiters = removePIWaiter(st.waiters, w)
			pt.dropIfIdleLocked(w.at)
		}
		if w.requeued {
			onSignal = linux.EAGAIN
		}
	}
	if timedOut {
		return linux.ETIMEDOUT
	}
	return onSignal
}

// fixupPIOwnerLocked writes the caller's TID into the word of a lock it
// was handed when its owner exited, with FUTEX_OWNER_DIED so that user
// space (pthread robust mutexes: EOWNERDEAD) knows.
func (t *Task) fixupPIOwnerLocked(addr uintptr, key futexKey) linux.Errno {
	pt := &t.k.piFutexes
	if st := pt.states[key]; st != nil && st.owner == t {
		st.fixup = false
		pt.dropIfIdleLocked(key)
	}
	for {
		uval, errno := t.readWord(addr)
		if errno != 0 {
			return errno
		}
		cur, errno := t.casWord(addr, uval, futexWaiters|futexOwnerDied|t.vtid(t))
		if errno != 0 {
			return errno
		}
		if cur == uval {
			return 0
		}
	}
}

// FutexUnlockPI implements FUTEX_UNLOCK_PI: the owner hands the lock to
// its first waiter (word: FUTEX_WAITERS | the waiter's TID), or frees it.
func (t *Task) FutexUnlockPI(addr uintptr, private bool) linux.Errno {
	key, errno := t.mm.FutexKey(addr, private)
	if errno != 0 {
		return errno
	}
	ft := &t.k.futexes
	pt := &t.k.piFutexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	pt.init()
	tid := t.vtid(t)
	for {
		uval, errno := t.readWord(addr)
		if errno != 0 {
			return errno
		}
		if uval&futexTIDMask != tid {
			return linux.EPERM
		}
		if st := pt.states[key]; st != nil && len(st.waiters) > 0 {
			w := st.waiters[0]
			cur, errno := t.casWord(addr, uval, futexWaiters|t.vtid(w.t))
			if errno != 0 {
				return errno
			}
			if cur != uval {
				continue
			}
			st.waiters = st.waiters[1:]
			st.owner, st.fixup = w.t, false
			pt.dropIfIdleLocked(key)
			w.acquired = true
			close(w.woken)
			w.t.unpark()
			return 0
		}
		// No waiters in the kernel: free the lock, dropping
		// FUTEX_WAITERS and FUTEX_OWNER_DIED.
		delete(pt.states, key)
		cur, errno := t.casWord(addr, uval, 0)
		if errno != 0 {
			return errno
		}
		if cur != uval {
			return linux.EAGAIN
		}
		return 0
	}
}

// FutexWaitRequeuePI implements FUTEX_WAIT_REQUEUE_PI: wait on the plain
// futex addr (while it holds val) until FUTEX_CMP_REQUEUE_PI moves the
// caller to the PI futex addr2 and the caller owns it.
func (t *Task) FutexWaitRequeuePI(addr, addr2 uintptr, private bool, val uint32, deadline time.Time) linux.Errno {
	key, key2, errno := t.requeueKeys(addr, addr2, private)
	if errno != 0 {
		return errno
	}
	ft := &t.k.futexes
	pt := &t.k.piFutexes
	ft.mu.Lock()
	pt.init()
	if errno := t.checkWordLocked(addr, val); errno != 0 {
		ft.mu.Unlock()
		return errno
	}
	w := &piWaiter{t: t, woken: make(chan struct{}), at: key, target: key2}
	pt.requeue[key] = append(pt.requeue[key], w)
	ft.mu.Unlock()
	return t.waitPI(w, addr2, deadline, linux.ERESTARTNOINTR)
}

// checkWordLocked is EAGAIN unless the word at addr holds val.
//
// Preconditions:
// - futexes.mu is held.
func (t *Task) checkWordLocked(addr uintptr, val uint32) linux.Errno {
	cur, errno := t.readWord(addr)
	if errno == 0 && cur != val {
		errno = linux.EAGAIN
	}
	return errno
}

// requeueKeys returns the keys of the two futexes of a requeue-PI
// operation, which must differ (EINVAL).
func (t *Task) requeueKeys(addr, addr2 uintptr, private bool) (futexKey, futexKey, linux.Errno) {
	key, errno := t.mm.FutexKey(addr, private)
	if errno != 0 {
		return key, key, errno
	}
	key2, errno := t.mm.FutexKey(addr2, private)
	if errno == 0 && key == key2 {
		errno = linux.EINVAL
	}
	return key, key2, errno
}

// FutexCmpRequeuePI implements FUTEX_CMP_REQUEUE_PI: if *addr == val,
// take the PI futex addr2 for the first FUTEX_WAIT_REQUEUE_PI waiter of
// addr and wake it if the lock was free, and move up to nRequeue other
// waiters (one more if the first did not get the lock) to wait for
// addr2. It returns how many were woken or moved.
func (t *Task) FutexCmpRequeuePI(addr, addr2 uintptr, private bool, nWake, nRequeue int, val uint32) (int, linux.Errno) {
	if nWake < 0 || nRequeue < 0 {
		return 0, linux.EINVAL
	}
	if addr == addr2 || nWake != 1 {
		return 0, linux.EINVAL
	}
	key, key2, errno := t.requeueKeys(addr, addr2, private)
	if errno != 0 {
		return 0, errno
	}
	ft := &t.k.futexes
	pt := &t.k.piFutexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	pt.init()
	if errno := t.checkWordLocked(addr, val); errno != 0 {
		return 0, errno
	}
	if len(t.k.futexes.waiters[key]) > 0 {
		return 0, linux.EINVAL // plain FUTEX_WAIT waiters cannot be requeued to a PI futex
	}
	q := pt.requeue[key]
	if len(q) == 0 {
		return 0, 0
	}
	top := q[0]
	if top.target != key2 {
		return 0, linux.EINVAL
	}
	acquired, st, errno := t.lockPIAtomicLocked(addr2, key2, top.t, nRequeue > 0)
	if errno != 0 {
		return 0, errno
	}
	count := 0
	if acquired {
		q = q[1:]
		top.acquired = true
		top.at = key2
		close(top.woken)
		top.t.unpark()
		count++
	}
	for len(q) > 0 && count-1 < nRequeue {
		w := q[0]
		if w.target != key2 {
			errno = linux.EINVAL
			break
		}
		q = q[1:]
		w.requeued, w.at = true, key2
		st.waiters = append(st.waiters, w)
		count++
	}
	if len(q) == 0 {
		delete(pt.requeue, key)
	} else {
		pt.requeue[key] = q
	}
	pt.dropIfIdleLocked(key2)
	if errno != 0 {
		return 0, errno
	}
	return count, 0
}

// exitPIFutexes hands every PI futex the exiting task still owns with
// waiters to the first of them, which marks it FUTEX_OWNER_DIED (Linux's
// exit_pi_state_list), and records that the task can own no more.
//
// Preconditions:
// - Runs on the task goroutine, after exitRobustList.
func (t *Task) exitPIFutexes() {
	ft := &t.k.futexes
	pt := &t.k.piFutexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	t.releasePIFutexesLocked()
	for d := range pt.dead {
		if t.k.TaskByTID(d.tid) != d {
			delete(pt.dead, d)
		}
	}
	pt.dead[t] = struct{}{}
}

// releasePIFutexesLocked hands on the PI futexes t owns with waiters, as
// at exit (and at execve, Linux's futex_exec_release).
//
// Preconditions:
// - futexes.mu is held.
func (t *Task) releasePIFutexesLocked() {
	pt := &t.k.piFutexes
	pt.init()
	for _, st := range pt.states {
		if st.owner != t || len(st.waiters) == 0 {
			continue
		}
		w := st.waiters[0]
		st.waiters = st.waiters[1:]
		st.owner, st.fixup = w.t, true
		w.acquired, w.ownerDied = true, true
		close(w.woken)
		w.t.unpark()
	}
	for key, st := range pt.states {
		if st.owner == t {
			delete(pt.states, key)
		}
	}
}

// execFutexes releases the old program's robust futexes and PI futexes
// at execve, as exit does, and forgets its robust list (Linux's
// futex_exec_release): the new program registers its own.
//
// Preconditions:
// - Runs on the task goroutine, before the old address space goes.
func (t *Task) execFutexes() {
	t.exitRobustList()
	t.k.futexes.mu.Lock()
	t.releasePIFutexesLocked()
	t.k.futexes.mu.Unlock()
	t.SetRobustList(0, 0)
}
