package mm

import "sort"

// vma is one mapping in the sentry's record of an address space.
type vma struct {
	start, end uintptr
	prot       int
	// maxProt is the most the mapping may be mprotected to (a shared
	// mapping of a read-only file cannot become writable).
	maxProt int
	shared  bool
	// file mappings: the name shown in /proc/PID/maps, offset, identity.
	file     bool
	name     string
	offset   int64
	dev, ino uint64
	// anonID names a shared anonymous mapping's memory object (kept by
	// splits, mremap and fork) so that futexes in it have one key in
	// every address space that maps it.
	anonID uint64
	// ref is the mapped object's count of mappings (refs.go), and
	// shmSize the size of the System V shared memory segment a shmat
	// mapping attaches (0 for any other mapping).
	ref     MappingRef
	shmSize uint64
	// reserved mappings belong to the platform (stub, vDSO, vvar).
	reserved  bool
	growsDown bool
}

// findLocked returns the index of the first vma that ends after addr.
func (mm *MemoryManager) findLocked(addr uintptr) int {
	return sort.Search(len(mm.vmas), func(i int) bool { return mm.vmas[i].end > addr })
}

// overlapsLocked reports whether any vma intersects [start, end).
func (mm *MemoryManager) overlapsLocked(start, end uintptr) bool {
	i := mm.findLocked(start)
	return i < len(mm.vmas) && mm.vmas[i].start < end
}

// overlapsReservedLocked reports whether a platform mapping intersects
// [start, end).
func (mm *MemoryManager) overlapsReservedLocked(start, end uintptr) bool {
	for i := mm.findLocked(start); i < len(mm.vmas) && mm.vmas[i].start < end; i++ {
		if mm.vmas[i].reserved {
			return true
		}
	}
	return false
}

// insertLocked adds v, which must not overlap anything, merging it with
// compatible anonymous neighbours as Linux does.
func (mm *MemoryManager) insertLocked(v vma) {
	i := mm.findLocked(v.start)
	mm.vmas = append(mm.vmas, vma{})
	copy(mm.vmas[i+1:], mm.vmas[i:])
	mm.vmas[i] = v
	// Merge with the next, then with the previous.
	if i+1 < len(mm.vmas) && mergeable(&mm.vmas[i], &mm.vmas[i+1]) {
		mm.vmas[i].end = mm.vmas[i+1].end
		mm.vmas = append(mm.vmas[:i+1], mm.vmas[i+2:]...)
	}
	if i > 0 && mergeable(&mm.vmas[i-1], &mm.vmas[i]) {
		mm.vmas[i-1].end = mm.vmas[i].end
		mm.vmas = append(mm.vmas[:i], mm.vmas[i+1:]...)
	}
}

func mergeable(a, b *vma) bool {
	if a.end != b.start || a.reserved || b.reserved || a.ref != nil || b.ref != nil {
		return false
	}
	if a.prot != b.prot || a.maxProt != b.maxProt || a.shared != b.shared || a.file != b.file || a.name != b.name || a.growsDown != b.growsDown {
		return false
	}
	if a.file {
		return a.dev == b.dev && a.ino == b.ino && a.offset+int64(a.end-a.start) == b.offset
	}
	return !a.shared
}

// removeLocked deletes [start, end) from the record, splitting vmas that
// straddle the edges.
func (mm *MemoryManager) removeLocked(start, end uintptr) {
	mm.splitAtLocked(start)
	mm.splitAtLocked(end)
	i := mm.findLocked(start)
	j := i
	for j < len(mm.vmas) && mm.vmas[j].start < end {
		mm.vmas[j].dropRef()
		j++
	}
	mm.vmas = append(mm.vmas[:i], mm.vmas[j:]...)
}

// splitAtLocked makes addr a vma boundary if it falls inside one.
func (mm *MemoryManager) splitAtLocked(addr uintptr) {
	i := mm.findLocked(addr)
	if i >= len(mm.vmas) || mm.vmas[i].start >= addr {
		return
	}
	v := mm.vmas[i]
	left, right := v, v
	left.end = addr
	right.start = addr
	if v.file || v.shared {
		right.offset += int64(addr - v.start)
	}
	right.dupRef()
	mm.vmas = append(mm.vmas, vma{})
	copy(mm.vmas[i+2:], mm.vmas[i+1:])
	mm.vmas[i], mm.vmas[i+1] = left, right
}

// mappedLocked reports whether every byte of [start, end) is in some vma.
func (mm *MemoryManager) mappedLocked(start, end uintptr) bool {
	at := start
	for i := mm.findLocked(start); i < len(mm.vmas) && at < end; i++ {
		if mm.vmas[i].start > at {
			return false
		}
		at = mm.vmas[i].end
	}
	return at >= end
}

// findFreeLocked returns the highest free range of length n that ends at
// or below top, or 0.
func (mm *MemoryManager) findFreeLocked(n, top uintptr) uintptr {
	end := top
	i := mm.findLocked(top)
	// A mapping may straddle top (one that grew up past it with mremap).
	if i < len(mm.vmas) && mm.vmas[i].start < end {
		end = mm.vmas[i].start
	}
	for i--; ; i-- {
		var lo uintptr = minMmapAddr
		if i >= 0 {
			lo = mm.vmas[i].end
		}
		if lo < end && end-lo >= n {
			return pageRoundDown(end - n)
		}
		if i < 0 {
			return 0
		}
		if mm.vmas[i].start < end {
			end = mm.vmas[i].start
		}
	}
}

// findFreeFromLocked returns the lowest free range of length n at or above
// hint, below the stack, or 0.
func (mm *MemoryManager) findFreeFromLocked(hint, n uintptr) uintptr {
	if hint < minMmapAddr {
		hint = minMmapAddr
	}
	limit := mm.stackTop
	at := hint
	for i := mm.findLocked(hint); ; i++ {
		next := limit
		if i < len(mm.vmas) && mm.vmas[i].start < limit {
			next = mm.vmas[i].start
		}
		if next > at && next-at >= n {
			return at
		}
		if i >= len(mm.vmas) || mm.vmas[i].start >= limit {
			return 0
		}
		if mm.vmas[i].end > at {
			at = mm.vmas[i].end
		}
	}
}
