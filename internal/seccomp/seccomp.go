// Package seccomp builds and installs seccomp-BPF allow-lists.
//
// A Filter maps system call numbers to an action (allow by default), with
// optional argument rules; every other system call, and every call made
// through a foreign architecture or the x32 ABI, gets the filter's default
// action. Build compiles the filter into a classic BPF program that finds the
// system call number with a binary search; Install sets no_new_privs and loads
// the program on every thread of the process (SECCOMP_FILTER_FLAG_TSYNC),
// which a Go program needs because the runtime moves goroutines between
// threads.
//
// The package is generic: the gofer and the sentry each declare their own
// list.
package seccomp

import (
	"fmt"
	"sort"

	"golang.org/x/sys/unix"
)

// Action is a seccomp return action (SECCOMP_RET_*), with its data.
type Action uint32

// Actions a filter can take.
const (
	// ActionAllow lets the system call run.
	ActionAllow Action = unix.SECCOMP_RET_ALLOW
	// ActionKillProcess kills the whole process, as if by SIGSYS.
	ActionKillProcess Action = unix.SECCOMP_RET_KILL_PROCESS
	// ActionKillThread kills the calling thread.
	ActionKillThread Action = unix.SECCOMP_RET_KILL_THREAD
	// ActionTrap sends SIGSYS to the calling thread.
	ActionTrap Action = unix.SECCOMP_RET_TRAP
	// ActionLog lets the call run and logs it (audit).
	ActionLog Action = unix.SECCOMP_RET_LOG
	// ActionUserNotif hands the call to the supervisor listening on the
	// filter's notification descriptor (see InstallFlags).
	ActionUserNotif Action = unix.SECCOMP_RET_USER_NOTIF
)

// Trace returns the action that stops the call for a ptrace tracer
// (PTRACE_EVENT_SECCOMP), with data for the tracer to read.
func Trace(data uint16) Action {
	return Action(unix.SECCOMP_RET_TRACE | uint32(data))
}

// Errno returns the action that fails a system call with e without running
// it.
func Errno(e unix.Errno) Action {
	return Action(unix.SECCOMP_RET_ERRNO | (uint32(e) & unix.SECCOMP_RET_DATA))
}

// String names a for error messages and documentation.
func (a Action) String() string {
	switch a & unix.SECCOMP_RET_ACTION_FULL {
	case unix.SECCOMP_RET_ALLOW:
		return "allow"
	case unix.SECCOMP_RET_KILL_PROCESS:
		return "kill-process"
	case unix.SECCOMP_RET_KILL_THREAD:
		return "kill-thread"
	case unix.SECCOMP_RET_TRAP:
		return "trap"
	case unix.SECCOMP_RET_LOG:
		return "log"
	case unix.SECCOMP_RET_ERRNO:
		return fmt.Sprintf("errno(%d)", uint32(a)&unix.SECCOMP_RET_DATA)
	case unix.SECCOMP_RET_TRACE:
		return fmt.Sprintf("trace(%d)", uint32(a)&unix.SECCOMP_RET_DATA)
	case unix.SECCOMP_RET_USER_NOTIF:
		return "user-notif"
	}
	return fmt.Sprintf("action(%#x)", uint32(a))
}

// Arg matches one system call argument: it holds when
// args[Index] & Mask == Value (all 64 bits).
type Arg struct {
	Index int
	Mask  uint64
	Value uint64
}

// ArgEq returns an Arg that holds when argument i equals v.
func ArgEq(i int, v uint64) Arg {
	return Arg{Index: i, Mask: ^uint64(0), Value: v}
}

// ArgMasked returns an Arg that holds when argument i has exactly the bits v
// within mask (args[i]&mask == v).
func ArgMasked(i int, mask, v uint64) Arg {
	return Arg{Index: i, Mask: mask, Value: v}
}

// Rule holds when all of its Args hold. An empty Rule always holds.
type Rule []Arg

// entry is what a Filter does for one system call number.
type entry struct {
	action Action
	// rules, when not empty, restrict action to calls matching one of
	// them; other calls get the filter's default action.
	rules []Rule
}

// Filter is a system call allow-list under construction. It is not safe for
// concurrent use.
type Filter struct {
	def     Action
	entries map[uint32]entry
}

// New returns an empty Filter whose unlisted system calls get def.
func New(def Action) *Filter {
	return &Filter{def: def, entries: make(map[uint32]entry)}
}

// Allow allows the system calls nrs with any arguments.
func (f *Filter) Allow(nrs ...uintptr) *Filter {
	for _, nr := range nrs {
		f.entries[uint32(nr)] = entry{action: ActionAllow}
	}
	return f
}

// AllowIf allows nr when at least one of rules holds; calls matching none get
// the default action. Rules add up over several calls.
func (f *Filter) AllowIf(nr uintptr, rules ...Rule) *Filter {
	e, ok := f.entries[uint32(nr)]
	if ok && e.action == ActionAllow && len(e.rules) == 0 {
		return f // already allowed unconditionally
	}
	e.action = ActionAllow
	e.rules = append(e.rules, rules...)
	f.entries[uint32(nr)] = e
	return f
}

// Set gives nr the action a regardless of its arguments, e.g.
// Errno(unix.ENOSYS) for a call the program can live without.
func (f *Filter) Set(nr uintptr, a Action) *Filter {
	f.entries[uint32(nr)] = entry{action: a}
	return f
}

// Default returns the action for unlisted system calls.
func (f *Filter) Default() Action {
	return f.def
}

// Syscalls returns the listed system call numbers in ascending order.
func (f *Filter) Syscalls() []uint32 {
	nrs := make([]uint32, 0, len(f.entries))
	for nr := range f.entries {
		nrs = append(nrs, nr)
	}
	sort.Slice(nrs, func(i, j int) bool { return nrs[i] < nrs[j] })
	return nrs
}

// Action returns what the filter does for system call nr with arguments
// args, by the same rules the compiled program follows. It lets tests check
// a list without loading it.
func (f *Filter) Action(nr uint32, args [6]uint64) Action {
	e, ok := f.entries[nr]
	if !ok {
		return f.def
	}
	if len(e.rules) == 0 {
		return e.action
	}
	for _, r := range e.rules {
		if r.holds(args) {
			return e.action
		}
	}
	return f.def
}

func (r Rule) holds(args [6]uint64) bool {
	for _, a := range r {
		if args[a.Index]&a.Mask != a.Value {
			return false
		}
	}
	return true
}
