package kernel

import (
	"sync"
	"sync/atomic"

	"moat/internal/log"
	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/kernel/ipc"
	"moat/sentry/mm"
	"moat/sentry/platform"
)

// Task is a Linux thread. Its goroutine is locked to one OS thread, which
// drives the task's platform thread; every syscall handler runs on it.
type Task struct {
	k   *Kernel
	tg  *ThreadGroup
	tid int32 // in the root PID namespace
	// pidns is the PID namespace the task lives in (nil: the root).
	pidns *PIDNamespace
	// ipcns is the task's IPC namespace (nil: the root; ipc_task.go).
	ipcns *ipc.Namespace

	// The fields below are owned by the task goroutine.
	mm        *mm.MemoryManager
	thread    platform.Thread
	regs      arch.Registers
	fdTable   *FDTable
	fsContext *FSContext
	// restartErrno is the ERESTART* code of the last syscall, resolved
	// when signals are delivered.
	restartErrno linux.Errno
	// restartBlock continues a syscall that ended ERESTART_RESTARTBLOCK
	// when restart_syscall(2) runs (restart.go).
	restartBlock RestartFn
	// savedMask is the mask to restore after sigsuspend-like waits.
	savedMask *linux.SigSet

	// wake is signalled when a signal is queued, to end blocking waits.
	wake chan struct{}
	// parkWord is the host futex word of a parked wait (task_park.go).
	parkWord atomic.Uint32
	// sigQueued is set when a signal is queued for the task or its
	// process, and cleared when both queues are empty: the run loop skips
	// the signal locks while it is false.
	sigQueued atomic.Bool
	// exitThread is set by exit(2): only this thread ends.
	exitThread bool
	// killed is set when another thread's execve kills this one
	// (exec_threads.go).
	killed atomic.Bool
	// inApp is set while the task runs application code, or is about to:
	// only then does interrupt need the platform to kick it out.
	inApp atomic.Bool
	// recent are the task's last syscall numbers, for the report of an
	// internal error (task_panic.go).
	recent     [recentSyscalls]uintptr
	recentNext int
	// semUndo is the System V semaphore undo list, or nil.
	semUndo *ipc.UndoList
	// vforkDone is closed when a vfork child execs or exits.
	vforkDone chan struct{}

	creds atomic.Pointer[auth.Credentials]

	// mu guards the fields below.
	mu            sync.Mutex
	name          string
	sigMask       linux.SigSet
	altStack      linux.SignalStack
	clearChildTID uintptr
	robustList    uintptr
	robustLen     uintptr
	// pdeathsig is sent when the parent process dies (PR_SET_PDEATHSIG).
	pdeathsig int
	// nice is the task's niceness (setpriority).
	nice int
	// affinity (nil: every CPU) and sched are sched.go's attributes.
	affinity CPUMask
	sched    SchedPolicy
	// timerSlack is PR_SET_TIMERSLACK's value in nanoseconds.
	timerSlack uint64
	// keepCaps is PR_SET_KEEPCAPS.
	keepCaps bool
	// rseqAddr and rseqSig are the registered rseq area and signature.
	rseqAddr uintptr
	rseqSig  uint32
	// pending are thread-directed signals not yet delivered.
	pending sigQueue
}

// Kernel returns the task's kernel.
func (t *Task) Kernel() *Kernel { return t.k }

// ThreadGroup returns the task's process.
func (t *Task) ThreadGroup() *ThreadGroup { return t.tg }

// TID returns the thread ID in the task's own PID namespace.
func (t *Task) TID() int32 { return t.PIDNamespace().idOf(t.tid) }

// PID returns the thread group ID in the task's own PID namespace.
func (t *Task) PID() int32 { return t.tg.PID() }

// PPID returns the parent's PID in the task's PID namespace (0 for the
// container's init, or a parent outside the namespace).
func (t *Task) PPID() int32 {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	if p := t.tg.parent; p != nil {
		return t.PIDNamespace().IDOfThreadGroup(p)
	}
	return 0
}

// MM returns the task's address space. Other goroutines (/proc) may call
// it: the task goroutine, the only writer of t.mm, sets it under t.mu.
func (t *Task) MM() *mm.MemoryManager {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mm
}

// setMM installs a new address space.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) setMM(m *mm.MemoryManager) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.mm = m
}

// FDTable returns the task's file descriptor table.
func (t *Task) FDTable() *FDTable { return t.fdTable }

// FSContext returns the task's root, cwd and umask.
func (t *Task) FSContext() *FSContext { return t.fsContext }

// Credentials returns the task's credentials (immutable).
func (t *Task) Credentials() *auth.Credentials { return t.creds.Load() }

// SetCredentials installs new credentials.
func (t *Task) SetCredentials(c *auth.Credentials) { t.creds.Store(c) }

// Name returns the task's command name (comm).
func (t *Task) Name() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.name
}

// SetName changes the command name, truncated to 15 bytes as Linux does.
func (t *Task) SetName(n string) {
	if len(n) > 15 {
		n = n[:15]
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.name = n
}

// Regs returns the task's registers.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) Regs() *arch.Registers { return &t.regs }

// Debugf logs a debug message tagged with the task.
func (t *Task) Debugf(format string, args ...any) {
	if log.IsDebug() {
		log.Debugf("[%d] "+format, append([]any{t.tid}, args...)...)
	}
}

// Warningf logs a warning tagged with the task.
func (t *Task) Warningf(format string, args ...any) {
	log.Warningf("[%d] "+format, append([]any{t.tid}, args...)...)
}

// CopyIn copies len(dst) bytes from application address addr.
func (t *Task) CopyIn(addr uintptr, dst []byte) linux.Errno { return t.mm.CopyIn(addr, dst) }

// CopyOut copies src to application address addr.
func (t *Task) CopyOut(addr uintptr, src []byte) linux.Errno { return t.mm.CopyOut(addr, src) }

// CopyInString reads a NUL-terminated string of at most maxLen bytes
// (excluding the NUL) at addr: ENAMETOOLONG if there is no NUL in time.
func (t *Task) CopyInString(addr uintptr, maxLen int) (string, linux.Errno) {
	var buf [256]byte
	var out []byte
	for len(out) <= maxLen {
		// Read up to the end of the page to avoid faulting past it.
		chunk := arch.PageSize - int(addr%arch.PageSize)
		chunk = min(chunk, len(buf), maxLen+1-len(out))
		n := t.mm.CopyInPartial(addr, buf[:chunk])
		if n == 0 {
			return "", linux.EFAULT
		}
		for i := 0; i < n; i++ {
			if buf[i] == 0 {
				return string(append(out, buf[:i]...)), 0
			}
		}
		out = append(out, buf[:n]...)
		addr += uintptr(n)
	}
	return "", linux.ENAMETOOLONG
}

// MaxIovecs is the most iovecs readv and friends accept (UIO_MAXIOV).
const MaxIovecs = 1024

// CopyInIovecs reads count struct iovecs at addr.
func (t *Task) CopyInIovecs(addr uintptr, count int) ([]linux.IOVec, linux.Errno) {
	if count < 0 || count > MaxIovecs {
		return nil, linux.EINVAL
	}
	if count == 0 {
		return nil, 0
	}
	b := make([]byte, 16*count)
	if errno := t.CopyIn(addr, b); errno != 0 {
		return nil, errno
	}
	iovs := make([]linux.IOVec, count)
	var total uint64
	for i := range iovs {
		base := leUint64(b[16*i:])
		l := leUint64(b[16*i+8:])
		if int64(l) < 0 {
			return nil, linux.EINVAL
		}
		total += l
		if int64(total) < 0 {
			return nil, linux.EINVAL
		}
		iovs[i] = linux.IOVec{Base: uintptr(base), Len: uintptr(l)}
	}
	return iovs, 0
}

func leUint64(b []byte) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// SigMask returns the blocked signal set.
func (t *Task) SigMask() linux.SigSet {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sigMask
}

// SetSigMask sets the blocked signal set (SIGKILL and SIGSTOP stay
// unblocked).
func (t *Task) SetSigMask(m linux.SigSet) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sigMask = m &^ linux.UnblockableSignals
}

// AltStack returns the alternate signal stack.
func (t *Task) AltStack() linux.SignalStack {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.altStack
}

// SetAltStack sets the alternate signal stack.
func (t *Task) SetAltStack(s linux.SignalStack) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.altStack = s
}

// SetClearChildTID sets the address cleared (and futex-woken) on exit.
func (t *Task) SetClearChildTID(addr uintptr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.clearChildTID = addr
}

// SetRobustList records the robust futex list head.
func (t *Task) SetRobustList(head, length uintptr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.robustList, t.robustLen = head, length
}

// RobustList returns the robust futex list head and length.
func (t *Task) RobustList() (uintptr, uintptr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.robustList, t.robustLen
}
