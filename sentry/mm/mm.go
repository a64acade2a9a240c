// Package mm is the sentry's record of an application address space. It
// decides every mmap, munmap, mprotect, brk, mremap and madvise (validation,
// placement, VMA bookkeeping) and has the platform carry the decision out in
// the stub process; it copies syscall arguments in and out of application
// memory.
//
// Lock order: MemoryManager.mu is a leaf (platform calls are made with it
// held, and platforms never call back into mm).
package mm

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"sync/atomic"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/platform"
)

// Layout of a new address space.
const (
	// DefaultStackSize is how much address space the main thread's stack
	// gets (RLIMIT_STACK's usual soft limit).
	DefaultStackSize = 8 << 20
	stackTopMax      = 0x7ffffffff000
	// mmapGap keeps mmap allocations below the stack.
	mmapGap = 128 << 20
	// minMmapAddr is the lowest address mmap hands out (vm.mmap_min_addr).
	minMmapAddr = 0x10000
)

// Mappable is a file that can be mapped into application memory.
type Mappable interface {
	// HostFD returns a host fd holding the file's data.
	HostFD() (int, bool)
}

// MemoryManager is one application address space.
type MemoryManager struct {
	as platform.AddressSpace
	// users counts the tasks using the address space.
	users atomic.Int32

	// mu guards the fields below.
	mu sync.Mutex
	// vmas are sorted by start and never overlap.
	vmas []vma
	// brkStart is the start of the heap; brk is its current end.
	brkStart, brk uintptr
	// mmapTop is where top-down mmap placement starts.
	mmapTop uintptr
	// stackTop is the top of the main stack.
	stackTop uintptr
	// argv/envp ranges (for /proc/PID/cmdline and environ).
	argvStart, argvEnd, envpStart, envpEnd uintptr
	// auxv is the auxiliary vector as written on the stack.
	auxv []uint64
	// executable is the path of the program (for /proc/PID/exe).
	executable string
}

// New returns a MemoryManager for a fresh address space as, recording the
// platform's own mappings. Without randomize (personality
// ADDR_NO_RANDOMIZE) the stack top and mmap base are the highest ones.
func New(as platform.AddressSpace, randomize bool) *MemoryManager {
	mm := &MemoryManager{as: as}
	mm.users.Store(1)
	for _, m := range as.Mappings() {
		mm.insertLocked(vma{start: m.Start, end: m.End, prot: m.Prot, maxProt: m.Prot, name: m.Name, reserved: true})
	}
	// Randomise the stack top (up to 1 GiB down) and the mmap base.
	var r uint64
	if randomize {
		r = randUint64()
	}
	mm.stackTop = (stackTopMax - uintptr(r&0x3ffff)*arch.PageSize)
	for _, v := range mm.vmas {
		// Keep the stack below anything the platform placed up high.
		if v.end > mm.stackTop-DefaultStackSize && v.start < mm.stackTop {
			mm.stackTop = v.start
		}
	}
	mm.mmapTop = mm.stackTop - DefaultStackSize - mmapGap - uintptr((r>>18)&0xfffff)*arch.PageSize
	return mm
}

func randUint64() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// AddressSpace returns the platform address space.
func (mm *MemoryManager) AddressSpace() platform.AddressSpace { return mm.as }

// StackTop returns the top of the main stack.
func (mm *MemoryManager) StackTop() uintptr { return mm.stackTop }

// Release frees the address space whatever its users, and drops the
// references its mappings hold.
func (mm *MemoryManager) Release() {
	mm.mu.Lock()
	mm.releaseRefsLocked()
	mm.mu.Unlock()
	mm.as.Release()
}

// platformAddressSpace is the platform's address space type.
type platformAddressSpace = platform.AddressSpace

// SetExecutable records the program path, argv/envp ranges and auxv.
func (mm *MemoryManager) SetExecutable(path string, argvStart, argvEnd, envpStart, envpEnd uintptr, auxv []uint64) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	mm.executable = path
	mm.argvStart, mm.argvEnd, mm.envpStart, mm.envpEnd = argvStart, argvEnd, envpStart, envpEnd
	mm.auxv = auxv
}

// ShowCommand makes the platform's host process, when the address space
// is one, show the argv given to SetExecutable as its command line (to
// the host's ps). It is cosmetic: a stub that is gone fails the program's
// next system call anyway.
func (mm *MemoryManager) ShowCommand() {
	hp, ok := mm.as.(platform.HostProcess)
	if !ok {
		return
	}
	start, end, _, _ := mm.ArgvEnvp()
	argv := make([]byte, min(end-start, 4096))
	_ = hp.SetCommandLine(argv[:mm.CopyInPartial(start, argv)])
}

// ShowThreadName makes name the calling thread's name (comm) on the host,
// when the address space is a host process; cosmetic like ShowCommand.
//
// Preconditions:
//   - The caller runs on an OS thread bound to a Thread of the address
//     space.
func (mm *MemoryManager) ShowThreadName(name string) {
	if hp, ok := mm.as.(platform.HostProcess); ok {
		_ = hp.SetThreadName(name)
	}
}

// Executable returns the program path given to SetExecutable.
func (mm *MemoryManager) Executable() string {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	return mm.executable
}

// ArgvEnvp returns the argv and envp ranges.
func (mm *MemoryManager) ArgvEnvp() (argvStart, argvEnd, envpStart, envpEnd uintptr) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	return mm.argvStart, mm.argvEnd, mm.envpStart, mm.envpEnd
}

// Auxv returns the auxiliary vector.
func (mm *MemoryManager) Auxv() []uint64 {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	return append([]uint64(nil), mm.auxv...)
}

// SetBrkStart sets the start of the heap (the end of the program's data).
func (mm *MemoryManager) SetBrkStart(addr uintptr) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	a := pageRoundUp(addr)
	mm.brkStart, mm.brk = a, a
}

func pageRoundUp(a uintptr) uintptr   { return (a + arch.PageSize - 1) &^ (arch.PageSize - 1) }
func pageRoundDown(a uintptr) uintptr { return a &^ (arch.PageSize - 1) }

// CopyIn copies len(dst) bytes from application address addr. It fails
// with EFAULT unless every byte is readable.
func (mm *MemoryManager) CopyIn(addr uintptr, dst []byte) linux.Errno {
	if len(dst) == 0 {
		return 0
	}
	if !mm.userRange(addr, uintptr(len(dst))) {
		return linux.EFAULT
	}
	n, _ := mm.as.ReadAt(addr, dst)
	if n != len(dst) {
		return linux.EFAULT
	}
	return 0
}

// CopyOut copies src to application address addr, like CopyIn.
func (mm *MemoryManager) CopyOut(addr uintptr, src []byte) linux.Errno {
	if len(src) == 0 {
		return 0
	}
	if !mm.userRange(addr, uintptr(len(src))) {
		return linux.EFAULT
	}
	n, _ := mm.as.WriteAt(addr, src)
	if n != len(src) {
		return linux.EFAULT
	}
	return 0
}

// CopyInPartial copies as much of [addr, addr+len(dst)) as is readable and
// returns the count.
func (mm *MemoryManager) CopyInPartial(addr uintptr, dst []byte) int {
	if len(dst) == 0 || !mm.userRange(addr, 1) {
		return 0
	}
	if end := addr + uintptr(len(dst)); end < addr || end > arch.MaxUserAddress {
		dst = dst[:arch.MaxUserAddress-addr]
	}
	n, _ := mm.as.ReadAt(addr, dst)
	return n
}

// UserRange reports whether [addr, addr+n) lies in application address
// space (not the platform's stub).
func (mm *MemoryManager) UserRange(addr, n uintptr) bool { return mm.userRange(addr, n) }

// userRange reports whether [addr, addr+n) is an application range: below
// the top of user space and outside the platform's stub.
func (mm *MemoryManager) userRange(addr, n uintptr) bool {
	end := addr + n
	if end < addr || end > arch.MaxUserAddress || addr < arch.PageSize {
		return false
	}
	for _, m := range mm.as.Mappings() {
		if m.Name == "[stub]" && addr < m.End && m.Start < end {
			return false
		}
	}
	return true
}
