package ptrace

import (
	"encoding/binary"
)

// The stub is a tiny static ELF the sentry writes at start-up and executes
// (traced) as the empty shell of every application address space. It holds
// two pages at stubBase:
//
//	stubBase           r-x  ELF headers, then the injection site:
//	                        syscall; int3
//	stubBase+pageSize  rw-  scratch: seccomp program, recvmsg buffers, a thread clock slot
//
// The stub never runs on its own: it stops at exec, and afterwards only
// executes system calls the sentry injects at the site.
const (
	stubBase    = 0x7f0000000000
	pageSize    = 4096
	stubCodeOff = 0xc0
	// stubSite is the address of the injection site (the syscall insn).
	stubSite = stubBase + stubCodeOff
	// stubScratch is the stub's read-write scratch page.
	stubScratch = stubBase + pageSize
	stubEnd     = stubBase + 2*pageSize
)

// stubCloneSite is where clone is injected (for new threads and fork):
// the parent stops at an int3, the child waits in pause(2) until a sentry
// thread seizes it.
const (
	stubCloneSite = stubSite + 16
	// stubPauseSite is the child's pause syscall instruction.
	stubPauseSite = stubCloneSite + 12
	// stubCloneTrap is the address after the parent's int3.
	stubCloneTrap = stubCloneSite + 17
	// stubCASSite is the atomic compare-and-swap (atomic.go), and
	// stubCASTrap the address after its int3.
	stubCASSite = stubCloneSite + 17
	stubCASTrap = stubCASSite + 5
)

// stubCode is the machine code at stubSite.
var stubCode = []byte{
	// stubSite:
	0x0f, 0x05, // syscall
	0xcc,                                     // int3
	0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, // padding
	0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
	// stubCloneSite:
	0x0f, 0x05, // +0:  syscall (clone)
	0x48, 0x85, 0xc0, // +2:  test rax, rax
	0x75, 0x09, // +5:  jnz +16 (parent)
	0xb8, 0x22, 0x00, 0x00, 0x00, // +7:  mov eax, SYS_pause
	0x0f, 0x05, // +12: syscall (pause)
	0xeb, 0xf7, // +14: jmp +7
	0xcc, // +16: int3 (parent)
	// stubCASSite (atomic.go):
	0xf0, 0x0f, 0xb1, 0x37, // lock cmpxchg [rdi], esi
	0xcc, // int3
}

// stubELF returns the bytes of the stub executable.
func stubELF() []byte {
	le := binary.LittleEndian
	b := make([]byte, stubCodeOff+len(stubCode))
	// ELF header.
	copy(b, []byte{0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LE */, 1 /* version */, 0 /* SYSV */})
	le.PutUint16(b[16:], 2)    // ET_EXEC
	le.PutUint16(b[18:], 0x3e) // EM_X86_64
	le.PutUint32(b[20:], 1)    // EV_CURRENT
	le.PutUint64(b[24:], stubSite+2)
	le.PutUint64(b[32:], 64) // e_phoff
	le.PutUint64(b[40:], 0)  // e_shoff
	le.PutUint32(b[48:], 0)  // e_flags
	le.PutUint16(b[52:], 64) // e_ehsize
	le.PutUint16(b[54:], 56) // e_phentsize
	le.PutUint16(b[56:], 2)  // e_phnum
	// PT_LOAD r-x: the file itself.
	ph := b[64:]
	le.PutUint32(ph[0:], 1)         // PT_LOAD
	le.PutUint32(ph[4:], 4|1)       // PF_R|PF_X
	le.PutUint64(ph[8:], 0)         // p_offset
	le.PutUint64(ph[16:], stubBase) // p_vaddr
	le.PutUint64(ph[24:], stubBase) // p_paddr
	le.PutUint64(ph[32:], uint64(len(b)))
	le.PutUint64(ph[40:], uint64(len(b)))
	le.PutUint64(ph[48:], pageSize)
	// PT_LOAD rw-: the scratch page (bss only).
	ph = b[64+56:]
	le.PutUint32(ph[0:], 1)
	le.PutUint32(ph[4:], 4|2) // PF_R|PF_W
	le.PutUint64(ph[8:], 0)
	le.PutUint64(ph[16:], stubScratch)
	le.PutUint64(ph[24:], stubScratch)
	le.PutUint64(ph[32:], 0)
	le.PutUint64(ph[40:], pageSize)
	le.PutUint64(ph[48:], pageSize)
	copy(b[stubCodeOff:], stubCode)
	return b
}
