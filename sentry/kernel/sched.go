package kernel

import "moat/sentry/abi/linux"

// Scheduling attributes of sched_setaffinity(2) and sched_setscheduler(2).
// They are the task's own: new tasks inherit them and the calls report
// them back, but the host schedules the sandbox's threads by its own
// rules (the platform keeps each stub thread on its tracer's CPU, and
// the sandbox holds no CAP_SYS_NICE on the host to give a real-time
// policy).

// Scheduling policies.
const (
	SchedOther = 0
	SchedFIFO  = 1
	SchedRR    = 2
	SchedBatch = 3
	SchedIdle  = 5
	// SchedResetOnFork is or-ed into a policy: children go back to
	// SCHED_OTHER.
	SchedResetOnFork = 0x40000000
)

// SchedPolicy is a task's scheduling policy and static priority.
type SchedPolicy struct {
	Policy, Priority int
	ResetOnFork      bool
}

// CPUMask is a set of CPUs, bit i for CPU i.
type CPUMask []byte

// Affinity returns the task's CPU mask: every CPU unless it set one.
func (t *Task) Affinity() CPUMask {
	t.mu.Lock()
	m := t.affinity
	t.mu.Unlock()
	if m != nil {
		return m
	}
	n := t.k.CPUs()
	m = make(CPUMask, (n+7)/8)
	for i := 0; i < n; i++ {
		m[i/8] |= 1 << (i % 8)
	}
	return m
}

// SetAffinity records mask, limited to the sandbox's CPUs; EINVAL if that
// leaves none.
func (t *Task) SetAffinity(mask CPUMask) linux.Errno {
	n := t.k.CPUs()
	m := make(CPUMask, (n+7)/8)
	any := false
	for i := 0; i < n && i/8 < len(mask); i++ {
		if mask[i/8]&(1<<(i%8)) != 0 {
			m[i/8] |= 1 << (i % 8)
			any = true
		}
	}
	if !any {
		return linux.EINVAL
	}
	t.mu.Lock()
	t.affinity = m
	t.mu.Unlock()
	return 0
}

// Sched returns the task's scheduling policy.
func (t *Task) Sched() SchedPolicy {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sched
}

// SetSched records a scheduling policy the caller has validated.
func (t *Task) SetSched(p SchedPolicy) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sched = p
}

// inheritSched gives a new task its creator's attributes (clone).
//
// Preconditions:
// - child is not running yet.
func (t *Task) inheritSched(child *Task) {
	t.mu.Lock()
	defer t.mu.Unlock()
	child.affinity = t.affinity
	child.sched = t.sched
	if t.sched.ResetOnFork {
		child.sched = SchedPolicy{}
	}
}
