package kernel

import (
	"encoding/binary"

	"moat/sentry/abi/linux"
)

// rseqFlagUnregister is RSEQ_FLAG_UNREGISTER.
const rseqFlagUnregister = 1

// Rseq implements rseq(2): the registration is made with the host for the
// task's own stub thread (the host then updates cpu_id and aborts critical
// sections on preemption and migration); the sentry remembers it to abort
// a critical section when it delivers a signal, as Linux does.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) Rseq(addr uintptr, length uint32, flags int, sig uint32) linux.Errno {
	if addr != 0 && !t.mm.UserRange(addr, uintptr(length)) {
		return linux.EFAULT
	}
	if err := t.mm.AddressSpace().Rseq(addr, uintptr(length), flags, sig); err != nil {
		return linux.FromHost(err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if flags&rseqFlagUnregister != 0 {
		t.rseqAddr, t.rseqSig = 0, 0
	} else {
		t.rseqAddr, t.rseqSig = addr, sig
	}
	return 0
}

// rseqAbortForSignal moves the task out of an rseq critical section before
// a signal handler runs: if rip is inside the current rseq_cs, it goes to
// the abort handler (whose preceding signature must match). It reports
// false if the area or the descriptor is bad, which Linux punishes with
// SIGSEGV.
func (t *Task) rseqAbortForSignal() bool {
	t.mu.Lock()
	area, sig := t.rseqAddr, t.rseqSig
	t.mu.Unlock()
	if area == 0 {
		return true
	}
	le := binary.LittleEndian
	var ptr [8]byte // struct rseq: cpu_id_start, cpu_id, rseq_cs (u64)...
	if t.CopyIn(area+8, ptr[:]) != 0 {
		return false
	}
	cs := uintptr(le.Uint64(ptr[:]))
	if cs == 0 {
		return true
	}
	var d [32]byte // struct rseq_cs: version, flags, start_ip, post_commit_offset, abort_ip
	if t.CopyIn(cs, d[:]) != 0 {
		return false
	}
	start, length, abort := le.Uint64(d[8:]), le.Uint64(d[16:]), le.Uint64(d[24:])
	ip := t.regs.Rip
	if ip < start || ip-start >= length {
		// Not inside: the descriptor is stale; Linux clears it.
		t.CopyOut(area+8, make([]byte, 8))
		return true
	}
	var s [4]byte
	if abort < 4 || t.CopyIn(uintptr(abort-4), s[:]) != 0 || le.Uint32(s[:]) != sig {
		return false
	}
	t.CopyOut(area+8, make([]byte, 8))
	t.regs.Rip = abort
	return true
}
