package kernel

import "moat/sentry/arch"
import "moat/sentry/abi/linux"

// SyscallFn is the signature of every syscall handler.
type SyscallFn func(t *Task, args *arch.SyscallArguments) (uintptr, linux.Errno)

// SupportLevel says how completely a syscall is implemented.
type SupportLevel int

// Support levels.
const (
	// Unsupported syscalls return an errno (ENOSYS unless noted).
	Unsupported SupportLevel = iota
	// PartialSupport syscalls work for the cases their note names.
	PartialSupport
	// FullSupport syscalls behave as on Linux.
	FullSupport
)

// String returns the level's name for docs.
func (s SupportLevel) String() string {
	switch s {
	case FullSupport:
		return "Full"
	case PartialSupport:
		return "Partial"
	}
	return "Unsupported"
}

// ArgKind says how strace renders an argument.
type ArgKind uint8

// Argument kinds.
const (
	ArgHex ArgKind = iota
	ArgInt
	ArgPath
	ArgFD
	ArgOct
)

// Syscall describes one entry of the syscall table.
type Syscall struct {
	Name    string
	Fn      SyscallFn
	Support SupportLevel
	// Errno is returned by unsupported syscalls.
	Errno linux.Errno
	Note  string
	// Args describe the arguments for strace (nil: all hex).
	Args []ArgKind
}

// SyscallTable maps syscall numbers to entries.
type SyscallTable struct {
	Entries []Syscall
}

// Lookup returns the entry for nr, or nil.
func (st *SyscallTable) Lookup(nr uintptr) *Syscall {
	if nr < uintptr(len(st.Entries)) && st.Entries[nr].Name != "" {
		return &st.Entries[nr]
	}
	return nil
}
