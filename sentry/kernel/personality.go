package kernel

// The process's execution domain, personality(2). Moat runs x86-64 Linux
// binaries only, so the domain is always Linux's; what the value changes:
//   - ADDR_NO_RANDOMIZE: the next execve lays the program out without
//     randomisation (stack, mmap base, PIE and brk), as `setarch -R` asks;
//   - PER_LINUX32 (the low byte): uname(2) reports machine i686
//     (`linux32`, `setarch i686`);
//   - READ_IMPLIES_EXEC is dropped by every execve, as x86-64 Linux does
//     for 64-bit programs;
// the other flags are kept and reported, and change nothing here, as on
// x86-64 Linux for most of them.

// Personality flags (include/uapi/linux/personality.h).
const (
	PerLinux32        = 0x0008
	PerMask           = 0x00ff
	AddrNoRandomize   = 0x0040000
	ReadImpliesExec   = 0x0400000
	PersonalityQuery  = 0xffffffff
	personalityOnExec = ^uint32(ReadImpliesExec)
)

// Personality returns the process's personality.
func (tg *ThreadGroup) Personality() uint32 { return tg.persona.Load() }

// SetPersonality sets the process's personality and returns the old one.
func (tg *ThreadGroup) SetPersonality(p uint32) uint32 { return tg.persona.Swap(p) }
