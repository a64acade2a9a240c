package unet

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// sendmsg sends b with control data oob on fd in one sendmsg(2) call. It
// exists (rather than unix.SendmsgN) so the hot path allocates nothing.
func sendmsg(fd int, b, oob []byte) (int, error) {
	var iov unix.Iovec
	var msg unix.Msghdr
	if len(b) > 0 {
		// SAFETY: b stays alive and unmoved for the duration of the
		// syscall (Go's GC does not move heap objects, and the kernel
		// only reads len(b) bytes from it).
		iov.Base = &b[0]
		iov.SetLen(len(b))
		msg.Iov = &iov
		msg.SetIovlen(1)
	}
	if len(oob) > 0 {
		msg.Control = &oob[0]
		msg.SetControllen(len(oob))
	}
	// SAFETY: msg and everything it points to are live Go memory for the
	// whole call; the kernel reads them only during the call.
	n, _, errno := unix.Syscall(unix.SYS_SENDMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), unix.MSG_NOSIGNAL)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// recvmsg receives one message into b and its control data into oob with one
// recvmsg(2) call (MSG_CMSG_CLOEXEC), returning the data length, control
// length and the message flags.
func recvmsg(fd int, b, oob []byte) (n, oobn, flags int, err error) {
	var iov unix.Iovec
	var msg unix.Msghdr
	if len(b) > 0 {
		iov.Base = &b[0]
		iov.SetLen(len(b))
		msg.Iov = &iov
		msg.SetIovlen(1)
	}
	if len(oob) > 0 {
		msg.Control = &oob[0]
		msg.SetControllen(len(oob))
	}
	// SAFETY: msg, iov, b and oob are live Go memory for the whole call;
	// the kernel writes at most len(b) and len(oob) bytes into them.
	r, _, errno := unix.Syscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), unix.MSG_CMSG_CLOEXEC)
	if errno != 0 {
		return 0, 0, 0, errno
	}
	return int(r), int(msg.Controllen), int(msg.Flags), nil
}
