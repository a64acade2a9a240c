package kernel

import "moat/sentry/vfs"

// What pidfds (sentry/fs/pidfd) need of a process: finding it by PID while
// it is a zombie too, knowing when all its threads have exited, and a
// wake-up at that moment for poll and epoll.

// ProcessWithID returns the process whose PID in ns is id, a zombie not
// yet reaped included, or nil. It is nil too when id names a thread that
// is not a process's leader (pidfd_open's EINVAL case is the caller's to
// tell apart with TaskWithID).
func (ns *PIDNamespace) ProcessWithID(id int32) *ThreadGroup {
	return ns.processWithID(id, true)
}

// processWithID returns the process whose PID in ns is id; a zombie only
// if zombies.
func (ns *PIDNamespace) processWithID(id int32, zombies bool) *ThreadGroup {
	r := ns.rootOf(id)
	if r <= 0 {
		return nil
	}
	k := ns.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if tg := k.threadGroups[r]; tg != nil && (zombies || !tg.zombie) && ns.contains(tg.pidNamespace()) {
		return tg
	}
	return nil
}

// Exited reports whether every thread of tg has exited (the process is a
// zombie, or reaped).
func (tg *ThreadGroup) Exited() bool {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.zombie
}

// EventRegister registers w to be told (vfs.EventReadable) when every
// thread of tg has exited.
func (tg *ThreadGroup) EventRegister(w *vfs.Waiter) func() {
	return tg.exitQueue.EventRegister(w)
}
