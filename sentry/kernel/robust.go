package kernel

import (
	"encoding/binary"
)

// Robust futex list handling at thread exit (set_robust_list(2)): every
// futex the dying thread still owns is marked FUTEX_OWNER_DIED and one
// waiter is woken, so that pthread robust mutexes recover.
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
	for i := 0; next != head && next != 0 && i < robustListLimit; i++ {
		if next != pending {
			t.releaseRobustFutex(uintptr(int64(next) + offset))
		}
		var nb [8]byte
		if t.CopyIn(next, nb[:]) != 0 {
			break
		}
		next = uintptr(le.Uint64(nb[:]))
	}
	if pending != 0 {
		t.releaseRobustFutex(uintptr(int64(pending) + offset))
	}
}

// releaseRobustFutex marks the futex at addr as owner-died if this task
// owns it, and wakes a waiter.
func (t *Task) releaseRobustFutex(addr uintptr) {
	ft := &t.k.futexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	v, errno := t.readWord(addr)
	if errno != 0 || int32(v&futexTIDMask) != t.TID() {
		return
	}
	nv := v&futexWaiters | futexOwnerDied
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], nv)
	if t.CopyOut(addr, b[:]) != 0 {
		return
	}
	if v&futexWaiters != 0 {
		if key, errno := t.mm.FutexKey(addr, false); errno == 0 {
			ft.wakeLocked(key, 1, ^uint32(0))
		}
	}
}
