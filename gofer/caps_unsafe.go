package gofer

import (
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// KeptCapabilities is the set (a bit per capability) the server keeps
// after Setup:
//   - CAP_CHOWN: owners of new files and Setattr;
//   - CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: reach and open any file in the
//     tree (the sentry checks the application's permissions itself), and
//     linkat(AT_EMPTY_PATH);
//   - CAP_FOWNER: modes, times and xattrs of files the gofer does not own;
//   - CAP_FSETID: keep set-id bits the sentry asked for.
const KeptCapabilities = 1<<unix.CAP_CHOWN | 1<<unix.CAP_DAC_OVERRIDE |
	1<<unix.CAP_DAC_READ_SEARCH | 1<<unix.CAP_FOWNER | 1<<unix.CAP_FSETID

// maxCap bounds the scan of the bounding set; the kernel answers EINVAL
// past its last capability.
const maxCap = 64

// DropCapabilities reduces every thread's capabilities (bounding, ambient,
// inheritable, permitted, effective) to KeptCapabilities. Setup calls it
// last. Capabilities belong to threads, so each call is made on all of them
// with syscall.AllThreadsSyscall, which needs a binary without cgo.
func DropCapabilities() error {
	const keep = uint64(KeptCapabilities)
	for c := uintptr(0); c < maxCap; c++ {
		if keep&(1<<c) != 0 {
			continue
		}
		_, _, errno := syscall.AllThreadsSyscall(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, c, 0)
		if errno == unix.EINVAL {
			break // past the last capability
		}
		if errno != 0 {
			return fmt.Errorf("dropping capability %d from the bounding set: %w", c, errno)
		}
	}
	if _, _, errno := syscall.AllThreadsSyscall6(unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0, 0); errno != 0 {
		return fmt.Errorf("clearing ambient capabilities: %w", errno)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := [2]unix.CapUserData{
		{Effective: uint32(keep), Permitted: uint32(keep)},
		{Effective: uint32(keep >> 32), Permitted: uint32(keep >> 32)},
	}
	// SAFETY: hdr and data are live for the call, which every thread
	// makes before AllThreadsSyscall returns; the kernel only reads them.
	_, _, errno := syscall.AllThreadsSyscall(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
	if errno != 0 {
		return fmt.Errorf("setting capabilities: %w", errno)
	}
	return nil
}

// effectiveCapabilities returns the calling thread's effective set.
func effectiveCapabilities() (uint64, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, err
	}
	return uint64(data[0].Effective) | uint64(data[1].Effective)<<32, nil
}
