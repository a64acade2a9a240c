package ptrace

import (
	"fmt"

	"golang.org/x/sys/unix"

	"moat/sentry/platform"
)

// CloneThread implements platform.AddressSpace.CloneThread: a new stub
// thread is cloned through the calling OS thread's tracee and waits in
// pause(2) until the new task's OS thread attaches it.
func (as *addressSpace) CloneThread() (platform.PendingThread, error) {
	t, err := as.injector()
	if err != nil {
		return nil, err
	}
	tid, err := t.injectAt(stubCloneSite, stubCloneTrap, unix.SYS_CLONE, threadCloneFlags, 0, 0, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("cloning a stub thread: %w", err)
	}
	return &pendingThread{as: as, tid: int(tid)}, nil
}

type pendingThread struct {
	as  *addressSpace
	tid int
}

// Attach implements platform.PendingThread.Attach.
func (p *pendingThread) Attach() (platform.Thread, error) {
	regs, err := seize(p.tid)
	if err != nil {
		unix.Tgkill(p.as.pid, p.tid, unix.SIGKILL)
		return nil, err
	}
	t := &thread{as: p.as, tid: p.tid, cpu: -1, cached: regs}
	p.as.bind(t)
	return t, nil
}

// Discard implements platform.PendingThread.Discard.
func (p *pendingThread) Discard() {
	unix.Tgkill(p.as.pid, p.tid, unix.SIGKILL)
}

// Fork implements platform.AddressSpace.Fork: the stub forks through the
// calling OS thread's tracee (a host fork: private memory is shared
// copy-on-write), and the child waits in pause(2) to be attached.
func (as *addressSpace) Fork() (platform.PendingAddressSpace, error) {
	t, err := as.injector()
	if err != nil {
		return nil, err
	}
	pid, err := t.injectAt(stubCloneSite, stubCloneTrap, unix.SYS_CLONE, forkCloneFlags, 0, 0, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("forking the stub: %w", err)
	}
	return &pendingFork{parent: as, pid: int(pid)}, nil
}

type pendingFork struct {
	parent *addressSpace
	pid    int
}

// Attach implements platform.PendingAddressSpace.Attach.
func (p *pendingFork) Attach() (platform.AddressSpace, platform.Thread, error) {
	regs, err := seize(p.pid)
	if err != nil {
		p.Discard()
		return nil, nil, err
	}
	as := newAddressSpace(p.pid, p.parent.ch)
	as.mappings, as.vdso, as.injRegs, as.cmdStart = p.parent.mappings, p.parent.vdso, p.parent.injRegs, p.parent.cmdStart
	t := &thread{as: as, tid: p.pid, cpu: -1, cached: regs}
	as.bind(t)
	return as, t, nil
}

// Discard implements platform.PendingAddressSpace.Discard.
func (p *pendingFork) Discard() {
	unix.Kill(p.pid, unix.SIGKILL)
	reap(p.pid)
}
