package platform

// AtomicAddressSpace is implemented by address spaces that can update a
// word of application memory atomically with respect to the
// application's own threads, as a kernel's cmpxchg on user memory does.
// Futexes need it where the kernel and user space both change a lock word
// (priority-inheritance futexes, FUTEX_WAKE_OP, robust lists).
type AtomicAddressSpace interface {
	// CompareAndSwapUint32 stores new in the aligned 32-bit word at addr
	// if it holds old, in one atomic instruction, and returns the value
	// the word held. An inaccessible word is unix.EFAULT.
	//
	// Preconditions:
	//   - The caller runs on an OS thread bound to a Thread of this
	//     AddressSpace.
	CompareAndSwapUint32(addr uintptr, old, new uint32) (uint32, error)
}
