package kernel

import (
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	futexWaitPrivate = 128 // FUTEX_WAIT | FUTEX_PRIVATE_FLAG
	futexWakePrivate = 129 // FUTEX_WAKE | FUTEX_PRIVATE_FLAG
)

// entersyscallblock and exitsyscall bracket a system call that is known
// to block: Go hands the thread's P to other work at once (instead of
// after a sysmon tick, as for syscall.Syscall), and takes one back after
// it. They are Go runtime functions that gVisor reaches the same way
// (the runtime keeps them for it: go.dev/issue/67401).
//
//go:linkname entersyscallblock runtime.entersyscallblock
func entersyscallblock()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()

// futexWaitWord sleeps in the host futex while *w == val, for at most
// timeout (negative: no limit). Spurious returns are the caller's to
// handle.
func futexWaitWord(w *atomic.Uint32, val uint32, timeout time.Duration) {
	var tsp uintptr
	var ts unix.Timespec
	if timeout >= 0 {
		ts = unix.NsecToTimespec(int64(timeout))
		// SAFETY: ts outlives the call; the kernel only reads it.
		tsp = uintptr(unsafe.Pointer(&ts))
	}
	// SAFETY: w is a live 32-bit word; the kernel only compares it.
	blockingFutexWait(uintptr(unsafe.Pointer(w)), uintptr(val), tsp)
}

// blockingFutexWait is FUTEX_WAIT as a blocking system call for Go's
// scheduler. It must not grow its stack between entersyscallblock and
// exitsyscall.
//
//go:nosplit
func blockingFutexWait(addr, val, ts uintptr) {
	entersyscallblock()
	syscall.RawSyscall6(unix.SYS_FUTEX, addr, futexWaitPrivate, val, ts, 0, 0)
	exitsyscall()
}

// futexWakeWord wakes the thread sleeping on w, if any.
func futexWakeWord(w *atomic.Uint32) {
	// SAFETY: w is a live 32-bit word; the kernel does not access it.
	unix.RawSyscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(w)), futexWakePrivate, 1, 0, 0, 0)
}
