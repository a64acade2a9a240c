package kernel

import (
	"encoding/binary"
	"sync"
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/mm"
)

// futexKey names a futex word (see mm.FutexKey: private words by address,
// shared ones by memory object and offset).
type futexKey = mm.FutexKey

type futexWaiter struct {
	key    futexKey
	bitset uint32
	// woken is closed by a wake, which then unparks t.
	woken chan struct{}
	t     *Task
	done  bool
}

// futexTable holds the waiters of every futex in the kernel.
type futexTable struct {
	// mu guards waiters and each waiter's key and done.
	mu      sync.Mutex
	waiters map[futexKey][]*futexWaiter
}

func (ft *futexTable) removeLocked(w *futexWaiter) {
	q := ft.waiters[w.key]
	for i, o := range q {
		if o == w {
			q = append(q[:i], q[i+1:]...)
			break
		}
	}
	if len(q) == 0 {
		delete(ft.waiters, w.key)
	} else {
		ft.waiters[w.key] = q
	}
}

// wake wakes up to n waiters of key whose bitset matches.
func (ft *futexTable) wake(key futexKey, n int, bitset uint32) int {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return ft.wakeLocked(key, n, bitset)
}

func (ft *futexTable) wakeLocked(key futexKey, n int, bitset uint32) int {
	woken := 0
	q := ft.waiters[key]
	for i := 0; i < len(q) && woken < n; {
		w := q[i]
		if w.bitset&bitset == 0 {
			i++
			continue
		}
		q = append(q[:i], q[i+1:]...)
		w.done = true
		close(w.woken)
		if w.t != nil {
			w.t.unpark()
		}
		woken++
	}
	if len(q) == 0 {
		delete(ft.waiters, key)
	} else {
		ft.waiters[key] = q
	}
	return woken
}

// readWord reads the 32-bit futex word at addr.
func (t *Task) readWord(addr uintptr) (uint32, linux.Errno) {
	if addr%4 != 0 {
		return 0, linux.EINVAL
	}
	var b [4]byte
	if errno := t.CopyIn(addr, b[:]); errno != 0 {
		return 0, errno
	}
	return binary.LittleEndian.Uint32(b[:]), 0
}

// FutexWait implements FUTEX_WAIT(_BITSET): sleep while *addr == val until
// woken, the deadline passes (zero: none) or a signal arrives.
func (t *Task) FutexWait(addr uintptr, private bool, val, bitset uint32, deadline time.Time) linux.Errno {
	if bitset == 0 {
		return linux.EINVAL
	}
	ft := &t.k.futexes
	key, errno := t.mm.FutexKey(addr, private)
	if errno != 0 {
		return errno
	}
	ft.mu.Lock()
	cur, errno := t.readWord(addr)
	if errno != 0 {
		ft.mu.Unlock()
		return errno
	}
	if cur != val {
		ft.mu.Unlock()
		return linux.EAGAIN
	}
	w := &futexWaiter{key: key, bitset: bitset, woken: make(chan struct{}), t: t}
	if ft.waiters == nil {
		ft.waiters = map[futexKey][]*futexWaiter{}
	}
	ft.waiters[key] = append(ft.waiters[key], w)
	ft.mu.Unlock()

	interrupted, timedOut := t.blockParked(w.woken, deadline)
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if w.done {
		return 0
	}
	ft.removeLocked(w)
	switch {
	case timedOut:
		return linux.ETIMEDOUT
	case interrupted:
		return linux.ERESTARTSYS
	}
	return 0
}

// FutexWake implements FUTEX_WAKE(_BITSET).
func (t *Task) FutexWake(addr uintptr, private bool, n int, bitset uint32) (int, linux.Errno) {
	if bitset == 0 {
		return 0, linux.EINVAL
	}
	key, errno := t.mm.FutexKey(addr, private)
	if errno != 0 {
		return 0, errno
	}
	ft := &t.k.futexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if t.k.piFutexes.hasWaitersLocked(key) {
		return 0, linux.EINVAL // PI waiters are woken by their own ops
	}
	return ft.wakeLocked(key, n, bitset), 0
}

// FutexRequeue implements FUTEX_REQUEUE and (with check) FUTEX_CMP_REQUEUE:
// wake n waiters of addr and move up to n2 others to addr2.
func (t *Task) FutexRequeue(addr, addr2 uintptr, private bool, n, n2 int, check bool, val uint32) (int, linux.Errno) {
	if n < 0 || n2 < 0 {
		return 0, linux.EINVAL
	}
	from, errno := t.mm.FutexKey(addr, private)
	if errno != 0 {
		return 0, errno
	}
	to, errno := t.mm.FutexKey(addr2, private)
	if errno != 0 {
		return 0, errno
	}
	ft := &t.k.futexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if check {
		cur, errno := t.readWord(addr)
		if errno != 0 {
			return 0, errno
		}
		if cur != val {
			return 0, linux.EAGAIN
		}
	}
	if t.k.piFutexes.hasWaitersLocked(from) {
		return 0, linux.EINVAL
	}
	woken := ft.wakeLocked(from, n, ^uint32(0))
	moved := 0
	if from != to {
		q := ft.waiters[from]
		for len(q) > 0 && moved < n2 {
			w := q[0]
			q = q[1:]
			w.key = to
			if ft.waiters == nil {
				ft.waiters = map[futexKey][]*futexWaiter{}
			}
			ft.waiters[to] = append(ft.waiters[to], w)
			moved++
		}
		if len(q) == 0 {
			delete(ft.waiters, from)
		} else {
			ft.waiters[from] = q
		}
	}
	return woken + moved, 0
}

// FutexWakeOp implements FUTEX_WAKE_OP: an atomic read-modify-write of
// *addr2 (a compare-and-swap in the application's address space, retried
// if another thread changed the word meanwhile), then a wake of addr and,
// if the old value passes the comparison, of addr2.
func (t *Task) FutexWakeOp(addr, addr2 uintptr, private bool, n, n2 int, op uint32) (int, linux.Errno) {
	k1, errno := t.mm.FutexKey(addr, private)
	if errno != 0 {
		return 0, errno
	}
	k2, errno := t.mm.FutexKey(addr2, private)
	if errno != 0 {
		return 0, errno
	}
	ft := &t.k.futexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	old, errno := t.futexOpLocked(addr2, op)
	if errno != 0 {
		return 0, errno
	}
	cmp := (op >> 24) & 0xf
	cmparg := int32(op<<20) >> 20 // sign-extended 12 bits
	o, c := int32(old), cmparg
	var hit bool
	switch cmp {
	case 0:
		hit = o == c
	case 1:
		hit = o != c
	case 2:
		hit = o < c
	case 3:
		hit = o <= c
	case 4:
		hit = o > c
	case 5:
		hit = o >= c
	default:
		return 0, linux.ENOSYS
	}
	woken := ft.wakeLocked(k1, n, ^uint32(0))
	if hit {
		woken += ft.wakeLocked(k2, n2, ^uint32(0))
	}
	return woken, 0
}
