package kernel

import (
	"golang.org/x/sys/unix"

	"moat/sentry/kernel/ipc"
)

// System V IPC: every task lives in an IPC namespace (the sandbox's, or a
// pod member's own, given by ProcessArgs) inherited by its children, and
// holds a semaphore undo list shared with the threads cloned with
// CLONE_SYSVSEM (sentry/kernel/ipc).

// RootIPCNamespace returns the sandbox's IPC namespace.
func (k *Kernel) RootIPCNamespace() *ipc.Namespace { return k.rootIPCNS }

// NewIPCNamespace returns a new IPC namespace whose message queues
// charge the sandbox's per-user accounts.
func (k *Kernel) NewIPCNamespace() *ipc.Namespace { return ipc.NewNamespaceCharging(k.mqUsers) }

// IPCNamespace returns the task's IPC namespace.
func (t *Task) IPCNamespace() *ipc.Namespace {
	if t.ipcns == nil {
		return t.k.rootIPCNS
	}
	return t.ipcns
}

// SemUndoList returns the task's semaphore undo list, making one on first
// use.
//
// Preconditions:
//   - Runs on the task goroutine.
func (t *Task) SemUndoList() *ipc.UndoList {
	if t.semUndo == nil {
		t.semUndo = ipc.NewUndoList()
	}
	return t.semUndo
}

// cloneIPC gives child the task's IPC namespace, and its undo list for
// CLONE_SYSVSEM (a list is made first if the task has none, so that both
// share what either adds later).
//
// Preconditions:
//   - Runs on the task goroutine.
func (t *Task) cloneIPC(child *Task, flags uint64) {
	child.ipcns = t.ipcns
	if flags&unix.CLONE_SYSVSEM != 0 {
		l := t.SemUndoList()
		l.IncRef()
		child.semUndo = l
	}
}

// ipcProcess is a process as System V IPC objects record it: its ID in
// the root namespace and its own namespace, translated for each reader.
type ipcProcess struct {
	root int32
	ns   *PIDNamespace
}

// PIDSeenBy implements ipc.Process.PIDSeenBy: the ID in the viewer's
// namespace, 0 when the process has none there (it lives in a sibling
// namespace, or is gone from the viewer's).
func (p ipcProcess) PIDSeenBy(viewer ipc.Context) int32 {
	vns := p.ns.k.rootPIDNS
	if t, ok := viewer.(*Task); ok && t != nil {
		vns = t.PIDNamespace()
	}
	if !vns.contains(p.ns) {
		return 0
	}
	return vns.IDOfRoot(p.root)
}

// IPCProcess implements ipc.Context.IPCProcess.
func (t *Task) IPCProcess() ipc.Process {
	return ipcProcess{root: t.tg.pid, ns: t.PIDNamespace()}
}

// exitIPC drops the task's undo list; the last user applies it.
//
// Preconditions:
//   - Runs on the task goroutine.
func (t *Task) exitIPC() {
	if t.semUndo != nil {
		t.semUndo.DecRef(t.IPCProcess())
		t.semUndo = nil
	}
}
