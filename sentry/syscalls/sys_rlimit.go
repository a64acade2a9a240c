package syscalls

import (
	"encoding/binary"
	"runtime"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/kernel"
)

func encodeRlimit(l kernel.Rlimit) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint64(b[0:], l.Cur)
	binary.LittleEndian.PutUint64(b[8:], l.Max)
	return b
}

// setLimit applies a new limit of target's process, set by t, and its
// side effects.
func setLimit(t, target *kernel.Task, resource int, l kernel.Rlimit) linux.Errno {
	if errno := target.ThreadGroup().SetLimit(resource, l, t.Credentials().HasCap(auth.CapSysResource)); errno != 0 {
		return errno
	}
	if resource == unix.RLIMIT_NOFILE {
		if ft := target.FDTable(); ft != nil {
			ft.SetMaxFDs(l.Cur)
		}
	}
	return 0
}

// Getrlimit implements Linux syscall getrlimit(2).
func Getrlimit(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	r := int(args.Int(0))
	if r < 0 || r >= kernel.NumLimits {
		return 0, linux.EINVAL
	}
	return 0, t.CopyOut(args.Pointer(1), encodeRlimit(t.ThreadGroup().Limit(r)))
}

// Setrlimit implements Linux syscall setrlimit(2).
func Setrlimit(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	r := int(args.Int(0))
	if r < 0 || r >= kernel.NumLimits {
		return 0, linux.EINVAL
	}
	b := make([]byte, 16)
	if errno := t.CopyIn(args.Pointer(1), b); errno != 0 {
		return 0, errno
	}
	return 0, setLimit(t, t, r, kernel.Rlimit{Cur: binary.LittleEndian.Uint64(b), Max: binary.LittleEndian.Uint64(b[8:])})
}

// Prlimit64 implements Linux syscall prlimit64(2).
func Prlimit64(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	pid, r := args.Int(0), int(args.Int(1))
	if r < 0 || r >= kernel.NumLimits {
		return 0, linux.EINVAL
	}
	target := t
	if pid != 0 {
		if target = t.PIDNamespace().TaskWithID(pid); target == nil {
			return 0, linux.ESRCH
		}
		if target.ThreadGroup() != t.ThreadGroup() && !mayPrlimit(t.Credentials(), target.Credentials()) {
			return 0, linux.EPERM
		}
	}
	old := target.ThreadGroup().Limit(r)
	if newAddr := args.Pointer(2); newAddr != 0 {
		b := make([]byte, 16)
		if errno := t.CopyIn(newAddr, b); errno != 0 {
			return 0, errno
		}
		if errno := setLimit(t, target, r, kernel.Rlimit{Cur: binary.LittleEndian.Uint64(b), Max: binary.LittleEndian.Uint64(b[8:])}); errno != 0 {
			return 0, errno
		}
	}
	if oldAddr := args.Pointer(3); oldAddr != 0 {
		return 0, t.CopyOut(oldAddr, encodeRlimit(old))
	}
	return 0, 0
}

// mayPrlimit is prlimit(2)'s rule for another process: the caller's real
// user and group IDs are each of the target's, or it has CAP_SYS_RESOURCE.
func mayPrlimit(c, tc *auth.Credentials) bool {
	return c.HasCap(auth.CapSysResource) || sameIDs(c, tc)
}

// sameIDs reports whether c's real user and group IDs are each of tc's
// real, effective and saved ones (ptrace's and prlimit's test).
func sameIDs(c, tc *auth.Credentials) bool {
	return c.RealKUID == tc.RealKUID && c.RealKUID == tc.EffectiveKUID && c.RealKUID == tc.SavedKUID &&
		c.RealKGID == tc.RealKGID && c.RealKGID == tc.EffectiveKGID && c.RealKGID == tc.SavedKGID
}

// rusageBytes encodes a struct rusage (144 bytes) with CPU times and
// maxrss; the counters the sandbox does not keep are zero.
func rusageBytes(user, sys int64, maxRSSKiB uint64) []byte {
	b := make([]byte, 144)
	le := binary.LittleEndian
	u, s := time.Duration(user), time.Duration(sys)
	le.PutUint64(b[0:], uint64(u/time.Second))
	le.PutUint64(b[8:], uint64(u%time.Second/time.Microsecond))
	le.PutUint64(b[16:], uint64(s/time.Second))
	le.PutUint64(b[24:], uint64(s%time.Second/time.Microsecond))
	le.PutUint64(b[32:], maxRSSKiB)
	return b
}

// Getrusage implements Linux syscall getrusage(2).
func Getrusage(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	var b []byte
	switch args.Int(0) {
	case unix.RUSAGE_SELF, unix.RUSAGE_THREAD:
		u, s := t.CPUTime()
		b = rusageBytes(int64(u), int64(s), t.MM().VirtualSize()/1024)
	case unix.RUSAGE_CHILDREN:
		u, s := t.ThreadGroup().ChildTimes()
		b = rusageBytes(u, s, 0)
	default:
		return 0, linux.EINVAL
	}
	return 0, t.CopyOut(args.Pointer(1), b)
}

// SchedYield implements Linux syscall sched_yield(2).
func SchedYield(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	runtime.Gosched()
	return 0, 0
}

// Getcpu implements Linux syscall getcpu(2).
func Getcpu(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	// The host CPU the sentry thread runs on, folded into the sandbox's
	// CPU count.
	c, n := hostCPU()
	cpu, node := int(c)%t.Kernel().CPUs(), int(n)
	var b [4]byte
	if addr := args.Pointer(0); addr != 0 {
		binary.LittleEndian.PutUint32(b[:], uint32(cpu))
		if errno := t.CopyOut(addr, b[:]); errno != 0 {
			return 0, errno
		}
	}
	if addr := args.Pointer(1); addr != 0 {
		binary.LittleEndian.PutUint32(b[:], uint32(node))
		if errno := t.CopyOut(addr, b[:]); errno != 0 {
			return 0, errno
		}
	}
	return 0, 0
}
