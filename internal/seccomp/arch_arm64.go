package seccomp

import "golang.org/x/sys/unix"

// auditArch is the AUDIT_ARCH_* value of the native system call ABI.
const auditArch = unix.AUDIT_ARCH_AARCH64

// x32Bit is zero: arm64 has no second ABI sharing its audit architecture.
const x32Bit = 0

// allowGoRuntimeArch allows the arm64-only calls of the Go runtime (none).
func (f *Filter) allowGoRuntimeArch() {}
