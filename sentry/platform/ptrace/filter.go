package ptrace

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// stubSyscalls are the only host system calls the stub may execute from
// the injection site: the address-space changes the sentry decides (and
// msync of shared file mappings, mincore for the application's own
// pages), a thread reading its own CPU clock, receiving a donated file
// descriptor for a file mapping and closing it again, naming the stub after the program
// it runs (prctl PR_SET_NAME only, see command.go), registering an application thread's
// rseq area with the host, and ending a thread or the process.
var stubSyscalls = []uint32{
	unix.SYS_MMAP,
	unix.SYS_MPROTECT,
	unix.SYS_MUNMAP,
	unix.SYS_MREMAP,
	unix.SYS_MADVISE,
	unix.SYS_MSYNC,
	unix.SYS_MINCORE,
	unix.SYS_CLOCK_GETTIME,
	unix.SYS_RSEQ,
	unix.SYS_RECVMSG,
	unix.SYS_CLOSE,
	unix.SYS_EXIT,
	unix.SYS_EXIT_GROUP,
}

// Clone flags the stub may use: a new thread of the address space, or a
// fork whose child becomes a sibling of the stub (CLONE_PARENT) and sends
// no exit signal; the sentry's tracer reaps it with __WALL.
const (
	threadCloneFlags = unix.CLONE_VM | unix.CLONE_FS | unix.CLONE_FILES | unix.CLONE_SIGHAND |
		unix.CLONE_THREAD | unix.CLONE_SYSVSEM
	forkCloneFlags = unix.CLONE_PARENT
)

const auditArchX86_64 = 0xc000003e

// bpfProgram is a tiny classic-BPF assembler with symbolic jump targets.
type bpfProgram struct {
	insns  []unix.SockFilter
	labels map[string]int
	fixups []bpfFixup
}

type bpfFixup struct {
	at     int
	jt, jf string
}

func (p *bpfProgram) label(name string) { p.labels[name] = len(p.insns) }

func (p *bpfProgram) load(off uint32) {
	p.insns = append(p.insns, unix.SockFilter{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: off})
}

// jeq jumps to jt if A == k, else to jf ("" falls through).
func (p *bpfProgram) jeq(k uint32, jt, jf string) {
	p.fixups = append(p.fixups, bpfFixup{at: len(p.insns), jt: jt, jf: jf})
	p.insns = append(p.insns, unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: k})
}

func (p *bpfProgram) ret(k uint32) {
	p.insns = append(p.insns, unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: k})
}

func (p *bpfProgram) assemble() []unix.SockFilter {
	for _, f := range p.fixups {
		off := func(l string) uint8 {
			if l == "" {
				return 0
			}
			return uint8(p.labels[l] - f.at - 1)
		}
		p.insns[f.at].Jt, p.insns[f.at].Jf = off(f.jt), off(f.jf)
	}
	return p.insns
}

// stubFilter returns the seccomp program installed in every stub. A
// syscall is allowed only from one of the stub's own syscall instructions,
// and only the calls that site exists for:
//
//	stubSite       the memory and fd calls of stubSyscalls, and
//	               prctl(PR_SET_NAME)
//	stubCloneSite  clone, with exactly threadCloneFlags or forkCloneFlags
//	stubPauseSite  pause, where a new thread or child waits to be seized
//
// Anything else kills the stub. Under PTRACE_SYSEMU the application's own
// syscalls stop before seccomp runs, so the filter guards the injection
// path only (defence in depth should the sentry ever resume a stub freely).
func stubFilter() []unix.SockFilter {
	p := &bpfProgram{labels: map[string]int{}}
	// seccomp_data: nr @0, arch @4, instruction_pointer @8 (lo) @12 (hi),
	// args[0] @16 (lo) @20 (hi).
	p.load(4)
	p.jeq(auditArchX86_64, "", "kill")
	p.load(12)
	p.jeq(hi32(stubSite+2), "", "kill") // all sites share the high half
	p.load(8)
	p.jeq(lo32(stubSite+2), "site", "")
	p.jeq(lo32(stubCloneSite+2), "clone", "")
	p.jeq(lo32(stubPauseSite+2), "pause", "kill")

	p.label("site")
	p.load(0)
	p.jeq(unix.SYS_PRCTL, "prctl", "")
	for _, nr := range stubSyscalls {
		p.jeq(nr, "allow", "")
	}
	p.ret(unix.SECCOMP_RET_KILL_PROCESS)

	p.label("clone")
	p.load(0)
	p.jeq(unix.SYS_CLONE, "", "kill")
	p.load(20)
	p.jeq(0, "", "kill")
	p.load(16)
	p.jeq(threadCloneFlags, "allow", "")
	p.jeq(forkCloneFlags, "allow", "kill")

	p.label("prctl")
	p.load(20)
	p.jeq(0, "", "kill")
	p.load(16)
	p.jeq(unix.PR_SET_NAME, "allow", "kill")

	p.label("pause")
	p.load(0)
	p.jeq(unix.SYS_PAUSE, "allow", "kill")

	p.label("kill")
	p.ret(unix.SECCOMP_RET_KILL_PROCESS)
	p.label("allow")
	p.ret(unix.SECCOMP_RET_ALLOW)
	return p.assemble()
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

func lo32(a uint64) uint32 { return uint32(a) }
func hi32(a uint64) uint32 { return uint32(a >> 32) }
