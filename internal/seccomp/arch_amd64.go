package seccomp

import "golang.org/x/sys/unix"

// auditArch is the AUDIT_ARCH_* value of the native system call ABI.
const auditArch = unix.AUDIT_ARCH_X86_64

// x32Bit is set in the system call number of x32 ABI calls, which share the
// x86-64 audit architecture and so must be refused by number.
const x32Bit = 0x40000000

// allowGoRuntimeArch allows the amd64-only calls of the Go runtime.
func (f *Filter) allowGoRuntimeArch() {
	f.Allow(unix.SYS_EPOLL_WAIT, unix.SYS_ARCH_PRCTL)
}
