package seccomp

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Install sets no_new_privs and loads prog as a seccomp filter on every
// thread of the process. It cannot be undone.
func Install(prog []unix.SockFilter) error {
	if len(prog) == 0 || len(prog) > MaxInstructions {
		return unix.EINVAL
	}
	// no_new_privs is per thread; seccomp(TSYNC) copies it to the other
	// threads along with the filter, so both must run on one thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	// SAFETY: fprog and the prog array it points to are live Go memory
	// for the whole call; the kernel copies the program during the call.
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if errno != 0 {
		return errno
	}
	if r != 0 {
		// TSYNC reports the id of a thread that could not be
		// synchronized.
		return unix.ESRCH
	}
	return nil
}

// Load builds f and installs it; see Install.
func (f *Filter) Load() error {
	prog, err := f.Build()
	if err != nil {
		return err
	}
	return Install(prog)
}
