package kernel

import "moat/sentry/abi/linux"

// futexOpLocked applies FUTEX_WAKE_OP's operation to the word at addr
// atomically (a compare-and-swap loop in the application's address
// space) and returns the word's old value. The operand is 12 bits,
// sign-extended, or with FUTEX_OP_OPARG_SHIFT a shift count (1 << arg).
//
// Preconditions:
// - futexes.mu is held.
func (t *Task) futexOpLocked(addr uintptr, op uint32) (uint32, linux.Errno) {
	kind := (op >> 28) & 0x7
	oparg := uint32(int32(op<<8) >> 20)
	if op>>31 != 0 { // FUTEX_OP_OPARG_SHIFT
		oparg = 1 << (oparg & 31)
	}
	if kind > 4 {
		return 0, linux.ENOSYS
	}
	old, errno := t.readWord(addr)
	for errno == 0 {
		var nv uint32
		switch kind {
		case 0: // FUTEX_OP_SET
			nv = oparg
		case 1: // FUTEX_OP_ADD
			nv = old + oparg
		case 2: // FUTEX_OP_OR
			nv = old | oparg
		case 3: // FUTEX_OP_ANDN
			nv = old &^ oparg
		case 4: // FUTEX_OP_XOR
			nv = old ^ oparg
		}
		var cur uint32
		cur, errno = t.casWord(addr, old, nv)
		if errno == 0 && cur == old {
			return old, 0
		}
		old = cur
	}
	return 0, errno
}
