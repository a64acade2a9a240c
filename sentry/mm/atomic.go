package mm

import (
	"errors"

	"golang.org/x/sys/unix"

	"moat/internal/log"
	"moat/sentry/abi/linux"
	"moat/sentry/platform"
)

// CompareAndSwapUint32 stores new in the 32-bit word at addr if it holds
// old, atomically against the application's threads (Linux's cmpxchg on
// user memory), and returns the value the word held: EINVAL if addr is
// not aligned, EFAULT if the word is not writable application memory.
//
// Preconditions:
//   - Runs on the task goroutine of a task using mm.
func (mm *MemoryManager) CompareAndSwapUint32(addr uintptr, old, new uint32) (uint32, linux.Errno) {
	if addr%4 != 0 {
		return 0, linux.EINVAL
	}
	if !mm.userRange(addr, 4) {
		return 0, linux.EFAULT
	}
	as, ok := mm.as.(platform.AtomicAddressSpace)
	if !ok {
		// Every platform that runs applications implements it.
		return 0, linux.ENOSYS
	}
	prev, err := as.CompareAndSwapUint32(addr, old, new)
	switch {
	case err == nil:
		return prev, 0
	case errors.Is(err, unix.EFAULT):
		return 0, linux.EFAULT
	}
	log.Warningf("atomic update of application word %#x: %v", addr, err)
	return 0, linux.EIO
}
