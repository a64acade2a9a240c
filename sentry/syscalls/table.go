package syscalls

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
)

// Shorthands for strace argument kinds.
const (
	hex  = kernel.ArgHex
	num  = kernel.ArgInt
	path = kernel.ArgPath
	fd   = kernel.ArgFD
	oct  = kernel.ArgOct
)

func full(fn kernel.SyscallFn, args ...kernel.ArgKind) kernel.Syscall {
	return kernel.Syscall{Fn: fn, Support: kernel.FullSupport, Args: args}
}

func partial(fn kernel.SyscallFn, note string, args ...kernel.ArgKind) kernel.Syscall {
	return kernel.Syscall{Fn: fn, Support: kernel.PartialSupport, Note: note, Args: args}
}

func unsupported(errno linux.Errno, note string) kernel.Syscall {
	return kernel.Syscall{Support: kernel.Unsupported, Errno: errno, Note: note}
}

// table maps x86-64 syscall numbers to their implementation. Numbers not
// listed return ENOSYS and are logged once by name.
var table = map[uintptr]kernel.Syscall{
	// Memory.
	unix.SYS_MMAP:     partial(Mmap, "MAP_SHARED|MAP_ANONYMOUS is not yet shared across fork (#4)", hex, num, hex, hex, fd, hex),
	unix.SYS_MUNMAP:   full(Munmap, hex, num),
	unix.SYS_MPROTECT: full(Mprotect, hex, num, hex),
	unix.SYS_BRK:      full(Brk, hex),
	unix.SYS_MREMAP:   partial(Mremap, "MREMAP_DONTUNMAP and old_size 0 return EINVAL", hex, num, num, hex, hex),
	unix.SYS_MADVISE:  partial(Madvise, "MADV_DONTNEED/FREE discard pages; other advice is accepted as a hint", hex, num, num),

	// Identity.
	unix.SYS_GETPID:    full(Getpid),
	unix.SYS_GETTID:    full(Gettid),
	unix.SYS_GETPPID:   full(Getppid),
	unix.SYS_GETUID:    full(Getuid),
	unix.SYS_GETEUID:   full(Geteuid),
	unix.SYS_GETGID:    full(Getgid),
	unix.SYS_GETEGID:   full(Getegid),
	unix.SYS_GETRESUID: full(Getresuid, hex, hex, hex),
	unix.SYS_GETRESGID: full(Getresgid, hex, hex, hex),
	unix.SYS_GETGROUPS: full(Getgroups, num, hex),
	unix.SYS_UNAME:     full(Uname, hex),
	unix.SYS_GETRANDOM: full(Getrandom, hex, num, hex),

	// Limits and scheduling.
	unix.SYS_GETRLIMIT:         full(Getrlimit, num, hex),
	unix.SYS_SETRLIMIT:         full(Setrlimit, num, hex),
	unix.SYS_PRLIMIT64:         partial(Prlimit64, "only the calling process", num, num, hex, hex),
	unix.SYS_GETRUSAGE:         partial(Getrusage, "CPU times and maxrss; other counters are zero", num, hex),
	unix.SYS_TIMES:             full(Times, hex),
	unix.SYS_SYSINFO:           full(Sysinfo, hex),
	unix.SYS_SCHED_GETAFFINITY: full(SchedGetaffinity, num, num, hex),
	unix.SYS_SCHED_YIELD:       full(SchedYield),
	unix.SYS_GETCPU:            full(Getcpu, hex, hex, hex),

	// Time.
	unix.SYS_CLOCK_GETTIME:   full(ClockGettime, num, hex),
	unix.SYS_CLOCK_GETRES:    full(ClockGetres, num, hex),
	unix.SYS_GETTIMEOFDAY:    full(Gettimeofday, hex, hex),
	unix.SYS_TIME:            full(Time, hex),
	unix.SYS_NANOSLEEP:       partial(Nanosleep, "not interruptible by signals yet (#4)", hex, hex),
	unix.SYS_CLOCK_NANOSLEEP: partial(ClockNanosleep, "not interruptible by signals yet (#4)", num, hex, hex, hex),

	// Signals.
	unix.SYS_RT_SIGACTION:   partial(RtSigaction, "dispositions are recorded; handlers run from #4", num, hex, hex, num),
	unix.SYS_RT_SIGPROCMASK: full(RtSigprocmask, num, hex, hex, num),
	unix.SYS_SIGALTSTACK:    full(Sigaltstack, hex, hex),

	// Threads and processes.
	unix.SYS_EXIT:            partial(Exit, "ends the whole process: one thread per process until #4", num),
	unix.SYS_EXIT_GROUP:      full(ExitGroup, num),
	unix.SYS_SET_TID_ADDRESS: full(SetTidAddress, hex),
	unix.SYS_SET_ROBUST_LIST: full(SetRobustList, hex, num),
	unix.SYS_GET_ROBUST_LIST: full(GetRobustList, num, hex, hex),
	unix.SYS_ARCH_PRCTL:      partial(ArchPrctl, "no ARCH_SET_CPUID", hex, hex),
	unix.SYS_PRCTL:           partial(Prctl, "PR_SET/GET_NAME, NO_NEW_PRIVS, CAPBSET_READ", num, hex, hex, hex, hex),
	unix.SYS_EXECVE:          partial(Execve, "single-threaded processes", path, hex, hex),
	unix.SYS_RSEQ:            unsupported(linux.ENOSYS, "libc falls back without restartable sequences"),
}

// Table returns the syscall table for the kernel.
func Table() *kernel.SyscallTable {
	st := &kernel.SyscallTable{Entries: make([]kernel.Syscall, len(names))}
	for nr, name := range names {
		if name == "" {
			continue
		}
		e, ok := table[uintptr(nr)]
		if !ok {
			e = unsupported(linux.ENOSYS, "")
		}
		e.Name = name
		st.Entries[nr] = e
	}
	return st
}
