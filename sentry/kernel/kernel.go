// Package kernel holds the sentry's model of Linux processes: the Kernel,
// thread groups, tasks (one goroutine each, locked to an OS thread that
// drives its platform thread), credentials, signals and exit.
//
// The kernel never imports syscalls/ or fs/: handlers are installed from
// outside as a SyscallTable, file systems through vfs.
//
// Lock order: Kernel.mu, then ThreadGroup.mu, then Task.mu.
package kernel

import (
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"moat/sentry/kernel/ipc"
	"moat/sentry/kernel/mq"
	"moat/sentry/platform"
	"moat/sentry/vfs"
)

// Config assembles a Kernel.
type Config struct {
	Platform platform.Platform
	Syscalls *SyscallTable
	// VFS is the mount namespace the container sees.
	VFS *vfs.VirtualFilesystem
	// Hostname and domain name of the UTS namespace.
	Hostname, Domainname string
	// Strace logs every syscall with its arguments, result and duration.
	Strace bool
	// CPUs is the number of CPUs the sandbox reports.
	CPUs int
	// Exec opens programs for execve and the initial process.
	Exec ExecOpener
	// MaxTasks bounds the tasks (threads) of the sandbox; clone fails with
	// EAGAIN beyond it. Each task holds a host thread of the sentry and a
	// stub thread, so a fork bomb must stop here, not at the host's
	// limits. Zero means DefaultMaxTasks.
	MaxTasks int
}

// DefaultMaxTasks is the task limit when the container sets none.
const DefaultMaxTasks = 4096

// Kernel is one sandbox's kernel.
type Kernel struct {
	cfg      Config
	bootTime time.Time

	// mu guards the fields below.
	mu sync.Mutex
	// tasks by thread ID (in the sandbox PID namespace).
	tasks map[int32]*Task
	// threadGroups by PID, zombies included until reaped.
	threadGroups map[int32]*ThreadGroup
	// users of shared per-task state (CLONE_FILES, CLONE_FS).
	fdUsers map[*FDTable]int
	fsUsers map[*FSContext]int
	nextTID int32
	// init is the first thread group; when it exits the sandbox ends.
	init *ThreadGroup
	// rootPIDNS is the root PID namespace (pidns.go).
	rootPIDNS *PIDNamespace
	// rootIPCNS is the sandbox's IPC namespace (ipc_task.go).
	rootIPCNS *ipc.Namespace
	// mqUsers counts every namespace's POSIX message queues against
	// their creators' RLIMIT_MSGQUEUE.
	mqUsers *mq.Users

	// futexes are the futex wait queues.
	futexes futexTable
	// piFutexes are the PI futex states (futex_pi.go), guarded by
	// futexes.mu.
	piFutexes piTable
	// threadCPU are the watches on threads' CPU clocks
	// (thread_cpu_timer.go).
	threadCPU threadCPUWatches
	// tracers are idle task goroutines (tracers.go).
	tracers tracerPool

	// missing records unimplemented syscalls already logged.
	missingMu sync.Mutex
	missing   map[uintptr]bool

	done     chan struct{}
	doneOnce sync.Once
	exit     ExitStatus

	// pause is runsc pause's state (pause.go).
	pause pauseState

	// resources are the container's limits (resources.go), or nil.
	resources atomic.Pointer[Resources]
	// cgroupMu guards cgroups, the cgroup hierarchies mounted so far.
	cgroupMu sync.Mutex
	cgroups  []CgroupHierarchy
}

// ExitStatus is how a thread group ended.
type ExitStatus struct {
	// Code is the exit code when Signo is 0.
	Code int
	// Signo is the signal that killed it, or 0.
	Signo int
	// CoreDumped is set for core-dump signals.
	CoreDumped bool
}

// ShellCode returns the status as a shell reports it: the code, or 128+N
// for death by signal N.
func (s ExitStatus) ShellCode() int {
	if s.Signo != 0 {
		return 128 + s.Signo
	}
	return s.Code
}

// WaitStatus returns the status encoded as wait(2) reports it.
func (s ExitStatus) WaitStatus() uint32 {
	if s.Signo != 0 {
		ws := uint32(s.Signo)
		if s.CoreDumped {
			ws |= 0x80
		}
		return ws
	}
	return uint32(s.Code&0xff) << 8
}

// New returns a kernel with no tasks.
func New(cfg Config) (*Kernel, error) {
	if cfg.Platform == nil || cfg.Syscalls == nil || cfg.VFS == nil || cfg.Exec == nil {
		return nil, fmt.Errorf("kernel config is missing a platform, syscall table, VFS or exec opener")
	}
	if cfg.CPUs <= 0 {
		cfg.CPUs = 1
	}
	if cfg.MaxTasks <= 0 {
		cfg.MaxTasks = DefaultMaxTasks
	}
	// Every task pins an OS thread; leave Go room for its own threads.
	debug.SetMaxThreads(2*cfg.MaxTasks + 1000)
	k := &Kernel{
		cfg:          cfg,
		bootTime:     time.Now(),
		tasks:        map[int32]*Task{},
		threadGroups: map[int32]*ThreadGroup{},
		fdUsers:      map[*FDTable]int{},
		fsUsers:      map[*FSContext]int{},
		nextTID:      1,
		missing:      map[uintptr]bool{},
		done:         make(chan struct{}),
	}
	k.rootPIDNS = &PIDNamespace{k: k}
	k.mqUsers = mq.NewUsers()
	k.rootIPCNS = k.NewIPCNamespace()
	return k, nil
}

// Platform returns the platform tasks run on.
func (k *Kernel) Platform() platform.Platform { return k.cfg.Platform }

// VFS returns the mount namespace.
func (k *Kernel) VFS() *vfs.VirtualFilesystem { return k.cfg.VFS }

// Hostname returns the UTS hostname.
func (k *Kernel) Hostname() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.cfg.Hostname
}

// SetHostname changes the UTS hostname.
func (k *Kernel) SetHostname(h string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.cfg.Hostname = h
}

// Domainname returns the UTS domain name.
func (k *Kernel) Domainname() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.cfg.Domainname
}

// SetDomainname changes the UTS domain name.
func (k *Kernel) SetDomainname(d string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.cfg.Domainname = d
}

// BootTime returns when the kernel started.
func (k *Kernel) BootTime() time.Time { return k.bootTime }

// CPUs returns the number of CPUs the sandbox reports: what the
// container's limits allow (SetResources), or Config.CPUs.
func (k *Kernel) CPUs() int {
	if r := k.resources.Load(); r != nil {
		return r.CPUs()
	}
	return k.cfg.CPUs
}

// Wait blocks until the init process has exited and returns its status.
func (k *Kernel) Wait() ExitStatus {
	<-k.done
	return k.exit
}

// ThreadGroupByPID returns the live (not zombie) process with pid, or nil.
func (k *Kernel) ThreadGroupByPID(pid int32) *ThreadGroup {
	k.mu.Lock()
	defer k.mu.Unlock()
	if tg := k.threadGroups[pid]; tg != nil && !tg.zombie {
		return tg
	}
	return nil
}

// ThreadGroups returns every live process.
func (k *Kernel) ThreadGroups() []*ThreadGroup {
	k.mu.Lock()
	defer k.mu.Unlock()
	var tgs []*ThreadGroup
	for _, tg := range k.threadGroups {
		if !tg.zombie {
			tgs = append(tgs, tg)
		}
	}
	return tgs
}

// TaskByTID returns the task with the given thread ID, or nil.
func (k *Kernel) TaskByTID(tid int32) *Task {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.tasks[tid]
}

// Tasks returns every live task.
func (k *Kernel) Tasks() []*Task {
	k.mu.Lock()
	defer k.mu.Unlock()
	ts := make([]*Task, 0, len(k.tasks))
	for _, t := range k.tasks {
		ts = append(ts, t)
	}
	return ts
}

// allocTIDLocked returns the next free thread ID.
//
// Preconditions:
// - k.mu is held.
func (k *Kernel) allocTIDLocked() int32 {
	for {
		tid := k.nextTID
		k.nextTID++
		if k.nextTID > 4194304 {
			k.nextTID = 2
		}
		_, used := k.tasks[tid]
		_, usedPID := k.threadGroups[tid]
		if !used && !usedPID {
			return tid
		}
	}
}

// noteMissing reports whether nr is being reported missing for the first time.
func (k *Kernel) noteMissing(nr uintptr) bool {
	k.missingMu.Lock()
	defer k.missingMu.Unlock()
	if k.missing[nr] {
		return false
	}
	k.missing[nr] = true
	return true
}
