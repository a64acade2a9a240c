package ptrace

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// stubSyscalls are the only host system calls the stub may execute, and
// only from the injection site: the address-space changes the sentry
// decides (and msync of shared file mappings), receiving a donated file descriptor for a file mapping, closing
// it again, and dying.
var stubSyscalls = []uint32{
	unix.SYS_MMAP,
	unix.SYS_MPROTECT,
	unix.SYS_MUNMAP,
	unix.SYS_MREMAP,
	unix.SYS_MADVISE,
	unix.SYS_MSYNC,
	unix.SYS_RECVMSG,
	unix.SYS_CLOSE,
	unix.SYS_EXIT_GROUP,
}

const auditArchX86_64 = 0xc000003e

// stubFilter returns the classic-BPF seccomp program installed in every
// stub: allow a listed syscall made from the injection site, kill the
// process otherwise. Under PTRACE_SYSEMU the application's own syscalls are
// stopped before seccomp runs, so this filter only guards the injection path
// (defence in depth if the sentry were tricked into resuming a stub freely).
func stubFilter() []unix.SockFilter {
	const (
		ld  = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		ret = unix.BPF_RET | unix.BPF_K
	)
	ip := uint64(stubSite + 2) // seccomp sees the address after the syscall insn
	// Layout: 7 header instructions, one compare per allowed syscall, then
	// "kill" at index kill and "allow" at kill+1.
	const header = 7
	kill := header + len(stubSyscalls)
	toKill := func(i int) uint8 { return uint8(kill - i - 1) }
	p := []unix.SockFilter{
		{Code: ld, K: 4}, // arch
		{Code: jeq, K: auditArchX86_64, Jf: toKill(1)},
		{Code: ld, K: 8}, // instruction_pointer, low half
		{Code: jeq, K: uint32(ip), Jf: toKill(3)},
		{Code: ld, K: 12}, // instruction_pointer, high half
		{Code: jeq, K: uint32(ip >> 32), Jf: toKill(5)},
		{Code: ld, K: 0}, // nr
	}
	for i, nr := range stubSyscalls {
		p = append(p, unix.SockFilter{Code: jeq, K: nr, Jt: toKill(header+i) + 1})
	}
	return append(p,
		unix.SockFilter{Code: ret, K: unix.SECCOMP_RET_KILL_PROCESS},
		unix.SockFilter{Code: ret, K: unix.SECCOMP_RET_ALLOW},
	)
}

// encodeFilter lays the program out as bytes for copying into the stub.
func encodeFilter(p []unix.SockFilter) []byte {
	b := make([]byte, 8*len(p))
	for i, f := range p {
		binary.LittleEndian.PutUint16(b[8*i:], f.Code)
		b[8*i+2] = f.Jt
		b[8*i+3] = f.Jf
		binary.LittleEndian.PutUint32(b[8*i+4:], f.K)
	}
	return b
}
