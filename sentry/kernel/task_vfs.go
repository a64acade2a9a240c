package kernel

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// FileSizeLimit implements vfs.FileSizeLimiter.FileSizeLimit:
// RLIMIT_FSIZE of the task's process.
func (t *Task) FileSizeLimit() uint64 {
	return t.ThreadGroup().Limit(unix.RLIMIT_FSIZE).Cur
}

// FileSizeExceeded implements vfs.FileSizeLimiter.FileSizeExceeded: it
// sends SIGXFSZ to the task, as Linux does.
func (t *Task) FileSizeExceeded() {
	t.SendSignal(linux.NewSignalInfo(int(unix.SIGXFSZ), linux.SI_KERNEL), FromKernel)
}

// Interrupted implements vfs.Interruptible.Interrupted: a deliverable
// signal is pending or the process is exiting.
func (t *Task) Interrupted() bool { return t.interruptPending() }

// Block implements vfs.Interruptible.Block with BlockOn.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) Block(ch <-chan struct{}) linux.Errno {
	if t.BlockOn(ch) {
		return linux.ERESTARTSYS
	}
	return 0
}

// ProcessGroupID implements host.ProcessGroupLeader: the task's process
// group, which terminals report as foreground until one is set.
func (t *Task) ProcessGroupID() int32 { return t.ThreadGroup().ProcessGroup() }

// SignalProcessGroup implements host.ProcessGroupSignaller: sig goes to
// every process of group pgid, as from the kernel (a terminal).
func (t *Task) SignalProcessGroup(pgid int32, sig int) {
	for _, tg := range t.Kernel().ThreadGroupsInGroup(pgid) {
		tg.SendGroupSignal(linux.NewSignalInfo(sig, linux.SI_KERNEL), FromKernel)
	}
}

// SignalSelf implements host.SelfSignaller: sig is sent to the task, as
// from the kernel (SIGPIPE after a write to a broken host pipe).
func (t *Task) SignalSelf(sig int) {
	t.SendSignal(linux.NewSignalInfo(sig, linux.SI_KERNEL), FromKernel)
}

// SessionID implements vfs.TerminalContext.SessionID.
func (t *Task) SessionID() int32 { return t.ThreadGroup().Session() }

// IsSessionLeader implements vfs.TerminalContext.IsSessionLeader.
func (t *Task) IsSessionLeader() bool {
	tg := t.ThreadGroup()
	return tg.PID() == tg.Session()
}

// MountNamespace implements vfs.TerminalNamespace.MountNamespace.
func (t *Task) MountNamespace() *vfs.VirtualFilesystem { return t.Kernel().VFS() }
