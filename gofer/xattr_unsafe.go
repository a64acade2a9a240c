package gofer

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The *xattrat system calls (Linux 6.13) act on an O_PATH descriptor with
// AT_EMPTY_PATH, which the f*xattr calls refuse. x/sys/unix has no wrappers
// for them yet.

// xattrArgs is struct xattr_args.
type xattrArgs struct {
	value uint64
	size  uint32
	flags uint32
}

const xattrAtFlags = unix.AT_EMPTY_PATH | unix.AT_SYMLINK_NOFOLLOW

// emptyPath is the NUL-terminated empty path given with AT_EMPTY_PATH.
var emptyPath = [1]byte{0}

func getxattrat(fd int, name string, buf []byte) (int, error) {
	pname, err := unix.BytePtrFromString(name)
	if err != nil {
		return 0, err
	}
	args := xattrArgs{size: uint32(len(buf))}
	if len(buf) > 0 {
		// SAFETY: buf outlives the call below; the kernel writes at
		// most args.size bytes into it.
		args.value = uint64(uintptr(unsafe.Pointer(&buf[0])))
	}
	// SAFETY: every pointer refers to live Go memory for the duration of
	// the call; buf, reachable only through a uint64, is kept alive by
	// runtime.KeepAlive.
	r, _, errno := unix.Syscall6(unix.SYS_GETXATTRAT, uintptr(fd), uintptr(unsafe.Pointer(&emptyPath[0])),
		xattrAtFlags, uintptr(unsafe.Pointer(pname)), uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args))
	runtime.KeepAlive(buf)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

func setxattrat(fd int, name string, value []byte, flags int) error {
	pname, err := unix.BytePtrFromString(name)
	if err != nil {
		return err
	}
	args := xattrArgs{size: uint32(len(value)), flags: uint32(flags)}
	if len(value) > 0 {
		// SAFETY: value outlives the call; the kernel reads args.size
		// bytes from it.
		args.value = uint64(uintptr(unsafe.Pointer(&value[0])))
	}
	// SAFETY: as in getxattrat.
	_, _, errno := unix.Syscall6(unix.SYS_SETXATTRAT, uintptr(fd), uintptr(unsafe.Pointer(&emptyPath[0])),
		xattrAtFlags, uintptr(unsafe.Pointer(pname)), uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args))
	runtime.KeepAlive(value)
	if errno != 0 {
		return errno
	}
	return nil
}

func listxattrat(fd int, buf []byte) (int, error) {
	var p unsafe.Pointer
	if len(buf) > 0 {
		p = unsafe.Pointer(&buf[0])
	}
	// SAFETY: buf is live Go memory for the call; the kernel writes at
	// most len(buf) bytes.
	r, _, errno := unix.Syscall6(unix.SYS_LISTXATTRAT, uintptr(fd), uintptr(unsafe.Pointer(&emptyPath[0])),
		xattrAtFlags, uintptr(p), uintptr(len(buf)), 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

func removexattrat(fd int, name string) error {
	pname, err := unix.BytePtrFromString(name)
	if err != nil {
		return err
	}
	// SAFETY: pname and emptyPath are live for the call.
	_, _, errno := unix.Syscall6(unix.SYS_REMOVEXATTRAT, uintptr(fd), uintptr(unsafe.Pointer(&emptyPath[0])),
		xattrAtFlags, uintptr(unsafe.Pointer(pname)), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
