package kernel

import (
	"encoding/binary"
)

// Robust futex list handling at thread exit (set_robust_list(2)): every
// futex the dying thread still owns is marked FUTEX_OWNER_DIED and, for
// plain futexes, one waiter is woken, so that pthread robust mutexes
// recover. An entry whose pointer has bit 0 set is a PI futex: its
// waiters get the lock from exitPIFutexes instead.
const (
	futexWaiters    = 0x80000000
	futexOwnerDied  = 0x40000000
	futexTIDMask    = 0x3fffffff
	robustListLimit = 2048
)

// exitRobustList walks the task's robust futex list.
//
// Preconditions:
// - Runs on the task goroutine, before its address space is released.
func (t *Task) exitRobustList() {
	head, _ := t.RobustList()
	if head == 0 || t.mm == nil {
		return
	}
	var b [24]byte // struct robust_list_head: next, futex_offset, list_op_pending
	if t.CopyIn(head, b[:]) != 0 {
		return
	}
	le := binary.LittleEndian
	next := uintptr(le.Uint64(b[0:]))
	offset := int64(le.Uint64(b[8:]))
	pending := uintptr(le.Uint64(b[16:]))
	for i := 0; next&^1 != head && next&^1 != 0 && i < robustListLimit; i++ {
		entry, pi := next&^1, next&1 != 0
		// Read the next entry first: once the futex is released,
		// another thread may free this one.
		var nb [8]byte
		if t.CopyIn(entry, nb[:]) != 0 {
			break
		}
		next = uintptr(le.Uint64(nb[:]))
		if entry != pending&^1 {
			t.releaseRobustFutex(uintptr(int64(entry)+offset), pi, false)
		}
	}
	if pending&^1 != 0 {
		t.releaseRobustFutex(uintptr(int64(pending&^1)+offset), pending&1 != 0, true)
	}
}

// releaseRobustFutex marks the futex at addr as owner-died if this task
// owns it and, for a plain futex with waiters, wakes one (Linux's
// handle_futex_death). pendingOp is list_op_pending: a plain futex the
// task was releasing with no owner left in the word only gets a wake.
func (t *Task) releaseRobustFutex(addr uintptr, pi, pendingOp bool) {
	ft := &t.k.futexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	v, errno := t.readWord(addr)
	for errno == 0 {
		owner := v & futexTIDMask
		if pendingOp && !pi && owner == 0 {
			t.robustWakeLocked(addr)
			return
		}
		if owner != t.vtid(t) {
			return
		}
		var cur uint32
		cur, errno = t.casWord(addr, v, v&futexWaiters|futexOwnerDied)
		if errno == 0 && cur == v {
			break
		}
		v = cur
	}
	if errno == 0 && !pi && v&futexWaiters != 0 {
		t.robustWakeLocked(addr)
	}
}

// robustWakeLocked wakes one waiter of the futex at addr, as a shared
// futex (the kernel never uses FUTEX_PRIVATE_FLAG here).
func (t *Task) robustWakeLocked(addr uintptr) {
	if key, errno := t.mm.FutexKey(addr, false); errno == 0 {
		t.k.futexes.wakeLocked(key, 1, ^uint32(0))
	}
}
