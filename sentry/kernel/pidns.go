package kernel

import "sync"

// PID namespaces.
//
// Inside the kernel a task, a process, a process group and a session are
// named by their IDs in the root namespace (Task.tid, ThreadGroup.pid,
// pgid, sid): those are unique in the sandbox and key every table. A child
// namespace numbers the tasks created in it (and in its own descendants)
// from 1 and keeps a two-way map between its numbers and the root's; a task
// has an ID in its own namespace and in each ancestor, and none in the
// others, as on Linux. What a program sees (getpid, gettid, getppid, kill,
// wait, /proc) is translated at that boundary: Task.TID, Task.PID,
// ThreadGroup.PID and Task.PPID answer in the task's own namespace;
// lookups by a number the program gave go through its namespace
// (PIDNamespace.TaskWithID, ThreadGroupWithID, ThreadGroupsInGroup).
//
// Namespaces are made by the sandbox for a pod's containers
// (sentry/boot); clone(CLONE_NEWPID) and unshare are not supported.
//
// A mapping lives as long as its root ID names a task, an unreaped
// process, a process group or a session; stale ones are swept when a
// namespace allocates and has grown past twice its live entries.

// PIDNamespace is a PID namespace.
type PIDNamespace struct {
	k      *Kernel
	parent *PIDNamespace

	// mu guards the fields below. It is a leaf: Kernel.mu, ThreadGroup.mu
	// and Task.mu may be held when it is taken.
	mu sync.Mutex
	// local maps root IDs to IDs here, global the reverse (nil for the
	// root namespace, whose IDs are the root IDs).
	local, global map[int32]int32
	next          int32
	// sweepAt is the map size that triggers the next sweep.
	sweepAt int
	// init is the namespace's first process (its child reaper); nil for
	// the root namespace, whose init is Kernel.init.
	init *ThreadGroup
}

// maxPID is the largest ID handed out (Linux's pid_max default on 64-bit).
const maxPID = 4194304

// RootPIDNamespace returns the sandbox's root PID namespace: it sees
// every task.
func (k *Kernel) RootPIDNamespace() *PIDNamespace { return k.rootPIDNS }

// NewChild returns a new, empty namespace below ns. The first process
// started in it (Kernel.StartProcess) is its init, PID 1.
func (ns *PIDNamespace) NewChild() *PIDNamespace {
	return &PIDNamespace{
		k: ns.k, parent: ns, local: map[int32]int32{}, global: map[int32]int32{},
		next: 1, sweepAt: 64,
	}
}

// IsRoot reports whether ns is the root namespace.
func (ns *PIDNamespace) IsRoot() bool { return ns.parent == nil }

// Parent returns the parent namespace (nil for the root).
func (ns *PIDNamespace) Parent() *PIDNamespace { return ns.parent }

// contains reports whether o is ns or one of its descendants, i.e.
// whether tasks of o have an ID in ns.
func (ns *PIDNamespace) contains(o *PIDNamespace) bool {
	for ; o != nil; o = o.parent {
		if o == ns {
			return true
		}
	}
	return false
}

// idOf returns the ID in ns of root ID r, or 0 if it has none.
func (ns *PIDNamespace) idOf(r int32) int32 {
	if ns.parent == nil || r == 0 {
		return r
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	return ns.local[r]
}

// rootOf returns the root ID of id in ns, or 0 if id names nothing.
func (ns *PIDNamespace) rootOf(id int32) int32 {
	if ns.parent == nil || id <= 0 {
		return id
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	return ns.global[id]
}

// IDOfTask returns t's thread ID in ns, or 0 if t is not visible there.
func (ns *PIDNamespace) IDOfTask(t *Task) int32 {
	if !ns.contains(t.PIDNamespace()) {
		return 0
	}
	return ns.idOf(t.tid)
}

// IDOfThreadGroup returns tg's PID in ns, or 0 if it is not visible there.
func (ns *PIDNamespace) IDOfThreadGroup(tg *ThreadGroup) int32 {
	if !ns.contains(tg.pidNamespace()) {
		return 0
	}
	return ns.idOf(tg.pid)
}

// IDOfRoot translates a root-namespace ID (a process group or session as
// ThreadGroup.ProcessGroup and Session report them) into ns: 0 when ns
// has no number for it.
func (ns *PIDNamespace) IDOfRoot(r int32) int32 { return ns.idOf(r) }

// RootID translates an ID of ns into the root namespace (0: none).
func (ns *PIDNamespace) RootID(id int32) int32 { return ns.rootOf(id) }

// TaskWithID returns the live task whose thread ID in ns is id, or nil.
func (ns *PIDNamespace) TaskWithID(id int32) *Task {
	r := ns.rootOf(id)
	if r <= 0 {
		return nil
	}
	k := ns.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if t := k.tasks[r]; t != nil && ns.contains(t.PIDNamespace()) {
		return t
	}
	return nil
}

// ThreadGroupWithID returns the live (not zombie) process whose PID in ns
// is id, or nil.
func (ns *PIDNamespace) ThreadGroupWithID(id int32) *ThreadGroup {
	return ns.processWithID(id, false)
}

// Tasks returns the live tasks visible in ns.
func (ns *PIDNamespace) Tasks() []*Task {
	k := ns.k
	k.mu.Lock()
	defer k.mu.Unlock()
	ts := make([]*Task, 0, len(k.tasks))
	for _, t := range k.tasks {
		if ns.contains(t.PIDNamespace()) {
			ts = append(ts, t)
		}
	}
	return ts
}

// ThreadGroups returns the live processes visible in ns.
func (ns *PIDNamespace) ThreadGroups() []*ThreadGroup {
	k := ns.k
	k.mu.Lock()
	defer k.mu.Unlock()
	var tgs []*ThreadGroup
	for _, tg := range k.threadGroups {
		if !tg.zombie && ns.contains(tg.pidNamespace()) {
			tgs = append(tgs, tg)
		}
	}
	return tgs
}

// ThreadGroupsInGroup returns the live processes of the process group
// whose ID in ns is pgid.
func (ns *PIDNamespace) ThreadGroupsInGroup(pgid int32) []*ThreadGroup {
	r := ns.rootOf(pgid)
	if r <= 0 {
		return nil
	}
	var out []*ThreadGroup
	for _, tg := range ns.k.ThreadGroupsInGroup(r) {
		if ns.contains(tg.pidNamespace()) {
			out = append(out, tg)
		}
	}
	return out
}

// Init returns the namespace's init process (the container's first
// process for a child namespace, the sandbox's for the root), or nil.
func (ns *PIDNamespace) Init() *ThreadGroup {
	if ns.parent == nil {
		return ns.k.Init()
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	return ns.init
}

// PIDNamespace returns the namespace t lives in.
func (t *Task) PIDNamespace() *PIDNamespace {
	if t.pidns == nil {
		return t.k.rootPIDNS
	}
	return t.pidns
}

// pidNamespace returns the namespace the process lives in (its leader's).
func (tg *ThreadGroup) pidNamespace() *PIDNamespace { return tg.leader.PIDNamespace() }

// newTIDLocked allocates t's root thread ID and its ID in each namespace
// from t's own up to the root; t.pidns must be set.
//
// Preconditions:
// - k.mu is held.
func (k *Kernel) newTIDLocked(t *Task) int32 {
	tid := k.allocTIDLocked()
	for ns := t.PIDNamespace(); ns.parent != nil; ns = ns.parent {
		ns.assignLocked(tid)
	}
	return tid
}

// assignLocked gives root ID r the next free ID of ns.
//
// Preconditions:
// - k.mu is held.
func (ns *PIDNamespace) assignLocked(r int32) {
	if len(ns.global) >= ns.sweepAt {
		ns.sweepLocked()
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if old, ok := ns.local[r]; ok {
		// r was freed in the root and is being reused.
		delete(ns.global, old)
	}
	for {
		id := ns.next
		ns.next++
		if ns.next > maxPID {
			ns.next = 2
		}
		if _, used := ns.global[id]; !used {
			ns.local[r], ns.global[id] = id, r
			return
		}
	}
}

// sweepLocked forgets the mappings whose root ID no longer names a task,
// an unreaped process, a process group or a session.
//
// Preconditions:
// - k.mu is held.
func (ns *PIDNamespace) sweepLocked() {
	k := ns.k
	inUse := func(r int32) bool {
		if k.tasks[r] != nil || k.threadGroups[r] != nil {
			return true
		}
		for _, tg := range k.threadGroups {
			if tg.pgid == r || tg.sid == r {
				return true
			}
		}
		return false
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	for r, id := range ns.local {
		if !inUse(r) {
			delete(ns.local, r)
			delete(ns.global, id)
		}
	}
	ns.sweepAt = max(64, 2*len(ns.global))
}

// setInitLocked makes tg the namespace's init if it has none; it reports
// whether it did.
//
// Preconditions:
// - k.mu is held.
func (ns *PIDNamespace) setInitLocked(tg *ThreadGroup) bool {
	if ns.parent == nil {
		return false
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if ns.init != nil {
		return false
	}
	ns.init = tg
	return true
}

// isNamespaceInit reports whether tg is the init of its PID namespace
// (the sandbox's init included).
func (tg *ThreadGroup) isNamespaceInit() bool {
	if tg == tg.k.init {
		return true
	}
	ns := tg.pidNamespace()
	if ns.parent == nil {
		return false
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	return ns.init == tg
}

// reaperLocked returns the process tg's orphans go to when no subreaper
// ancestor takes them: the init of tg's namespace.
//
// Preconditions:
// - k.mu is held.
func (k *Kernel) reaperLocked(tg *ThreadGroup) *ThreadGroup {
	ns := tg.pidNamespace()
	if ns.parent == nil {
		return k.init
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	return ns.init
}

// killNamespaceLocked kills every other process of init's namespace (and
// of its descendants) when a child namespace's init exits, as Linux does.
//
// Preconditions:
// - k.mu is held.
func (k *Kernel) killNamespaceLocked(init *ThreadGroup) {
	ns := init.pidNamespace()
	if ns.parent == nil {
		return
	}
	for _, o := range k.threadGroups {
		if o != init && !o.zombie && ns.contains(o.pidNamespace()) {
			o.killLocked()
		}
	}
}

// IDToUser translates a kernel ID (a process group or session as
// ThreadGroup.ProcessGroup and Session report them) into t's PID
// namespace, for terminals (TIOCGPGRP, TIOCGSID): 0 if t cannot see it.
func (t *Task) IDToUser(id int32) int32 { return t.PIDNamespace().idOf(id) }

// IDFromUser translates an ID of t's PID namespace into the kernel's
// (TIOCSPGRP): 0 if it names nothing there.
func (t *Task) IDFromUser(id int32) int32 { return t.PIDNamespace().rootOf(id) }
