package mm

// IncUsers records another task using the address space (threads and
// CLONE_VM children share one).
func (mm *MemoryManager) IncUsers() { mm.users.Add(1) }

// DecUsers drops a user; the last one releases the address space.
func (mm *MemoryManager) DecUsers() {
	if mm.users.Add(-1) == 0 {
		mm.Release()
	}
}

// Fork returns a copy of the sentry's record for a forked address space as
// (the host copied the memory itself, copy-on-write).
func (mm *MemoryManager) Fork(as platformAddressSpace) *MemoryManager {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	n := &MemoryManager{
		as:        as,
		vmas:      append([]vma(nil), mm.vmas...),
		brkStart:  mm.brkStart,
		brk:       mm.brk,
		mmapTop:   mm.mmapTop,
		stackTop:  mm.stackTop,
		argvStart: mm.argvStart, argvEnd: mm.argvEnd, envpStart: mm.envpStart, envpEnd: mm.envpEnd,
		auxv:       append([]uint64(nil), mm.auxv...),
		executable: mm.executable,
	}
	for i := range n.vmas {
		n.vmas[i].dupRef()
	}
	n.users.Store(1)
	return n
}
