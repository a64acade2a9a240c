package kernel

import "testing"

// pidnsKernel is a kernel with just the process tables.
func pidnsKernel() *Kernel {
	k := &Kernel{tasks: map[int32]*Task{}, threadGroups: map[int32]*ThreadGroup{}, nextTID: 1}
	k.rootPIDNS = &PIDNamespace{k: k}
	return k
}

// newProc adds a process (a one-task thread group) in ns, child of parent.
func newProc(k *Kernel, ns *PIDNamespace, parent *ThreadGroup) *Task {
	k.mu.Lock()
	defer k.mu.Unlock()
	t := &Task{k: k, pidns: ns}
	t.tid = k.newTIDLocked(t)
	tg := k.newThreadGroupLocked(t, parent, 17)
	k.tasks[t.tid] = t
	ns.setInitLocked(tg)
	return t
}

// reap removes a process as wait(2) would once it exited.
func reap(k *Kernel, t *Task) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.tasks, t.tid)
	if p := t.tg.parent; p != nil {
		delete(p.children, t.tg)
	}
	delete(k.threadGroups, t.tg.pid)
}

func TestPIDNamespaces(t *testing.T) {
	k := pidnsKernel()
	root := k.RootPIDNamespace()
	a, b := root.NewChild(), root.NewChild()

	pause := newProc(k, root, nil) // root 1
	a1 := newProc(k, a, nil)       // root 2, a 1
	b1 := newProc(k, b, nil)       // root 3, b 1
	a2 := newProc(k, a, a1.tg)     // root 4, a 2

	for _, c := range []struct {
		name string
		ns   *PIDNamespace
		task *Task
		want int32
	}{
		{"pause in root", root, pause, 1},
		{"a1 in root", root, a1, 2},
		{"b1 in root", root, b1, 3},
		{"a2 in root", root, a2, 4},
		{"a1 in a", a, a1, 1},
		{"a2 in a", a, a2, 2},
		{"b1 in b", b, b1, 1},
		{"b1 in a", a, b1, 0},
		{"pause in a", a, pause, 0},
		{"a1 in b", b, a1, 0},
	} {
		if got := c.ns.IDOfTask(c.task); got != c.want {
			t.Errorf("%s: IDOfTask = %d, want %d", c.name, got, c.want)
		}
		if got := c.ns.IDOfThreadGroup(c.task.tg); got != c.want {
			t.Errorf("%s: IDOfThreadGroup = %d, want %d", c.name, got, c.want)
		}
		if c.want != 0 && c.ns.TaskWithID(c.want) != c.task {
			t.Errorf("%s: TaskWithID(%d) is not the task", c.name, c.want)
		}
	}
	// Programs see their own namespace's numbers.
	if a2.TID() != 2 || a2.PID() != 2 || a2.PPID() != 1 || a1.PPID() != 0 || b1.PID() != 1 || pause.PID() != 1 {
		t.Errorf("own view: a2 %d/%d ppid %d, a1 ppid %d, b1 %d, pause %d", a2.TID(), a2.PID(), a2.PPID(), a1.PPID(), b1.PID(), pause.PID())
	}
	if got := len(a.ThreadGroups()); got != 2 {
		t.Errorf("a sees %d processes, want 2", got)
	}
	if got := len(root.ThreadGroups()); got != 4 {
		t.Errorf("root sees %d processes, want 4", got)
	}
	if a.Init() != a1.tg || b.Init() != b1.tg {
		t.Errorf("namespace inits")
	}
	if tg := b.ThreadGroupWithID(2); tg != nil {
		t.Errorf("b resolves 2 (a's a2, root's a1): %v", tg.pid)
	}
	// Process groups translate: a2's group is a1's.
	k.mu.Lock()
	a2.tg.pgid = a1.tg.pid
	k.mu.Unlock()
	if got := a.IDOfRoot(a2.tg.ProcessGroup()); got != 1 {
		t.Errorf("a2's pgid in a = %d, want 1", got)
	}
	if got := a.ThreadGroupsInGroup(1); len(got) != 2 {
		t.Errorf("group 1 of a has %d processes, want 2", len(got))
	}
	if got := b.ThreadGroupsInGroup(1); len(got) != 1 || got[0] != b1.tg {
		t.Errorf("group 1 of b: %v", got)
	}
}

// TestPIDNamespaceReuse: numbers are freed once nothing names them, and
// stale mappings never resolve to a new task.
func TestPIDNamespaceReuse(t *testing.T) {
	k := pidnsKernel()
	root := k.RootPIDNamespace()
	newProc(k, root, nil)
	a := root.NewChild()
	init := newProc(k, a, nil)
	var last *Task
	for i := 0; i < 500; i++ {
		last = newProc(k, a, init.tg)
		if i < 499 {
			reap(k, last)
		}
	}
	a.mu.Lock()
	n := len(a.global)
	a.mu.Unlock()
	if n > 200 {
		t.Errorf("%d mappings kept for 2 live processes: stale ones are not swept", n)
	}
	if got := a.IDOfTask(last); got != 501 {
		t.Errorf("last process is %d in a, want 501 (IDs are not reused at once)", got)
	}
	if a.TaskWithID(3) != nil {
		t.Errorf("a reaped process still resolves")
	}
	if a.TaskWithID(1) != init || a.TaskWithID(501) != last {
		t.Errorf("live processes do not resolve")
	}
}
