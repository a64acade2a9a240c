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
//	stubBase+pageSize  rw-  scratch: seccomp program, recvmsg buffers
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

// stubCode is the machine code at stubSite.
var stubCode = []byte{
	0x0f, 0x05, // syscall
	0xcc, // int3
	0xcc, // int3 (padding)
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
