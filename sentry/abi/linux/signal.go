package linux

// NumSignals is the number of signals (1..64).
const NumSignals = 64

// SigAction is struct sigaction as the kernel ABI lays it out on x86-64
// (struct kernel_sigaction: handler, flags, restorer, mask).
type SigAction struct {
	Handler  uint64
	Flags    uint64
	Restorer uint64
	Mask     uint64
}

// SigActionSize is the size of SigAction in application memory.
const SigActionSize = 32

// Special handler values.
const (
	SIG_DFL = 0
	SIG_IGN = 1
)

// SigAction flags.
const (
	SA_NOCLDSTOP = 0x1
	SA_NOCLDWAIT = 0x2
	SA_SIGINFO   = 0x4
	SA_RESTORER  = 0x04000000
	SA_ONSTACK   = 0x08000000
	SA_RESTART   = 0x10000000
	SA_NODEFER   = 0x40000000
	SA_RESETHAND = 0x80000000
)

// SignalStack is stack_t.
type SignalStack struct {
	Sp    uint64
	Flags uint32
	_     uint32
	Size  uint64
}

// SignalStack flags.
const (
	SS_ONSTACK    = 1
	SS_DISABLE    = 2
	SS_AUTODISARM = 1 << 31
)

// MINSIGSTKSZ is the smallest alternate signal stack Linux accepts.
const MINSIGSTKSZ = 2048

// SigSet is a set of signals (bit N-1 = signal N).
type SigSet uint64

// UnblockableSignals cannot be blocked or caught.
const UnblockableSignals SigSet = 1<<(9-1) | 1<<(19-1) // SIGKILL, SIGSTOP

// SIGRTMIN is the first real-time signal.
const SIGRTMIN = 32
