package kernel

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// newThreadGroupLocked makes a process led by t.
//
// Preconditions:
// - k.mu is held.
func (k *Kernel) newThreadGroupLocked(t *Task, parent *ThreadGroup, exitSignal int) *ThreadGroup {
	tg := &ThreadGroup{
		k: k, pid: t.tid, parent: parent, leader: t, exitSignal: exitSignal,
		tasks: map[*Task]struct{}{t: {}}, children: map[*ThreadGroup]struct{}{},
		childEvents: make(chan struct{}),
	}
	if parent != nil {
		parent.children[tg] = struct{}{}
		tg.pgid, tg.sid = parent.pgid, parent.sid
	} else {
		tg.pgid, tg.sid = tg.pid, tg.pid
	}
	k.threadGroups[tg.pid] = tg
	t.tg = tg
	return tg
}

// ProcessGroup returns the process group ID.
func (tg *ThreadGroup) ProcessGroup() int32 {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.pgid
}

// Session returns the session ID.
func (tg *ThreadGroup) Session() int32 {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.sid
}

// SetProcessGroup implements setpgid(2) for target (the caller's process
// or a child of it) on behalf of caller.
func (k *Kernel) SetProcessGroup(caller, target *ThreadGroup, pgid int32) linux.Errno {
	k.mu.Lock()
	defer k.mu.Unlock()
	if target != caller && target.parent != caller {
		return linux.ESRCH
	}
	if target.sid != caller.sid || target.pid == target.sid {
		return linux.EPERM
	}
	if pgid == 0 {
		pgid = target.pid
	} else if pgid = caller.pidNamespace().rootOf(pgid); pgid == 0 {
		return linux.EPERM // no such group in the caller's namespace
	}
	if pgid != target.pid {
		// Joining an existing group: it must be in the same session.
		found := false
		for _, tg := range k.threadGroups {
			if tg.pgid == pgid && tg.sid == caller.sid && !tg.zombie {
				found = true
				break
			}
		}
		if !found {
			return linux.EPERM
		}
	}
	target.pgid = pgid
	return 0
}

// SetSession implements setsid(2).
func (k *Kernel) SetSession(tg *ThreadGroup) (int32, linux.Errno) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, o := range k.threadGroups {
		if o.pgid == tg.pid && !o.zombie {
			return 0, linux.EPERM
		}
	}
	tg.sid, tg.pgid = tg.pid, tg.pid
	return tg.pid, 0
}

// SetSubreaper sets PR_SET_CHILD_SUBREAPER.
func (tg *ThreadGroup) SetSubreaper(v bool) {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	tg.subreaper = v
}

// Subreaper reports PR_GET_CHILD_SUBREAPER.
func (tg *ThreadGroup) Subreaper() bool {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.subreaper
}

// ThreadGroupsInGroup returns the live processes of process group pgid.
func (k *Kernel) ThreadGroupsInGroup(pgid int32) []*ThreadGroup {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []*ThreadGroup
	for _, tg := range k.threadGroups {
		if tg.pgid == pgid && !tg.zombie {
			out = append(out, tg)
		}
	}
	return out
}

// Leader returns the thread group leader (it may have exited).
func (tg *ThreadGroup) Leader() *Task { return tg.leader }

// notifyParentLocked tells the parent that tg changed state: a signal (if
// any) and a wake-up for wait(2).
//
// Preconditions:
// - k.mu is held.
func (tg *ThreadGroup) notifyParentLocked(code int32, status int) {
	p := tg.parent
	if p == nil {
		return
	}
	close(p.childEvents)
	p.childEvents = make(chan struct{})
	if tg.exitSignal != 0 {
		info := linux.NewSignalInfo(tg.exitSignal, code)
		info.SetPID(p.pidNamespace().idOf(tg.pid))
		if l := tg.leader; l != nil {
			info.SetUID(uint32(l.Credentials().RealKUID))
		}
		info.SetStatus(int32(status))
		// Queued before the zombie becomes visible to wait, as on
		// Linux (lock order: Kernel.mu, then ThreadGroup.mu).
		p.SendGroupSignal(info, FromKernel)
	}
}

// autoReapLocked reports whether the parent discards its children's exit
// status (SIGCHLD ignored or SA_NOCLDWAIT).
//
// Preconditions:
// - k.mu is held.
func (tg *ThreadGroup) autoReapLocked() bool {
	p := tg.parent
	if p == nil || tg.exitSignal != int(unix.SIGCHLD) {
		return false
	}
	act := p.SigAction(int(unix.SIGCHLD))
	return act.Handler == linux.SIG_IGN || act.Flags&linux.SA_NOCLDWAIT != 0
}

// reparentChildrenLocked hands tg's children to the nearest subreaper
// ancestor, else to the container's init.
//
// Preconditions:
// - k.mu is held.
func (k *Kernel) reparentChildrenLocked(tg *ThreadGroup) {
	if len(tg.children) == 0 {
		return
	}
	newParent := k.reaperLocked(tg)
	for a := tg.parent; a != nil; a = a.parent {
		if a.subreaper && !a.zombie {
			newParent = a
			break
		}
	}
	if newParent == tg || newParent == nil || newParent.zombie {
		newParent = nil
	}
	for c := range tg.children {
		delete(tg.children, c)
		c.parent = newParent
		if newParent == nil {
			if c.zombie {
				delete(k.threadGroups, c.pid)
			}
			continue
		}
		newParent.children[c] = struct{}{}
		if c.zombie {
			close(newParent.childEvents)
			newParent.childEvents = make(chan struct{})
		}
	}
}
