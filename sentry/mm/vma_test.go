package mm

import "testing"

// TestFindFreeStraddlingTop is the bug where a mapping grown upwards past
// the mmap base (realloc through mremap) was handed out again.
func TestFindFreeStraddlingTop(t *testing.T) {
	mm := &MemoryManager{}
	const pg = 0x1000
	mm.insertLocked(vma{start: 0x10000 * pg, end: 0x10010 * pg, prot: 3, maxProt: 7})
	mm.insertLocked(vma{start: 0x20000 * pg, end: 0x20040 * pg, prot: 3, maxProt: 7}) // straddles top
	top := uintptr(0x20020 * pg)
	got := mm.findFreeLocked(0x28*pg, top)
	if got == 0 || got+0x28*pg > 0x20000*pg {
		t.Fatalf("findFreeLocked = %#x, overlaps the mapping at %#x", got, 0x20000*pg)
	}
	if mm.overlapsLocked(got, got+0x28*pg) {
		t.Fatalf("findFreeLocked = %#x overlaps a mapping", got)
	}
}
