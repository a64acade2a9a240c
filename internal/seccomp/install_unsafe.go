package seccomp

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Install sets no_new_privs and loads prog as a seccomp filter on every
// thread of the process. It cannot be undone.
func Install(prog []unix.SockFilter) error {
	_, err := InstallFlags(prog, unix.SECCOMP_FILTER_FLAG_TSYNC)
	return err
}

// InstallFlags is Install with explicit SECCOMP_FILTER_FLAG_* flags (include
// SECCOMP_FILTER_FLAG_TSYNC for a Go program). It returns the system call's
// result: the notification descriptor with
// SECCOMP_FILTER_FLAG_NEW_LISTENER, 0 otherwise.
func InstallFlags(prog []unix.SockFilter, flags uintptr) (int, error) {
	if len(prog) == 0 || len(prog) > MaxInstructions {
		return -1, unix.EINVAL
	}
	// no_new_privs is per thread; seccomp(TSYNC) copies it to the other
	// threads along with the filter, so both must run on one thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return -1, err
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	// SAFETY: fprog and the prog array it points to are live Go memory
	// for the whole call; the kernel copies the program during the call.
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		flags, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if errno != 0 {
		return -1, errno
	}
	if r != 0 && flags&unix.SECCOMP_FILTER_FLAG_TSYNC != 0 && flags&unix.SECCOMP_FILTER_FLAG_NEW_LISTENER == 0 {
		// TSYNC reports the id of a thread that could not be
		// synchronized.
		return -1, unix.ESRCH
	}
	return int(r), nil
}

// Load builds f and installs it; see Install.
func (f *Filter) Load() error {
	prog, err := f.Build()
	if err != nil {
		return err
	}
	return Install(prog)
}
