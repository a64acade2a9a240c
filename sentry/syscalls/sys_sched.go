package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/kernel"
)

// schedTarget returns the task pid names for the sched_* calls (0: the
// caller); for a change (set), the caller needs the target's user ID or
// CAP_SYS_NICE.
func schedTarget(t *kernel.Task, pid int32, set bool) (*kernel.Task, linux.Errno) {
	if pid < 0 {
		return nil, linux.EINVAL
	}
	target := t
	if pid != 0 {
		if target = t.PIDNamespace().TaskWithID(pid); target == nil {
			return nil, linux.ESRCH
		}
	}
	if set && target.ThreadGroup() != t.ThreadGroup() {
		c, tc := t.Credentials(), target.Credentials()
		if !c.HasCap(auth.CapSysNice) && c.EffectiveKUID != tc.RealKUID && c.EffectiveKUID != tc.EffectiveKUID {
			return nil, linux.EPERM
		}
	}
	return target, 0
}

// SchedGetaffinity implements Linux syscall sched_getaffinity(2).
func SchedGetaffinity(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	size := args.SizeT(1)
	target, errno := schedTarget(t, args.Int(0), false)
	if errno != 0 {
		return 0, errno
	}
	need := uint((t.Kernel().CPUs() + 63) / 64 * 8)
	if size < need || size%8 != 0 {
		return 0, linux.EINVAL
	}
	b := make([]byte, need)
	copy(b, target.Affinity())
	return uintptr(need), t.CopyOut(args.Pointer(2), b)
}

// SchedSetaffinity implements Linux syscall sched_setaffinity(2): the mask
// is the task's (inherited, reported); the host places the threads.
func SchedSetaffinity(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	size := min(args.SizeT(1), 1024)
	target, errno := schedTarget(t, args.Int(0), true)
	if errno != 0 {
		return 0, errno
	}
	b := make([]byte, size)
	if errno := t.CopyIn(args.Pointer(2), b); errno != 0 {
		return 0, errno
	}
	return 0, target.SetAffinity(b)
}

// priorityRange returns sched_get_priority_min/max for a policy.
func priorityRange(policy int) (lo, hi int, ok bool) {
	switch policy {
	case kernel.SchedFIFO, kernel.SchedRR:
		return 1, 99, true
	case kernel.SchedOther, kernel.SchedBatch, kernel.SchedIdle:
		return 0, 0, true
	}
	return 0, 0, false
}

// SchedGetPriorityMax implements Linux syscall sched_get_priority_max(2).
func SchedGetPriorityMax(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	_, hi, ok := priorityRange(int(args.Int(0)))
	if !ok {
		return 0, linux.EINVAL
	}
	return uintptr(hi), 0
}

// SchedGetPriorityMin implements Linux syscall sched_get_priority_min(2).
func SchedGetPriorityMin(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	lo, _, ok := priorityRange(int(args.Int(0)))
	if !ok {
		return 0, linux.EINVAL
	}
	return uintptr(lo), 0
}

// setSched validates and records a policy: a real-time one needs
// CAP_SYS_NICE or an RLIMIT_RTPRIO that allows its priority.
func setSched(t, target *kernel.Task, policy int, paramAddr uintptr) linux.Errno {
	reset := policy&kernel.SchedResetOnFork != 0
	policy &^= kernel.SchedResetOnFork
	if paramAddr == 0 {
		return linux.EINVAL
	}
	var b [4]byte
	if errno := t.CopyIn(paramAddr, b[:]); errno != 0 {
		return errno
	}
	prio := int(int32(binary.LittleEndian.Uint32(b[:])))
	lo, hi, ok := priorityRange(policy)
	if !ok || prio < lo || prio > hi {
		return linux.EINVAL
	}
	if (policy == kernel.SchedFIFO || policy == kernel.SchedRR) && !t.Credentials().HasCap(auth.CapSysNice) &&
		uint64(prio) > target.ThreadGroup().Limit(unix.RLIMIT_RTPRIO).Cur {
		return linux.EPERM
	}
	target.SetSched(kernel.SchedPolicy{Policy: policy, Priority: prio, ResetOnFork: reset})
	return 0
}

// SchedSetscheduler implements Linux syscall sched_setscheduler(2).
func SchedSetscheduler(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	policy := int(args.Int(1))
	if policy < 0 {
		return 0, linux.EINVAL
	}
	target, errno := schedTarget(t, args.Int(0), true)
	if errno != 0 {
		return 0, errno
	}
	return 0, setSched(t, target, policy, args.Pointer(2))
}

// SchedGetscheduler implements Linux syscall sched_getscheduler(2).
func SchedGetscheduler(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	target, errno := schedTarget(t, args.Int(0), false)
	if errno != 0 {
		return 0, errno
	}
	p := target.Sched()
	policy := p.Policy
	if p.ResetOnFork {
		policy |= kernel.SchedResetOnFork
	}
	return uintptr(policy), 0
}

// SchedSetparam implements Linux syscall sched_setparam(2).
func SchedSetparam(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	target, errno := schedTarget(t, args.Int(0), true)
	if errno != 0 {
		return 0, errno
	}
	p := target.Sched()
	policy := p.Policy
	if p.ResetOnFork {
		policy |= kernel.SchedResetOnFork
	}
	return 0, setSched(t, target, policy, args.Pointer(1))
}

// SchedGetparam implements Linux syscall sched_getparam(2).
func SchedGetparam(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	if args.Pointer(1) == 0 {
		return 0, linux.EINVAL
	}
	target, errno := schedTarget(t, args.Int(0), false)
	if errno != 0 {
		return 0, errno
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(target.Sched().Priority))
	return 0, t.CopyOut(args.Pointer(1), b[:])
}

// rrTimeslice is Linux's default SCHED_RR timeslice
// (/proc/sys/kernel/sched_rr_timeslice_ms).
const rrTimeslice = 100 * time.Millisecond

// SchedRRGetInterval implements Linux syscall sched_rr_get_interval(2):
// the timeslice of a SCHED_RR task; 0 for SCHED_FIFO, and for the fair
// policies, as Linux 6.6 and later (EEVDF) report.
func SchedRRGetInterval(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	target, errno := schedTarget(t, args.Int(0), false)
	if errno != 0 {
		return 0, errno
	}
	var d time.Duration
	if target.Sched().Policy == kernel.SchedRR {
		d = rrTimeslice
	}
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], uint64(d/time.Second))
	binary.LittleEndian.PutUint64(b[8:], uint64(d%time.Second))
	return 0, t.CopyOut(args.Pointer(1), b[:])
}
