package mm

import (
	"moat/sentry/abi/linux"
	"moat/sentry/arch"
)

// MappingRef is a memory object that counts the mappings of it, as
// Linux's vm_ops open and close do: System V shared memory reports its
// attach count (shm_nattch) and is destroyed after IPC_RMID when the last
// mapping goes. A vma holding a MappingRef holds one reference; splitting
// it, forking the address space or moving it with mremap adds one per new
// vma, and unmapping it (munmap, MAP_FIXED over it, exit, exec) drops one.
//
// Its methods are called with MemoryManager.mu held.
type MappingRef interface {
	IncMappings()
	DecMappings()
}

// NewObjectID returns a fresh identity for a shared memory object (futex
// keys of every mapping of it are (ID, offset), whatever the address).
func NewObjectID() uint64 { return nextAnonID.Add(1) }

// dupRef takes the reference a copy of v holds.
func (v *vma) dupRef() {
	if v.ref != nil {
		v.ref.IncMappings()
	}
}

// dropRef releases the reference v holds.
func (v *vma) dropRef() {
	if v.ref != nil {
		v.ref.DecMappings()
	}
}

// releaseRefsLocked drops every vma's reference: the address space is
// gone.
func (mm *MemoryManager) releaseRefsLocked() {
	for i := range mm.vmas {
		mm.vmas[i].dropRef()
		mm.vmas[i].ref = nil
	}
}

// ShmDetach implements shmdt(2) for the memory manager: it unmaps the
// System V shared memory attachment that starts at addr (its first vma,
// or a fragment of it left by munmap or mprotect whose offset in the
// segment equals its distance from addr), and the other fragments of the
// same attachment within the segment's size from addr. It returns the
// segment's reference, or EINVAL when no attachment starts at addr.
func (mm *MemoryManager) ShmDetach(addr uintptr) (MappingRef, linux.Errno) {
	if addr&(arch.PageSize-1) != 0 {
		return nil, linux.EINVAL
	}
	mm.mu.Lock()
	defer mm.mu.Unlock()
	var ref MappingRef
	var size uintptr
	match := func(v *vma) bool {
		return v.shmSize != 0 && v.start >= addr && int64(v.start-addr) == v.offset && (ref == nil || v.ref == ref)
	}
	for i := mm.findLocked(addr); i < len(mm.vmas); i++ {
		if v := &mm.vmas[i]; match(v) {
			ref, size = v.ref, pageRoundUp(uintptr(v.shmSize))
			break
		}
	}
	if ref == nil {
		return nil, linux.EINVAL
	}
	// The segment's reference stays valid while the vmas go: the caller
	// holds none, so keep one for the duration.
	ref.IncMappings()
	defer ref.DecMappings()
	for {
		i := mm.findLocked(addr)
		for i < len(mm.vmas) && mm.vmas[i].end-addr <= size && !match(&mm.vmas[i]) {
			i++
		}
		if i >= len(mm.vmas) || mm.vmas[i].end-addr > size {
			return ref, 0
		}
		v := mm.vmas[i]
		if err := mm.as.Unmap(v.start, v.end-v.start); err != nil {
			return ref, linux.FromHost(err)
		}
		mm.removeLocked(v.start, v.end)
	}
}
