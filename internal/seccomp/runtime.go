package seccomp

import "golang.org/x/sys/unix"

// goThreadFlags are the clone(2) flags the Go runtime uses to start a thread
// (runtime.cloneFlags, plus CLONE_SETTLS on some versions and
// architectures); AllowGoRuntime allows clone with exactly these, so a
// filtered process can start threads but not fork.
const goThreadFlags = unix.CLONE_VM | unix.CLONE_FS | unix.CLONE_FILES |
	unix.CLONE_SIGHAND | unix.CLONE_SYSVSEM | unix.CLONE_THREAD

// AllowGoRuntime allows what the Go runtime itself needs once a program is
// running: memory (mmap, munmap, madvise, mprotect), threads (clone with the
// thread flags only, exit, gettid), scheduling and timers (futex,
// sched_yield, nanosleep, clock_gettime, clock_nanosleep, timer_*), signals
// (rt_sigaction, rt_sigprocmask, rt_sigreturn, sigaltstack, tgkill, getpid),
// the network poller (epoll_*, eventfd2, pipe2), writes to stderr (write),
// exit_group, and the periodic re-reading of the cgroup CPU limit that sets
// GOMAXPROCS (pread64 on files opened at start, sched_getaffinity; every
// second or so from Go 1.25). clone3 fails with ENOSYS so that a caller falls back to clone.
func (f *Filter) AllowGoRuntime() *Filter {
	f.Allow(
		unix.SYS_READ,
		unix.SYS_PREAD64,
		unix.SYS_WRITE,
		unix.SYS_CLOSE,
		unix.SYS_MMAP,
		unix.SYS_MUNMAP,
		unix.SYS_MADVISE,
		unix.SYS_MPROTECT,
		unix.SYS_FUTEX,
		unix.SYS_EXIT,
		unix.SYS_EXIT_GROUP,
		unix.SYS_GETTID,
		unix.SYS_GETPID,
		unix.SYS_TGKILL,
		unix.SYS_RT_SIGACTION,
		unix.SYS_RT_SIGPROCMASK,
		unix.SYS_RT_SIGRETURN,
		unix.SYS_SIGALTSTACK,
		unix.SYS_SCHED_YIELD,
		unix.SYS_SCHED_GETAFFINITY,
		unix.SYS_NANOSLEEP,
		unix.SYS_CLOCK_GETTIME,
		unix.SYS_CLOCK_NANOSLEEP,
		unix.SYS_TIMER_CREATE,
		unix.SYS_TIMER_SETTIME,
		unix.SYS_TIMER_DELETE,
		unix.SYS_EPOLL_CREATE1,
		unix.SYS_EPOLL_CTL,
		unix.SYS_EPOLL_PWAIT,
		unix.SYS_EVENTFD2,
		unix.SYS_PIPE2,
		unix.SYS_GETRANDOM,
		unix.SYS_FCNTL,
	)
	f.AllowIf(unix.SYS_CLONE,
		Rule{ArgEq(0, goThreadFlags)},
		Rule{ArgEq(0, goThreadFlags|unix.CLONE_SETTLS)})
	f.Set(unix.SYS_CLONE3, Errno(unix.ENOSYS))
	f.allowGoRuntimeArch()
	return f
}
