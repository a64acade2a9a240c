// Package platform defines how the sentry runs application code: a Platform
// creates address spaces (stub processes on the host), and a Thread resumes
// application code until it makes a system call, takes a fault, or is
// interrupted. Back-ends (ptrace, seccomp) register themselves in init.
//
// Platforms never import the kernel or the memory manager: the sentry decides
// every address-space change and the platform only carries it out.
package platform

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"moat/sentry/arch"
)

// EventKind says why Thread.Run returned.
type EventKind int

// Event kinds.
const (
	// EventSyscall: the thread made a system call; registers hold its number
	// (Orig_rax) and arguments. The host did not execute it.
	EventSyscall EventKind = iota
	// EventFault: the thread took a synchronous fault (Signo is SIGSEGV,
	// SIGBUS, SIGFPE, SIGILL or SIGTRAP; Addr the faulting address).
	EventFault
	// EventInterrupted: Interrupt was called, or a host signal stopped the
	// thread; nothing happened to application state.
	EventInterrupted
)

// Event describes why Thread.Run returned.
type Event struct {
	Kind  EventKind
	Signo int     // for EventFault
	Code  int32   // si_code for EventFault
	Addr  uintptr // si_addr for EventFault
	// ForeignABI marks an EventSyscall made through a gate other than the
	// 64-bit syscall instruction (int $0x80, sysenter: the i386 ABI).
	ForeignABI bool
}

// ErrThreadGone means the host thread behind a Thread died (for example it
// was killed from outside the sandbox).
var ErrThreadGone = errors.New("platform thread is gone")

// Platform creates address spaces.
type Platform interface {
	// Name is the --platform name.
	Name() string
	// NewAddressSpace starts an empty stub process. Its first thread is
	// bound to the calling OS thread.
	//
	// Preconditions:
	// - The caller has locked its goroutine to its OS thread, and keeps it
	//   locked for as long as it uses the returned AddressSpace.
	NewAddressSpace() (AddressSpace, Thread, error)
}

// Range is a half-open address range [Start, End).
type Range struct{ Start, End uintptr }

// Mapping names a range the platform itself placed in a new address space
// (stub code, host vDSO and vvar, stub stack) that the sentry must keep.
type Mapping struct {
	Range
	Name string // "[vdso]", "[vvar]", "[stub]", ...
	Prot int
}

// AddressSpace is an application address space: a stub process whose page
// tables the host manages. Every method carries out a change the sentry has
// already validated.
//
// Preconditions for the mapping methods:
//   - The caller runs on an OS thread bound to a Thread of this AddressSpace.
type AddressSpace interface {
	// MapAnon maps anonymous memory at exactly [addr, addr+length).
	MapAnon(addr, length uintptr, prot int, shared bool) error
	// MapFile maps hostFD at offset at exactly [addr, addr+length).
	MapFile(addr, length uintptr, prot int, shared bool, hostFD int, offset int64) error
	// Unmap removes [addr, addr+length).
	Unmap(addr, length uintptr) error
	// Protect changes the protection of [addr, addr+length).
	Protect(addr, length uintptr, prot int) error
	// Remap moves or resizes a mapping to exactly newAddr/newLength.
	Remap(oldAddr, oldLength, newAddr, newLength uintptr) error
	// Advise applies madvise(2) advice to [addr, addr+length).
	Advise(addr, length uintptr, advice int) error
	// Sync flushes shared file mappings in [addr, addr+length) (msync).
	Sync(addr, length uintptr, flags int) error
	// Residency stores mincore(2)'s answer for [addr, addr+length), one
	// byte per page, at vec in the address space itself.
	Residency(addr, length, vec uintptr) error
	// Rseq registers (or with RSEQ_FLAG_UNREGISTER removes) a restartable
	// sequences area for the calling OS thread's thread, with the host:
	// the host kernel then keeps cpu_id current and aborts critical
	// sections on preemption, exactly as Linux does.
	Rseq(addr, length uintptr, flags int, sig uint32) error

	// ReadAt copies application memory into dst; it returns how many bytes
	// were copied before the first inaccessible byte.
	ReadAt(addr uintptr, dst []byte) (int, error)
	// WriteAt copies src into application memory, like ReadAt.
	WriteAt(addr uintptr, src []byte) (int, error)

	// CloneThread creates a new thread in the address space through the
	// calling OS thread's thread; the new task's OS thread attaches it.
	CloneThread() (PendingThread, error)
	// Fork creates a copy-on-write copy of the address space (fork(2));
	// the child task's OS thread attaches it.
	Fork() (PendingAddressSpace, error)

	// Mappings returns what the platform placed in the address space.
	Mappings() []Mapping
	// VDSO returns the base of the host vDSO mapped in the address space.
	VDSO() uintptr

	// Release kills the stub process.
	Release()
}

// HostProcess is implemented by address spaces that are a process of
// their own on the host (the ptrace platform's stubs), so that the host's
// ps and top can show the application's programs.
type HostProcess interface {
	// ProcessID is the stub's PID, as the sentry's PID namespace numbers
	// it; every thread of the address space is a thread of that process.
	ProcessID() int
	// SetCommandLine makes argv (NUL-separated, as /proc/PID/cmdline)
	// the process's command line on the host.
	SetCommandLine(argv []byte) error
	// SetThreadName makes name the comm of the calling OS thread's
	// thread on the host.
	//
	// Preconditions:
	//   - The caller runs on an OS thread bound to a Thread of this
	//     AddressSpace.
	SetThreadName(name string) error
}

// Thread is one application thread.
type Thread interface {
	// Run resumes the thread with regs until the next event, and stores the
	// thread's registers back into regs.
	//
	// Preconditions:
	// - Runs on the OS thread the Thread is bound to.
	Run(regs *arch.Registers) (Event, error)
	// Interrupt makes a Run in progress (or the next one) return
	// EventInterrupted soon. It may be called from any goroutine.
	Interrupt()
	// FPState returns the thread's FP/XSAVE area (for signal frames).
	FPState() ([]byte, error)
	// SetFPState restores the FP/XSAVE area. A buffer shorter than the
	// thread's area changes only the bytes it covers; bytes past the
	// area's size are ignored.
	SetFPState([]byte) error
	// SetNice sets the host scheduling niceness of the thread (only
	// raising it above the sandbox's own is possible without privilege).
	SetNice(nice int) error
	// Release detaches from the host thread.
	Release()
}

// PendingThread is a thread created by CloneThread, not yet bound to the
// OS thread that will run it.
type PendingThread interface {
	// Attach binds the thread to the calling OS thread.
	//
	// Preconditions:
	// - The caller has locked its goroutine to its OS thread for good.
	Attach() (Thread, error)
	// Discard destroys a thread that will never be attached.
	Discard()
}

// PendingAddressSpace is an address space created by Fork, not yet bound
// to the OS thread that will run its first thread.
type PendingAddressSpace interface {
	// Attach binds the child's thread to the calling OS thread.
	//
	// Preconditions:
	// - The caller has locked its goroutine to its OS thread for good.
	Attach() (AddressSpace, Thread, error)
	// Discard destroys an address space that will never be attached.
	Discard()
}

var (
	registryMu sync.Mutex
	registry   = map[string]func() (Platform, error){}
)

// Register makes a platform constructor available under name. It panics on
// a duplicate name; call it from init.
func Register(name string, ctor func() (Platform, error)) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, ok := registry[name]; ok {
		panic(fmt.Sprintf("platform %q registered twice", name))
	}
	registry[name] = ctor
}

// New returns the platform registered under name.
func New(name string) (Platform, error) {
	registryMu.Lock()
	ctor, ok := registry[name]
	registryMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unknown platform %q (have %v)", name, Names())
	}
	return ctor()
}

// Names lists the registered platforms.
func Names() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	var ns []string
	for n := range registry {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}
