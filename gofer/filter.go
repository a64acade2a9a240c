package gofer

import (
	"golang.org/x/sys/unix"

	"moat/internal/seccomp"
)

// Filter returns the gofer's seccomp allow-list: the Go runtime's needs
// plus the calls the server makes. Anything else kills the process.
// docs/gofer.md explains each entry.
func Filter() *seccomp.Filter {
	f := seccomp.New(seccomp.ActionKillProcess).AllowGoRuntime()
	f.Allow(
		// Name resolution and attributes.
		unix.SYS_OPENAT2,
		unix.SYS_FSTAT,
		unix.SYS_NEWFSTATAT,
		unix.SYS_FSTATFS,
		unix.SYS_READLINKAT,
		unix.SYS_GETDENTS64,
		unix.SYS_LSEEK,
		unix.SYS_FTRUNCATE,
		unix.SYS_NAME_TO_HANDLE_AT,
		unix.SYS_OPEN_BY_HANDLE_AT,
		// Changes to the tree.
		unix.SYS_MKDIRAT,
		unix.SYS_SYMLINKAT,
		unix.SYS_LINKAT,
		unix.SYS_MKNODAT,
		unix.SYS_UNLINKAT,
		unix.SYS_RENAMEAT2,
		unix.SYS_FCHOWNAT,
		unix.SYS_FCHMODAT2,
		unix.SYS_UTIMENSAT,
		unix.SYS_FGETXATTR,
		unix.SYS_FSETXATTR,
		unix.SYS_FLISTXATTR,
		unix.SYS_FREMOVEXATTR,
		// The connection.
		unix.SYS_SHUTDOWN,
	)
	f.AllowIf(unix.SYS_SENDMSG, seccomp.Rule{seccomp.ArgEq(2, unix.MSG_NOSIGNAL)})
	f.AllowIf(unix.SYS_RECVMSG, seccomp.Rule{seccomp.ArgEq(2, unix.MSG_CMSG_CLOEXEC)})
	return f
}

// InstallFilter sets no_new_privs and installs Filter on every thread of the
// process. Call it after Setup and before Serve.
func InstallFilter() error {
	return Filter().Load()
}
