package kernel

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// ThreadGroup is a process: the tasks that share a PID, signal handlers,
// resource limits and exit status.
type ThreadGroup struct {
	k   *Kernel
	pid int32
	// container is the ID of the pod container the process belongs to
	// (container.go); set before the process runs, then fixed.
	container string

	// The process tree, guarded by Kernel.mu (like Linux's tasklist lock).
	parent   *ThreadGroup
	children map[*ThreadGroup]struct{}
	leader   *Task
	// exitSignal is sent to the parent when the process ends (SIGCHLD,
	// or the clone's choice; 0 for none).
	exitSignal int
	// zombie is set when every task has exited; the process waits to be
	// reaped by wait(2).
	zombie bool
	// pgid and sid are the process group and session.
	pgid, sid int32
	// subreaper is PR_SET_CHILD_SUBREAPER.
	subreaper bool
	// childEvents is closed (and replaced) when a child changes state.
	childEvents chan struct{}
	// user and sys are the CPU times of exited threads and reaped children.
	userTime, sysTime           int64
	childUserTime, childSysTime int64

	// mu guards the fields below.
	mu      sync.Mutex
	tasks   map[*Task]struct{}
	exiting bool
	status  ExitStatus
	// actions are the signal dispositions (index signo-1).
	actions [linux.NumSignals]linux.SigAction
	limits  Limits
	// pending are process-directed signals not yet delivered.
	pending sigQueue
	// itimer is ITIMER_REAL.
	itimer realTimer
	// cpuTimers are ITIMER_VIRTUAL and ITIMER_PROF (itimer_cpu.go), and
	// cpuTimerRunning says their sampling goroutine runs.
	cpuTimers       [2]cpuITimer
	cpuTimerRunning bool
	// posixTimers are the timer_create timers (own lock).
	posixTimers posixTimers
	// notDumpable is PR_SET_DUMPABLE(0); execve clears it.
	notDumpable bool
	// Job control (jobcontrol.go): a group stop with the signal that
	// caused it, and whether the parent has yet to wait for the stop or
	// the continue.
	groupStopped                   bool
	stopSignal                     int
	stopUnreported, contUnreported bool
	// persona is the personality(2) value (personality.go).
	persona atomic.Uint32
	// contNotify is set while the parent's SIGCHLD for a continue is yet
	// to be sent (jobcontrol.go, flushContinueLocked).
	contNotify bool
	// startTime is when the process was created.
	startTime int64
	// execer is the thread whose execve is killing the others, and
	// execDone is closed when it is the last one (exec_threads.go).
	execer   *Task
	execDone chan struct{}
	// exitQueue is notified when the process becomes a zombie (pidfds).
	exitQueue vfs.Queue
}

// PID returns the thread group ID in the process's own PID namespace.
func (tg *ThreadGroup) PID() int32 { return tg.pidNamespace().idOf(tg.pid) }

// Limits returns a copy of the resource limits.
func (tg *ThreadGroup) Limits() Limits {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.limits
}

// Limit returns one resource limit.
func (tg *ThreadGroup) Limit(resource int) Rlimit {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.limits[resource]
}

// SetLimit changes one resource limit; raising a hard limit needs
// CAP_SYS_RESOURCE.
func (tg *ThreadGroup) SetLimit(resource int, l Rlimit, privileged bool) linux.Errno {
	if resource < 0 || resource >= NumLimits {
		return linux.EINVAL
	}
	if l.Cur > l.Max {
		return linux.EINVAL
	}
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if l.Max > tg.limits[resource].Max && !privileged {
		return linux.EPERM
	}
	if resource == unix.RLIMIT_NOFILE && l.Max > MaxNOFILE {
		return linux.EPERM
	}
	tg.limits[resource] = l
	return 0
}

// SigAction returns the disposition of sig.
func (tg *ThreadGroup) SigAction(sig int) linux.SigAction {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.actions[sig-1]
}

// SetSigAction changes the disposition of sig and returns the old one.
func (tg *ThreadGroup) SetSigAction(sig int, act *linux.SigAction) linux.SigAction {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	old := tg.actions[sig-1]
	if act != nil {
		tg.actions[sig-1] = *act
	}
	return old
}

// Rlimit is one resource limit.
type Rlimit struct{ Cur, Max uint64 }

// Infinity is RLIM_INFINITY.
const Infinity = ^uint64(0)

// NumLimits is the number of resources Linux knows.
const NumLimits = 16

// MaxNOFILE is the most open files a process may ask for (fs.nr_open).
const MaxNOFILE = 1 << 20

// Limits is a set of resource limits indexed by RLIMIT_*.
type Limits [NumLimits]Rlimit

// DefaultLimits returns the limits a container's first process gets (the
// defaults Linux and container runtimes use).
func DefaultLimits() Limits {
	var l Limits
	for i := range l {
		l[i] = Rlimit{Infinity, Infinity}
	}
	l[unix.RLIMIT_CORE] = Rlimit{0, Infinity}
	l[unix.RLIMIT_STACK] = Rlimit{8 << 20, Infinity}
	l[unix.RLIMIT_NOFILE] = Rlimit{1024, 1048576}
	l[unix.RLIMIT_NPROC] = Rlimit{Infinity, Infinity}
	l[unix.RLIMIT_MEMLOCK] = Rlimit{8 << 20, 8 << 20}
	l[unix.RLIMIT_SIGPENDING] = Rlimit{63704, 63704}
	l[unix.RLIMIT_MSGQUEUE] = Rlimit{819200, 819200}
	l[unix.RLIMIT_NICE] = Rlimit{0, 0}
	l[unix.RLIMIT_RTPRIO] = Rlimit{0, 0}
	return l
}
