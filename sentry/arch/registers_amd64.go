package arch

import "golang.org/x/sys/unix"

// Registers are the general-purpose registers of an x86-64 thread, in the
// layout ptrace(PTRACE_GETREGS) uses.
type Registers = unix.PtraceRegs

// SyscallNo returns the system call number of a thread stopped at syscall
// entry. Linux reads only the low 32 bits of rax as the number.
func SyscallNo(r *Registers) uintptr { return uintptr(uint32(r.Orig_rax)) }

// Args returns the six syscall arguments held in r.
func Args(r *Registers) SyscallArguments {
	return SyscallArguments{uintptr(r.Rdi), uintptr(r.Rsi), uintptr(r.Rdx), uintptr(r.R10), uintptr(r.R8), uintptr(r.R9)}
}

// SetReturn stores a syscall result (or -errno) in r.
func SetReturn(r *Registers, v uintptr) { r.Rax = uint64(v) }

// IP returns the instruction pointer.
func IP(r *Registers) uintptr { return uintptr(r.Rip) }

// SP returns the stack pointer.
func SP(r *Registers) uintptr { return uintptr(r.Rsp) }

// Highest user address the sentry hands out (exclusive) on x86-64 with
// 4-level page tables.
const MaxUserAddress = 0x7ffffffff000

// PageSize is the size of a page.
const PageSize = 4096

// User-mode segment selectors on x86-64 Linux.
const (
	userCS = 0x33
	userSS = 0x2b
)

// NewRegisters returns the registers of a thread about to enter a new
// program at entry with stack pointer sp: everything zero but the segments,
// the interrupt flag and the two pointers.
func NewRegisters(entry, sp uintptr) Registers {
	return Registers{Rip: uint64(entry), Rsp: uint64(sp), Cs: userCS, Ss: userSS, Eflags: 0x202}
}
