package kernel

import (
	"encoding/binary"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// ExitThread ends only the calling thread (exit(2)); the last thread's exit
// ends the process with code.
func (t *Task) ExitThread(code int) {
	t.tg.mu.Lock()
	last := len(t.tg.tasks) == 1
	t.tg.mu.Unlock()
	if last {
		t.tg.exitGroup(ExitStatus{Code: code & 0xff})
		return
	}
	t.exitThread = true
}

// exit releases the task's resources; the last task out turns the process
// into a zombie for its parent to reap.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) exit() {
	k := t.k
	// Owned robust futexes are released whether the thread or the whole
	// process exits: other processes sharing the memory may wait on them.
	t.exitRobustList()
	t.exitPIFutexes()
	t.exitThreadCPU()
	t.mu.Lock()
	ctid := t.clearChildTID
	t.mu.Unlock()
	if ctid != 0 && t.mm != nil && !t.tg.isExiting() {
		// Wake a pthread_join in the threads that share the mm.
		if t.CopyOut(ctid, make([]byte, 4)) == 0 {
			if key, errno := t.mm.FutexKey(ctid, false); errno == 0 {
				k.futexes.wake(key, 1, ^uint32(0))
			}
		}
	}
	t.releaseVfork()
	if u, s := t.CPUTime(); u+s > 0 {
		t.tg.mu.Lock()
		t.tg.userTime, t.tg.sysTime = int64(u), int64(s)
		t.tg.mu.Unlock()
	}
	if t.mm != nil {
		t.mm.DecUsers()
	}
	t.exitIPC()
	// The stub thread goes last: releasing the stub process's first
	// thread blocks while other threads still use its address space.
	if th := t.thread; th != nil {
		defer th.Release()
	}
	k.mu.Lock()
	if t.fdTable != nil {
		k.fdUsers[t.fdTable]--
		if k.fdUsers[t.fdTable] <= 0 {
			delete(k.fdUsers, t.fdTable)
			defer t.fdTable.RemoveAll(t)
		}
	}
	if t.fsContext != nil {
		k.fsUsers[t.fsContext]--
		if k.fsUsers[t.fsContext] <= 0 {
			delete(k.fsUsers, t.fsContext)
			defer t.fsContext.Release()
		}
	}
	delete(k.tasks, t.tid)
	tg := t.tg
	tg.mu.Lock()
	delete(tg.tasks, t)
	tg.noteThreadGoneLocked()
	last := len(tg.tasks) == 0
	if last && !tg.exiting {
		// The last thread left with exit(2).
		tg.exiting = true
		tg.status = ExitStatus{Code: 0}
	}
	status := tg.status
	tg.mu.Unlock()
	if !last {
		k.mu.Unlock()
		return
	}
	tg.stopTimers()
	tg.zombie = true
	defer tg.exitQueue.Notify(vfs.EventReadable)
	// PR_SET_PDEATHSIG: Linux sends it when the parent thread exits; the
	// sentry sends it when the parent process does.
	for c := range tg.children {
		if l := c.leader; l != nil && !c.zombie {
			if sig := l.PdeathSignal(); sig != 0 {
				c.SendGroupSignal(linuxSignal(sig), FromKernel)
			}
		}
	}
	k.reparentChildrenLocked(tg)
	isInit := tg == k.init
	if !isInit && tg.isNamespaceInit() {
		k.killNamespaceLocked(tg)
	}
	if isInit {
		// The PID namespace dies with its init.
		for _, o := range k.threadGroups {
			if o != tg && !o.zombie {
				o.killLocked()
			}
		}
	}
	code, st := int32(linux.CLD_EXITED), status.Code
	if status.Signo != 0 {
		code, st = linux.CLD_KILLED, status.Signo
		if status.CoreDumped {
			code = linux.CLD_DUMPED
		}
	}
	if tg.autoReapLocked() {
		delete(tg.parent.children, tg)
		delete(k.threadGroups, tg.pid)
		tg.notifyParentLocked(code, st)
	} else {
		tg.notifyParentLocked(code, st)
	}
	leader := tg.pid == tg.sid
	sid := tg.sid
	k.mu.Unlock()
	if leader {
		// A session leader's exit hangs up its controlling terminal.
		k.ReleaseControllingTerminal(sid)
	}
	if isInit {
		k.doneOnce.Do(func() {
			k.exit = status
			close(k.done)
		})
	}
	// The goroutine stays locked; its OS thread, now tracing nothing, may
	// run another task (tracers.go).
}

// killLocked starts SIGKILL of a process.
//
// Preconditions:
// - k.mu is held.
func (tg *ThreadGroup) killLocked() {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.exiting {
		return
	}
	tg.exiting = true
	tg.status = ExitStatus{Signo: 9}
	for t := range tg.tasks {
		t.interrupt()
	}
}

// releaseVfork lets a vfork parent continue.
func (t *Task) releaseVfork() {
	t.mu.Lock()
	ch := t.vforkDone
	t.vforkDone = nil
	t.mu.Unlock()
	if ch != nil {
		close(ch)
	}
}

// writeTID stores a thread ID at addr in t's memory.
func (t *Task) writeTID(addr uintptr, tid int32) linux.Errno {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(tid))
	return t.CopyOut(addr, b[:])
}

func linuxSignal(sig int) *linux.SignalInfo { return linux.NewSignalInfo(sig, linux.SI_USER) }
