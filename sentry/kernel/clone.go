package kernel

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/mm"
	"moat/sentry/platform"
)

// CloneOptions are the arguments of clone(2) and clone3(2).
type CloneOptions struct {
	Flags      uint64
	Stack      uintptr
	ParentTID  uintptr
	ChildTID   uintptr
	TLS        uintptr
	ExitSignal int
	// PIDFD is CLONE_PIDFD's descriptor, already in the caller's table
	// (the syscall layer makes it): it is left out of a forked child's
	// table, and SetPIDFD binds it to the new process before that runs.
	PIDFD    int32
	SetPIDFD func(*ThreadGroup)
}

// unsupportedCloneFlags are refused with EINVAL: new namespaces inside the
// sandbox are not implemented.
const unsupportedCloneFlags = unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC |
	unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWCGROUP |
	unix.CLONE_NEWTIME

// Clone creates a thread or process (clone(2), fork(2), vfork(2)) and
// returns the child's thread ID.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) Clone(o CloneOptions) (int32, linux.Errno) {
	f := o.Flags
	switch {
	case f&unsupportedCloneFlags != 0:
		// TODO(#4): namespaces inside the sandbox.
		return 0, linux.EINVAL
	case f&unix.CLONE_THREAD != 0 && f&unix.CLONE_SIGHAND == 0,
		f&unix.CLONE_SIGHAND != 0 && f&unix.CLONE_VM == 0,
		f&unix.CLONE_PIDFD != 0 && (f&unix.CLONE_THREAD != 0 || o.SetPIDFD == nil),
		f&unix.CLONE_FS != 0 && f&unix.CLONE_NEWNS != 0:
		return 0, linux.EINVAL
	case o.ExitSignal < 0 || o.ExitSignal > linux.NumSignals:
		return 0, linux.EINVAL
	}
	k := t.k
	if !t.mayCreateTask() {
		return 0, linux.EAGAIN
	}
	// The platform half: a thread in the same stub, or a forked stub.
	var pendThread platform.PendingThread
	var pendFork platform.PendingAddressSpace
	var err error
	if f&unix.CLONE_VM != 0 {
		pendThread, err = t.mm.AddressSpace().CloneThread()
	} else {
		pendFork, err = t.mm.AddressSpace().Fork()
	}
	if err != nil {
		t.Warningf("clone: %v", err)
		return 0, linux.EAGAIN
	}

	child := &Task{k: k, pidns: t.pidns, wake: make(chan struct{}, 1)}
	child.creds.Store(t.Credentials())
	child.regs = t.regs
	child.regs.Rax = 0
	child.regs.Orig_rax = ^uint64(0)
	if o.Stack != 0 {
		child.regs.Rsp = uint64(o.Stack)
	}
	if f&unix.CLONE_SETTLS != 0 {
		child.regs.Fs_base = uint64(o.TLS)
	}
	child.sigMask = t.SigMask()
	if f&unix.CLONE_VM == 0 || f&unix.CLONE_VFORK != 0 {
		child.altStack = t.AltStack()
	}
	child.name = t.Name()
	child.nice = t.Nice()
	t.inheritSched(child)
	t.mu.Lock()
	// Inherited by threads and processes alike (keepcaps lives in
	// Linux's credentials, the slack in the task).
	child.keepCaps, child.timerSlack = t.keepCaps, t.timerSlack
	t.mu.Unlock()
	if f&unix.CLONE_VM == 0 {
		// A forked child keeps the rseq registration (so does its host
		// stub); a new thread registers its own.
		t.mu.Lock()
		child.rseqAddr, child.rseqSig = t.rseqAddr, t.rseqSig
		t.mu.Unlock()
	}
	if f&unix.CLONE_CHILD_CLEARTID != 0 {
		child.clearChildTID = o.ChildTID
	}
	if f&unix.CLONE_VFORK != 0 {
		child.vforkDone = make(chan struct{})
	}

	k.mu.Lock()
	t.tg.mu.Lock()
	exiting := t.tg.exiting || t.tg.execer != nil || t.killed.Load()
	t.tg.mu.Unlock()
	if exiting {
		k.mu.Unlock()
		discard(pendThread, pendFork)
		return 0, linux.EINTR
	}
	child.tid = k.newTIDLocked(child)
	if f&unix.CLONE_THREAD != 0 {
		child.tg = t.tg
		t.tg.mu.Lock()
		t.tg.tasks[child] = struct{}{}
		t.tg.mu.Unlock()
	} else {
		parent := t.tg
		if f&unix.CLONE_PARENT != 0 && parent.parent != nil {
			parent = parent.parent
		}
		tg := k.newThreadGroupLocked(child, parent, o.ExitSignal)
		t.tg.mu.Lock()
		tg.actions = t.tg.actions
		tg.limits = t.tg.limits
		tg.container = t.tg.container
		t.tg.mu.Unlock()
		tg.persona.Store(t.tg.Personality())
		tg.startTime = nowNanos()
	}
	if f&unix.CLONE_FILES != 0 {
		child.fdTable = t.fdTable
	} else {
		child.fdTable = t.fdTable.Fork()
	}
	k.fdUsers[child.fdTable]++
	if f&unix.CLONE_FS != 0 {
		child.fsContext = t.fsContext
	} else {
		child.fsContext = t.fsContext.Fork()
	}
	k.fsUsers[child.fsContext]++
	k.tasks[child.tid] = child
	k.mu.Unlock()
	if f&unix.CLONE_PIDFD != 0 {
		if f&unix.CLONE_FILES == 0 {
			if pf, errno := child.fdTable.Remove(o.PIDFD); errno == 0 {
				pf.DecRef()
			}
		}
		o.SetPIDFD(child.tg)
	}

	if pendThread != nil {
		t.mm.IncUsers()
		child.setMM(t.mm)
	}
	started := make(chan linux.Errno, 1)
	proceed := make(chan struct{})
	t.cloneIPC(child, f)
	parentMM := t.mm
	k.tracers.goTracer(func() bool {
		return child.start(pendThread, pendFork, parentMM, f, o.ChildTID, started, proceed)
	})
	// A forked child copies the parent's memory record as it stands, so
	// the parent waits until that is done. A new thread needs nothing of
	// the parent's: it attaches its stub thread while the parent goes on
	// (one hand-over between host threads fewer per pthread_create), and
	// if that fails it takes its whole process down with SIGKILL.
	if pendFork != nil {
		if errno := <-started; errno != 0 {
			return 0, errno
		}
	}
	// The parent and the child share a PID namespace.
	ctid := t.PIDNamespace().IDOfTask(child)
	if f&unix.CLONE_PARENT_SETTID != 0 {
		// Before the child runs: a new thread's glibc reads its TID
		// there (robust mutexes store it), and a thread that exits at
		// once clears it for pthread_join.
		t.writeTID(o.ParentTID, ctid)
	}
	close(proceed)
	if f&unix.CLONE_VFORK != 0 {
		t.waitVfork(child)
	}
	return ctid, 0
}

// mayCreateTask applies the sandbox's task limit and RLIMIT_NPROC, which
// counts every task (threads too) of the caller's real user; root and
// holders of CAP_SYS_RESOURCE or CAP_SYS_ADMIN are exempt from the
// latter, as on Linux.
func (t *Task) mayCreateTask() bool {
	k := t.k
	c := t.Credentials()
	limit := t.tg.Limit(unix.RLIMIT_NPROC).Cur
	checkUser := limit != Infinity && c.RealKUID != 0 &&
		!c.HasCap(auth.CapSysResource) && !c.HasCap(auth.CapSysAdmin)
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.tasks) >= k.cfg.MaxTasks {
		return false
	}
	if !checkUser {
		return true
	}
	n := uint64(0)
	for _, o := range k.tasks {
		if o.Credentials().RealKUID == c.RealKUID {
			n++
		}
	}
	return n < limit
}

func discard(pt platform.PendingThread, pf platform.PendingAddressSpace) {
	if pt != nil {
		pt.Discard()
	}
	if pf != nil {
		pf.Discard()
	}
}

// start runs the child task on a tracer goroutine (tracers.go): bind a
// platform thread to this OS thread, report to the parent, and run once
// the parent closes proceed. It reports whether the OS thread traces
// nothing any more and may run another task.
func (t *Task) start(pt platform.PendingThread, pf platform.PendingAddressSpace, parentMM *mm.MemoryManager, flags uint64, ctid uintptr, started chan<- linux.Errno, proceed <-chan struct{}) (reusable bool) {
	var err error
	var th platform.Thread
	if pt != nil {
		th, err = pt.Attach()
	} else {
		var as platform.AddressSpace
		as, th, err = pf.Attach()
		if err == nil {
			t.setMM(parentMM.Fork(as))
		}
	}
	t.mu.Lock()
	t.thread = th
	nice := t.nice
	t.mu.Unlock()
	if th != nil && nice != 0 {
		// Set by the parent before the thread was attached.
		th.SetNice(max(nice, 0))
	}
	if err != nil {
		t.Warningf("clone: attaching the child: %v", err)
		t.tg.exitGroup(ExitStatus{Signo: int(unix.SIGKILL)})
		started <- linux.EAGAIN
		t.exit()
		return false // a failed attach may leave a tracee behind
	}
	if flags&unix.CLONE_CHILD_SETTID != 0 {
		t.writeTID(ctid, t.TID())
	}
	started <- 0
	<-proceed
	t.run()
	return true
}

// waitVfork blocks a vfork parent until the child execs or exits; only a
// fatal signal ends the wait early.
func (t *Task) waitVfork(child *Task) {
	child.mu.Lock()
	done := child.vforkDone
	child.mu.Unlock()
	if done == nil {
		return
	}
	for {
		select {
		case <-done:
			return
		case <-t.wake:
			if t.mustExit() {
				return
			}
		}
	}
}
