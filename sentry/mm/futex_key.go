package mm

import (
	"sync/atomic"

	"moat/sentry/abi/linux"
)

// nextAnonID numbers shared anonymous memory objects.
var nextAnonID atomic.Uint64

// FutexKey identifies a futex word. A private futex is an address in one
// address space; a shared one is a position in a memory object (a file's
// inode or a shared anonymous mapping), so that processes mapping the same
// memory at different addresses wait on the same futex.
type FutexKey struct {
	// MM is set for private keys.
	MM *MemoryManager
	// Dev and Ino name a file; AnonID a shared anonymous object.
	Dev, Ino uint64
	AnonID   uint64
	// Off is the address (private) or the offset in the object.
	Off uint64
}

// FutexKey returns the key of the futex word at addr. private is
// FUTEX_PRIVATE_FLAG: the caller promises the word is not shared.
func (mm *MemoryManager) FutexKey(addr uintptr, private bool) (FutexKey, linux.Errno) {
	if addr%4 != 0 {
		return FutexKey{}, linux.EINVAL
	}
	if private {
		return FutexKey{MM: mm, Off: uint64(addr)}, 0
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	i := mm.findLocked(addr)
	if i >= len(mm.vmas) || mm.vmas[i].start > addr || mm.vmas[i].reserved {
		return FutexKey{}, linux.EFAULT
	}
	v := &mm.vmas[i]
	if !v.shared {
		return FutexKey{MM: mm, Off: uint64(addr)}, 0
	}
	off := uint64(v.offset) + uint64(addr-v.start)
	if v.anonID != 0 {
		return FutexKey{AnonID: v.anonID, Off: off}, 0
	}
	if v.file {
		return FutexKey{Dev: v.dev, Ino: v.ino, Off: off}, 0
	}
	return FutexKey{AnonID: v.anonID, Off: off}, 0
}
