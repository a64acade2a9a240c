package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

func putTimespec(b []byte, ns int64) {
	binary.LittleEndian.PutUint64(b[0:], uint64(ns/1e9))
	binary.LittleEndian.PutUint64(b[8:], uint64(ns%1e9))
}

func copyOutTimespec(t *kernel.Task, addr uintptr, ns int64) linux.Errno {
	var b [16]byte
	putTimespec(b[:], ns)
	return t.CopyOut(addr, b[:])
}

func copyInTimespec(t *kernel.Task, addr uintptr) (int64, linux.Errno) {
	var b [16]byte
	if errno := t.CopyIn(addr, b[:]); errno != 0 {
		return 0, errno
	}
	sec, nsec := int64(binary.LittleEndian.Uint64(b[0:])), int64(binary.LittleEndian.Uint64(b[8:]))
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return 0, linux.EINVAL
	}
	if sec > (1<<63-1)/1_000_000_000-1 {
		return 1<<63 - 1, 0
	}
	return sec*1e9 + nsec, 0
}

// clockNow reads clock id for t.
func clockNow(t *kernel.Task, id int32) (int64, linux.Errno) {
	if isCPUClock(id) {
		_, c, errno := resolveCPUClock(t, id)
		switch {
		case errno != 0:
			return 0, errno
		case c.Process != nil:
			return int64(c.Process.CPUClock()), 0
		case c.Thread != t:
			// Only the thread itself can read its clock.
			return 0, linux.EINVAL
		}
		if d, ok := t.ThreadCPUTime(); ok {
			return int64(d), 0
		}
		u, s := t.CPUTime() // the process's, if the platform cannot tell
		return int64(u + s), 0
	}
	switch id {
	case unix.CLOCK_REALTIME, unix.CLOCK_MONOTONIC, unix.CLOCK_MONOTONIC_RAW, unix.CLOCK_REALTIME_COARSE,
		unix.CLOCK_MONOTONIC_COARSE, unix.CLOCK_BOOTTIME, unix.CLOCK_TAI:
		var ts unix.Timespec
		if err := unix.ClockGettime(id, &ts); err != nil {
			return 0, linux.FromHost(err)
		}
		return ts.Nano(), 0
	}
	return 0, linux.EINVAL
}

// ClockGettime implements Linux syscall clock_gettime(2).
func ClockGettime(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	ns, errno := clockNow(t, args.Int(0))
	if errno != 0 {
		return 0, errno
	}
	return 0, copyOutTimespec(t, args.Pointer(1), ns)
}

// ClockGetres implements Linux syscall clock_getres(2).
func ClockGetres(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	id := args.Int(0)
	var ts unix.Timespec
	if isCPUClock(id) {
		// Linux's CPU clocks count nanoseconds (CPUCLOCK_SCHED).
		if _, _, errno := resolveCPUClock(t, id); errno != 0 {
			return 0, errno
		}
		ts.Nsec = 1
	} else if _, errno := clockNow(t, id); errno != 0 {
		return 0, errno
	} else if err := unix.ClockGetres(id, &ts); err != nil {
		ts = unix.Timespec{Nsec: 1}
	}
	if args.Pointer(1) == 0 {
		return 0, 0
	}
	return 0, copyOutTimespec(t, args.Pointer(1), ts.Nano())
}

// Gettimeofday implements Linux syscall gettimeofday(2).
func Gettimeofday(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	if addr := args.Pointer(0); addr != 0 {
		ns := time.Now().UnixNano()
		var b [16]byte
		binary.LittleEndian.PutUint64(b[0:], uint64(ns/1e9))
		binary.LittleEndian.PutUint64(b[8:], uint64(ns%1e9/1e3))
		if errno := t.CopyOut(addr, b[:]); errno != 0 {
			return 0, errno
		}
	}
	if addr := args.Pointer(1); addr != 0 {
		// struct timezone: always zero on Linux nowadays.
		if errno := t.CopyOut(addr, make([]byte, 8)); errno != 0 {
			return 0, errno
		}
	}
	return 0, 0
}

// Time implements Linux syscall time(2).
func Time(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	// Linux answers from the coarse clock, like the vDSO's time().
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_REALTIME_COARSE, &ts); err != nil {
		return 0, linux.FromHost(err)
	}
	now := ts.Sec
	if addr := args.Pointer(0); addr != 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(now))
		if errno := t.CopyOut(addr, b[:]); errno != 0 {
			return 0, errno
		}
	}
	return uintptr(now), 0
}

// Nanosleep implements Linux syscall nanosleep(2).
func Nanosleep(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	ns, errno := copyInTimespec(t, args.Pointer(0))
	if errno != 0 {
		return 0, errno
	}
	return sleepRestartable(t, time.Now().Add(time.Duration(ns)), args.Pointer(1))
}

// ClockNanosleep implements Linux syscall clock_nanosleep(2).
func ClockNanosleep(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	id, flags := args.Int(0), args.Int(1)
	switch {
	case id == unix.CLOCK_REALTIME, id == unix.CLOCK_MONOTONIC, id == unix.CLOCK_BOOTTIME, id == unix.CLOCK_TAI:
	case id == unix.CLOCK_THREAD_CPUTIME_ID:
		return 0, linux.EOPNOTSUPP // it has no nsleep on Linux
	case id == unix.CLOCK_PROCESS_CPUTIME_ID, id < 0:
		return cpuClockNanosleep(t, id, flags, args.Pointer(2), args.Pointer(3))
	default:
		return 0, linux.EINVAL
	}
	ns, errno := copyInTimespec(t, args.Pointer(2))
	if errno != 0 {
		return 0, errno
	}
	if flags&unix.TIMER_ABSTIME == 0 {
		return sleepRestartable(t, time.Now().Add(time.Duration(ns)), args.Pointer(3))
	}
	// An absolute sleep restarts as it was called.
	now, errno := clockNow(t, id)
	if errno != 0 {
		return 0, errno
	}
	if _, interrupted := t.Sleep(time.Duration(ns - now)); interrupted {
		return 0, linux.ERESTARTNOHAND
	}
	return 0, 0
}

// clockTicks is USER_HZ.
const clockTicks = 100

// Times implements Linux syscall times(2).
func Times(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	u, s := t.CPUTime()
	if addr := args.Pointer(0); addr != 0 {
		var b [32]byte
		binary.LittleEndian.PutUint64(b[0:], uint64(u/(time.Second/clockTicks)))
		binary.LittleEndian.PutUint64(b[8:], uint64(s/(time.Second/clockTicks)))
		// Children's times: no children until #4.
		if errno := t.CopyOut(addr, b[:]); errno != 0 {
			return 0, errno
		}
	}
	return uintptr(time.Since(t.Kernel().BootTime()) / (time.Second / clockTicks)), 0
}

// Sysinfo implements Linux syscall sysinfo(2).
func Sysinfo(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	var host unix.Sysinfo_t
	if err := unix.Sysinfo(&host); err != nil {
		return 0, linux.FromHost(err)
	}
	// struct sysinfo is 112 bytes on x86-64.
	b := make([]byte, 112)
	le := binary.LittleEndian
	le.PutUint64(b[0:], uint64(time.Since(t.Kernel().BootTime())/time.Second))
	// Load averages, memory and swap are the host's: the sandbox runs on
	// the host's CPUs and memory (limits come with cgroups, #3).
	le.PutUint64(b[8:], host.Loads[0])
	le.PutUint64(b[16:], host.Loads[1])
	le.PutUint64(b[24:], host.Loads[2])
	le.PutUint64(b[32:], host.Totalram)
	le.PutUint64(b[40:], host.Freeram)
	le.PutUint64(b[48:], host.Sharedram)
	le.PutUint64(b[56:], host.Bufferram)
	le.PutUint64(b[64:], host.Totalswap)
	le.PutUint64(b[72:], host.Freeswap)
	le.PutUint16(b[80:], uint16(len(t.Kernel().Tasks())))
	le.PutUint64(b[88:], host.Totalhigh)
	le.PutUint64(b[96:], host.Freehigh)
	le.PutUint32(b[104:], host.Unit)
	return 0, t.CopyOut(args.Pointer(0), b)
}
