// Package arch describes the machine state of an application thread on
// x86-64: general registers, syscall arguments and the FP/XSAVE area.
package arch

// SyscallArguments are the six argument registers of a system call.
type SyscallArguments [6]uintptr

// Int returns argument i as a C int.
func (a *SyscallArguments) Int(i int) int32 { return int32(a[i]) }

// Uint returns argument i as a C unsigned int.
func (a *SyscallArguments) Uint(i int) uint32 { return uint32(a[i]) }

// Int64 returns argument i as a 64-bit signed value.
func (a *SyscallArguments) Int64(i int) int64 { return int64(a[i]) }

// Uint64 returns argument i as a 64-bit unsigned value.
func (a *SyscallArguments) Uint64(i int) uint64 { return uint64(a[i]) }

// Pointer returns argument i as an application address.
func (a *SyscallArguments) Pointer(i int) uintptr { return a[i] }

// SizeT returns argument i as a size_t.
func (a *SyscallArguments) SizeT(i int) uint { return uint(a[i]) }
