package ptrace

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCompareAndSwapUint32(t *testing.T) {
	as, _ := newStub(t)
	if err := as.MapAnon(codeAddr, 4096, unix.PROT_READ|unix.PROT_WRITE, false); err != nil {
		t.Fatalf("MapAnon: %v", err)
	}
	a := as.(*addressSpace)
	word := uintptr(codeAddr + 8)
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], 7)
	if _, err := as.WriteAt(word, b[:]); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		old, new, prev, after uint32
	}{
		{old: 7, new: 9, prev: 7, after: 9}, // swapped
		{old: 7, new: 1, prev: 9, after: 9}, // mismatch: unchanged
		{old: 9, new: 0x80000000, prev: 9, after: 0x80000000},
	}
	for _, c := range cases {
		prev, err := a.CompareAndSwapUint32(word, c.old, c.new)
		if err != nil || prev != c.prev {
			t.Fatalf("CAS(%d, %d) = %d, %v; want %d", c.old, c.new, prev, err, c.prev)
		}
		if _, err := as.ReadAt(word, b[:]); err != nil {
			t.Fatal(err)
		}
		if got := binary.LittleEndian.Uint32(b[:]); got != c.after {
			t.Fatalf("after CAS(%d, %d) the word is %#x, want %#x", c.old, c.new, got, c.after)
		}
	}
	if _, err := a.CompareAndSwapUint32(codeAddr+2*4096, 0, 1); err != unix.EFAULT {
		t.Fatalf("CAS on unmapped memory: %v, want EFAULT", err)
	}
	if err := as.Protect(codeAddr, 4096, unix.PROT_READ); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CompareAndSwapUint32(word, 0x80000000, 1); err != unix.EFAULT {
		t.Fatalf("CAS on read-only memory: %v, want EFAULT", err)
	}
	// The thread still works after the faults. (lock cmpxchg writes
	// even when the comparison fails, so a read-only word always faults.)
	if err := as.Protect(codeAddr, 4096, unix.PROT_READ|unix.PROT_WRITE); err != nil {
		t.Fatal(err)
	}
	if prev, err := a.CompareAndSwapUint32(word, 5, 6); err != nil || prev != 0x80000000 {
		t.Fatalf("CAS after faults = %#x, %v", prev, err)
	}
}
