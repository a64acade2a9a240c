package syscalls

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hostCPU returns the host CPU and NUMA node the calling thread runs on.
func hostCPU() (cpu, node uint32) {
	// SAFETY: getcpu writes one uint32 through each pointer.
	unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), uintptr(unsafe.Pointer(&node)), 0)
	return cpu, node
}
