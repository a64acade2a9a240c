package kernel

// Execve in a multithreaded process (Linux's de_thread): the exec'ing
// thread kills every other thread of its process, waits until they have
// exited, and takes over the process's PID as its thread ID.
//
// A killed thread has Task.killed set and is interrupted. Every blocking
// wait of the kernel ends on Task.mustExit (through interruptPending, which
// BlockOn, BlockUntil, Sleep and the signal waits use), so the thread leaves
// whatever it blocked in like a thread of an exiting process does, and its
// run loop ends without delivering further signals: process-directed ones
// stay queued for the new program.

// mustExit reports whether the task has to end: its process is exiting, or
// another thread's execve is killing it.
func (t *Task) mustExit() bool {
	return t.killed.Load() || t.tg.isExiting()
}

// becomeSoleThread kills the other threads of the process and waits for
// them to exit; a caller that is not the leader then takes over the
// leader's TID. It reports false when the caller must exit instead: its
// process began exiting (exit_group, a fatal signal) or another thread's
// execve got there first.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) becomeSoleThread() bool {
	tg := t.tg
	tg.mu.Lock()
	if tg.exiting || tg.execer != nil || t.killed.Load() {
		tg.mu.Unlock()
		return false
	}
	if len(tg.tasks) > 1 {
		done := make(chan struct{})
		tg.execer, tg.execDone = t, done
		for o := range tg.tasks {
			if o != t {
				o.killed.Store(true)
				o.interrupt()
			}
		}
		tg.mu.Unlock()
		// Not interruptible: the others are on their way out, and a
		// SIGKILL arriving meanwhile only sets tg.exiting, which is
		// looked at below.
		<-done
		tg.mu.Lock()
		tg.execer, tg.execDone = nil, nil
	}
	exiting := tg.exiting
	tg.mu.Unlock()
	if exiting {
		return false
	}
	t.takeLeaderTID()
	return true
}

// noteThreadGoneLocked lets a waiting execve go on once its caller is the
// last thread.
//
// Preconditions:
// - tg.mu is held.
func (tg *ThreadGroup) noteThreadGoneLocked() {
	if tg.execDone != nil && len(tg.tasks) == 1 {
		close(tg.execDone)
		tg.execDone = nil
	}
}

// takeLeaderTID makes t, now the only thread, the leader of its process
// under the process's PID (the old leader has exited).
func (t *Task) takeLeaderTID() {
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	tg := t.tg
	if tg.leader == t {
		return
	}
	if k.tasks[t.tid] == t {
		delete(k.tasks, t.tid)
	}
	t.mu.Lock()
	t.tid = tg.pid
	t.mu.Unlock()
	k.tasks[t.tid] = t
	tg.leader = t
}
