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
	// Files: open, close, descriptors.
	unix.SYS_OPEN:   full(Open, path, hex, oct),
	unix.SYS_OPENAT: full(Openat, fd, path, hex, oct),
	unix.SYS_CREAT:  full(Creat, path, oct),
	unix.SYS_CLOSE:  full(Close, fd),
	unix.SYS_DUP:    full(Dup, fd),
	unix.SYS_DUP2:   full(Dup2, fd, fd),
	unix.SYS_DUP3:   full(Dup3, fd, fd, hex),
	unix.SYS_FCNTL:  partial(Fcntl, "no signal-driven I/O (F_SETOWN, F_SETSIG: EINVAL)", fd, num, hex),
	unix.SYS_IOCTL:  partial(Ioctl, "FIONBIO, FIOCLEX/FIONCLEX, FIONREAD and terminal ioctls on host terminals; on sockets SIOCINQ, SIOCOUTQ and the SIOCGIF* interface queries", fd, hex, hex),
	unix.SYS_UMASK:  full(Umask, oct),

	// Files: more.
	unix.SYS_FADVISE64:       full(Fadvise64, fd, num, num, num),
	unix.SYS_READAHEAD:       full(Readahead, fd, num, num),
	unix.SYS_SYNC_FILE_RANGE: partial(SyncFileRange, "syncs the whole file", fd, num, num, hex),
	unix.SYS_PREADV2:         partial(Preadv2, "RWF_NOWAIT is EOPNOTSUPP", fd, hex, num, num, hex),
	unix.SYS_PWRITEV2:        partial(Pwritev2, "RWF_NOWAIT is EOPNOTSUPP", fd, hex, num, num, hex),
	unix.SYS_CLOSE_RANGE:     partial(CloseRange, "CLOSE_RANGE_UNSHARE is EINVAL", num, num, hex),
	unix.SYS_FLOCK:           full(Flock, fd, hex),
	unix.SYS_MEMFD_CREATE:    partial(MemfdCreate, "no MFD_HUGETLB; sealing is not implemented", path, hex),
	unix.SYS_OPENAT2:         full(Openat2, fd, path, hex, num),
	unix.SYS_GETXATTR:        full(Getxattr, path, path, hex, num),
	unix.SYS_LGETXATTR:       full(Lgetxattr, path, path, hex, num),
	unix.SYS_FGETXATTR:       full(Fgetxattr, fd, path, hex, num),
	unix.SYS_SETXATTR:        full(Setxattr, path, path, hex, num, hex),
	unix.SYS_LSETXATTR:       full(Lsetxattr, path, path, hex, num, hex),
	unix.SYS_FSETXATTR:       full(Fsetxattr, fd, path, hex, num, hex),
	unix.SYS_LISTXATTR:       full(Listxattr, path, hex, num),
	unix.SYS_LLISTXATTR:      full(Llistxattr, path, hex, num),
	unix.SYS_FLISTXATTR:      full(Flistxattr, fd, hex, num),
	unix.SYS_REMOVEXATTR:     full(Removexattr, path, path),
	unix.SYS_LREMOVEXATTR:    full(Lremovexattr, path, path),
	unix.SYS_FREMOVEXATTR:    full(Fremovexattr, fd, path),

	unix.SYS_GETDENTS:          full(Getdents, fd, hex, num),
	unix.SYS_FCHMODAT2:         full(Fchmodat2, fd, path, oct, hex),
	unix.SYS_INOTIFY_INIT:      partial(InotifyInit, "events for changes made inside the sandbox only"),
	unix.SYS_INOTIFY_INIT1:     partial(InotifyInit1, "events for changes made inside the sandbox only", hex),
	unix.SYS_INOTIFY_ADD_WATCH: partial(InotifyAddWatch, "events for changes made inside the sandbox only", fd, path, hex),
	unix.SYS_INOTIFY_RM_WATCH:  full(InotifyRmWatch, fd, num),
	unix.SYS_MOUNT:             partial(Mount, "tmpfs, bind mounts, remounts; every mount is private (no MS_SHARED, MS_MOVE)", path, path, path, hex, hex),
	unix.SYS_UMOUNT2:           partial(Umount2, "unmounts are lazy: no EBUSY for mounts in use", path, hex),

	// Pipes.
	unix.SYS_PIPE:  full(Pipe, hex),
	unix.SYS_PIPE2: partial(Pipe2, "O_DIRECT packets never merge into plain bytes written before them (docs/pipe.md)", hex, hex),

	// Polling and event files.
	unix.SYS_POLL:            full(Poll, hex, num, num),
	unix.SYS_PPOLL:           full(Ppoll, hex, num, hex, hex, num),
	unix.SYS_SELECT:          full(Select, num, hex, hex, hex, hex),
	unix.SYS_PSELECT6:        full(Pselect6, num, hex, hex, hex, hex, hex),
	unix.SYS_EPOLL_CREATE:    full(EpollCreate, num),
	unix.SYS_EPOLL_CREATE1:   full(EpollCreate1, hex),
	unix.SYS_EPOLL_CTL:       partial(EpollCtl, "EPOLLEXCLUSIVE wakes every waiter; EPOLLWAKEUP is dropped", fd, num, fd, hex),
	unix.SYS_EPOLL_WAIT:      full(EpollWait, fd, hex, num, num),
	unix.SYS_EPOLL_PWAIT:     full(EpollPwait, fd, hex, num, num, hex, num),
	unix.SYS_EPOLL_PWAIT2:    full(EpollPwait2, fd, hex, num, hex, hex, num),
	unix.SYS_EVENTFD:         full(Eventfd, num),
	unix.SYS_EVENTFD2:        full(Eventfd2, num, hex),
	unix.SYS_TIMERFD_CREATE:  partial(TimerfdCreate, "alarm clocks are EPERM", num, hex),
	unix.SYS_TIMERFD_SETTIME: partial(TimerfdSettime, "TFD_TIMER_CANCEL_ON_SET never cancels", fd, hex, hex, hex),
	unix.SYS_TIMERFD_GETTIME: full(TimerfdGettime, fd, hex),
	unix.SYS_SIGNALFD:        full(Signalfd, fd, hex, num),
	unix.SYS_SIGNALFD4:       full(Signalfd4, fd, hex, num, hex),

	// Sockets: AF_UNIX; AF_INET/AF_INET6 on loopback; NETLINK_ROUTE (docs/net.md).
	unix.SYS_SOCKET:      partial(Socket, "AF_UNIX; AF_INET and AF_INET6 TCP and UDP on the sandbox's loopback network; AF_NETLINK NETLINK_ROUTE; raw and packet sockets and other families are unsupported", num, num, num),
	unix.SYS_SOCKETPAIR:  partial(Socketpair, "AF_UNIX only", num, num, num, hex),
	unix.SYS_BIND:        full(Bind, fd, hex, num),
	unix.SYS_LISTEN:      full(Listen, fd, num),
	unix.SYS_ACCEPT:      full(Accept, fd, hex, hex),
	unix.SYS_ACCEPT4:     full(Accept4, fd, hex, hex, hex),
	unix.SYS_CONNECT:     full(Connect, fd, hex, num),
	unix.SYS_GETSOCKNAME: full(Getsockname, fd, hex, hex),
	unix.SYS_GETPEERNAME: full(Getpeername, fd, hex, hex),
	unix.SYS_SHUTDOWN:    full(Shutdown, fd, num),
	unix.SYS_SENDTO:      partial(Sendto, "MSG_OOB is EOPNOTSUPP", fd, hex, num, hex, hex, num),
	unix.SYS_RECVFROM:    partial(Recvfrom, "MSG_OOB is EOPNOTSUPP", fd, hex, num, hex, hex, hex),
	unix.SYS_SENDMSG:     partial(Sendmsg, "unix: SCM_RIGHTS and SCM_CREDENTIALS; no SCM_SECURITY; inet and netlink: no control messages (EINVAL)", fd, hex, hex),
	unix.SYS_RECVMSG:     partial(Recvmsg, "unix: SCM_RIGHTS and SCM_CREDENTIALS; no SCM_SECURITY; inet and netlink: no control messages", fd, hex, hex),
	unix.SYS_SENDMMSG:    partial(Sendmmsg, "as sendmsg", fd, hex, num, hex),
	unix.SYS_RECVMMSG:    partial(Recvmmsg, "as recvmsg; the timeout is checked after each message, as on Linux", fd, hex, num, hex, hex),
	unix.SYS_GETSOCKOPT:  partial(Getsockopt, "inet: SOL_SOCKET, SOL_IP, SOL_IPV6 and SOL_TCP options Go, glibc, Python and curl use (docs/net.md); netlink: SOL_NETLINK flags; unix: SOL_SOCKET: SO_TYPE SO_DOMAIN SO_PROTOCOL SO_ERROR SO_ACCEPTCONN SO_SNDBUF SO_RCVBUF SO_PASSCRED SO_PEERCRED SO_REUSEADDR SO_KEEPALIVE SO_RCVTIMEO SO_SNDTIMEO SO_LINGER SO_TIMESTAMP(NS) SO_PASSSEC SO_PRIORITY SO_PEERGROUPS SO_RCVLOWAT SO_SNDLOWAT; others ENOPROTOOPT", fd, num, num, hex, hex),
	unix.SYS_SETSOCKOPT:  partial(Setsockopt, "inet: as getsockopt, values stored (no packets exist for TOS, TTL, keepalive timing or Nagle to act on); unix: SOL_SOCKET: SO_SNDBUF(FORCE) SO_RCVBUF(FORCE) SO_PASSCRED SO_REUSEADDR SO_KEEPALIVE SO_RCVTIMEO SO_SNDTIMEO SO_LINGER SO_TIMESTAMP(NS) SO_PASSSEC (no SCM_SECURITY, as without an LSM) SO_PRIORITY SO_RCVLOWAT; others ENOPROTOOPT", fd, num, num, hex, num),

	// Files: data.
	unix.SYS_READ:            full(Read, fd, hex, num),
	unix.SYS_WRITE:           full(Write, fd, hex, num),
	unix.SYS_PREAD64:         full(Pread64, fd, hex, num, num),
	unix.SYS_PWRITE64:        full(Pwrite64, fd, hex, num, num),
	unix.SYS_READV:           full(Readv, fd, hex, num),
	unix.SYS_WRITEV:          full(Writev, fd, hex, num),
	unix.SYS_PREADV:          full(Preadv, fd, hex, num, num),
	unix.SYS_PWRITEV:         full(Pwritev, fd, hex, num, num),
	unix.SYS_LSEEK:           full(Lseek, fd, num, num),
	unix.SYS_FSYNC:           full(Fsync, fd),
	unix.SYS_FDATASYNC:       full(Fdatasync, fd),
	unix.SYS_SYNC:            full(Sync),
	unix.SYS_SYNCFS:          full(Syncfs, fd),
	unix.SYS_FALLOCATE:       full(Fallocate, fd, hex, num, num),
	unix.SYS_TRUNCATE:        full(Truncate, path, num),
	unix.SYS_FTRUNCATE:       full(Ftruncate, fd, num),
	unix.SYS_SENDFILE:        full(Sendfile, fd, fd, hex, num),
	unix.SYS_SPLICE:          partial(Splice, "copies through the sentry; from a pipe, what the destination does not take stays in the pipe", fd, hex, fd, hex, num, hex),
	unix.SYS_COPY_FILE_RANGE: full(CopyFileRange, fd, hex, fd, hex, num, hex),

	// Files: attributes.
	unix.SYS_FSTAT:      full(Fstat, fd, hex),
	unix.SYS_STAT:       full(Stat, path, hex),
	unix.SYS_LSTAT:      full(Lstat, path, hex),
	unix.SYS_NEWFSTATAT: full(Newfstatat, fd, path, hex, hex),
	unix.SYS_STATX:      full(Statx, fd, path, hex, hex, hex),
	unix.SYS_STATFS:     full(Statfs, path, hex),
	unix.SYS_FSTATFS:    full(Fstatfs, fd, hex),
	unix.SYS_ACCESS:     full(Access, path, oct),
	unix.SYS_FACCESSAT:  full(Faccessat, fd, path, oct),
	unix.SYS_FACCESSAT2: full(Faccessat2, fd, path, oct, hex),
	unix.SYS_CHMOD:      full(Chmod, path, oct),
	unix.SYS_FCHMOD:     full(Fchmod, fd, oct),
	unix.SYS_FCHMODAT:   full(Fchmodat, fd, path, oct),
	unix.SYS_CHOWN:      full(Chown, path, num, num),
	unix.SYS_LCHOWN:     full(Lchown, path, num, num),
	unix.SYS_FCHOWN:     full(Fchown, fd, num, num),
	unix.SYS_FCHOWNAT:   full(Fchownat, fd, path, num, num, hex),
	unix.SYS_UTIMENSAT:  full(Utimensat, fd, path, hex, hex),
	unix.SYS_UTIMES:     full(Utimes, path, hex),
	unix.SYS_FUTIMESAT:  full(Futimesat, fd, path, hex),
	unix.SYS_UTIME:      full(Utime, path, hex),

	// Files: names and directories.
	unix.SYS_GETDENTS64: full(Getdents64, fd, hex, num),
	unix.SYS_GETCWD:     full(Getcwd, hex, num),
	unix.SYS_CHDIR:      full(Chdir, path),
	unix.SYS_FCHDIR:     full(Fchdir, fd),
	unix.SYS_CHROOT:     full(Chroot, path),
	unix.SYS_MKDIR:      full(Mkdir, path, oct),
	unix.SYS_MKDIRAT:    full(Mkdirat, fd, path, oct),
	unix.SYS_RMDIR:      full(Rmdir, path),
	unix.SYS_UNLINK:     full(Unlink, path),
	unix.SYS_UNLINKAT:   full(Unlinkat, fd, path, hex),
	unix.SYS_RENAME:     full(Rename, path, path),
	unix.SYS_RENAMEAT:   full(Renameat, fd, path, fd, path),
	unix.SYS_RENAMEAT2:  full(Renameat2, fd, path, fd, path, hex),
	unix.SYS_SYMLINK:    full(Symlink, path, path),
	unix.SYS_SYMLINKAT:  full(Symlinkat, path, fd, path),
	unix.SYS_LINK:       full(Link, path, path),
	unix.SYS_LINKAT:     full(Linkat, fd, path, fd, path, hex),
	unix.SYS_READLINK:   full(Readlink, path, hex, num),
	unix.SYS_READLINKAT: full(Readlinkat, fd, path, hex, num),
	unix.SYS_MKNOD:      partial(Mknod, "regular files, FIFOs and sockets on tmpfs; devices need CAP_MKNOD", path, oct, hex),
	unix.SYS_MKNODAT:    partial(Mknodat, "as mknod", fd, path, oct, hex),

	// Memory.
	unix.SYS_MMAP:     full(Mmap, hex, num, hex, hex, fd, hex),
	unix.SYS_MUNMAP:   full(Munmap, hex, num),
	unix.SYS_MPROTECT: full(Mprotect, hex, num, hex),
	unix.SYS_BRK:      full(Brk, hex),
	unix.SYS_MREMAP:   partial(Mremap, "MREMAP_DONTUNMAP and old_size 0 return EINVAL", hex, num, num, hex, hex),
	unix.SYS_MADVISE:  full(Madvise, hex, num, num),
	unix.SYS_MSYNC:    full(Msync, hex, num, hex),
	unix.SYS_MINCORE:  full(Mincore, hex, num, hex),

	// Identity.
	unix.SYS_GETPID:        full(Getpid),
	unix.SYS_GETTID:        full(Gettid),
	unix.SYS_GETPPID:       full(Getppid),
	unix.SYS_GETUID:        full(Getuid),
	unix.SYS_GETEUID:       full(Geteuid),
	unix.SYS_GETGID:        full(Getgid),
	unix.SYS_GETEGID:       full(Getegid),
	unix.SYS_GETRESUID:     full(Getresuid, hex, hex, hex),
	unix.SYS_GETRESGID:     full(Getresgid, hex, hex, hex),
	unix.SYS_GETGROUPS:     full(Getgroups, num, hex),
	unix.SYS_SETUID:        full(Setuid, num),
	unix.SYS_SETGID:        full(Setgid, num),
	unix.SYS_SETREUID:      full(Setreuid, num, num),
	unix.SYS_SETREGID:      full(Setregid, num, num),
	unix.SYS_SETRESUID:     full(Setresuid, num, num, num),
	unix.SYS_SETRESGID:     full(Setresgid, num, num, num),
	unix.SYS_SETFSUID:      full(Setfsuid, num),
	unix.SYS_SETFSGID:      full(Setfsgid, num),
	unix.SYS_SETGROUPS:     full(Setgroups, num, hex),
	unix.SYS_CAPGET:        full(Capget, hex, hex),
	unix.SYS_CAPSET:        partial(Capset, "the calling thread only", hex, hex),
	unix.SYS_UNAME:         full(Uname, hex),
	unix.SYS_PERSONALITY:   partial(Personality, "ADDR_NO_RANDOMIZE and PER_LINUX32 (uname's machine) act; other flags are kept and reported", hex),
	unix.SYS_SETHOSTNAME:   full(Sethostname, hex, num),
	unix.SYS_SETDOMAINNAME: full(Setdomainname, hex, num),
	unix.SYS_GETRANDOM:     full(Getrandom, hex, num, hex),

	// Limits and scheduling.
	unix.SYS_GETRLIMIT:              full(Getrlimit, num, hex),
	unix.SYS_SETRLIMIT:              full(Setrlimit, num, hex),
	unix.SYS_PRLIMIT64:              full(Prlimit64, num, num, hex, hex),
	unix.SYS_GETRUSAGE:              partial(Getrusage, "CPU times and maxrss; other counters are zero", num, hex),
	unix.SYS_TIMES:                  full(Times, hex),
	unix.SYS_SYSINFO:                full(Sysinfo, hex),
	unix.SYS_SCHED_GETAFFINITY:      full(SchedGetaffinity, num, num, hex),
	unix.SYS_SCHED_SETAFFINITY:      partial(SchedSetaffinity, "the mask is recorded, inherited and reported; the host places the threads", num, num, hex),
	unix.SYS_SCHED_GETSCHEDULER:     full(SchedGetscheduler, num),
	unix.SYS_SCHED_SETSCHEDULER:     partial(SchedSetscheduler, "policies are recorded and reported; the host runs every thread as SCHED_OTHER", num, num, hex),
	unix.SYS_SCHED_GETPARAM:         full(SchedGetparam, num, hex),
	unix.SYS_SCHED_SETPARAM:         partial(SchedSetparam, "as sched_setscheduler", num, hex),
	unix.SYS_SCHED_GET_PRIORITY_MAX: full(SchedGetPriorityMax, num),
	unix.SYS_SCHED_GET_PRIORITY_MIN: full(SchedGetPriorityMin, num),
	unix.SYS_SCHED_YIELD:            full(SchedYield),
	unix.SYS_SCHED_RR_GET_INTERVAL:  full(SchedRRGetInterval, num, hex),
	unix.SYS_GETPRIORITY:            full(Getpriority, num, num),
	unix.SYS_SETPRIORITY:            partial(Setpriority, "niceness below the sandbox's own is kept but gives no extra host priority", num, num, num),
	unix.SYS_GETCPU:                 full(Getcpu, hex, hex, hex),

	// System V IPC (sentry/kernel/ipc, docs/ipc.md).
	unix.SYS_SHMGET:     partial(Shmget, "SHM_HUGETLB is ENOMEM (no huge pages)", hex, num, oct),
	unix.SYS_SHMAT:      full(Shmat, num, hex, hex),
	unix.SYS_SHMDT:      full(Shmdt, hex),
	unix.SYS_SHMCTL:     partial(Shmctl, "SHM_LOCK only marks the segment (RLIMIT_MEMLOCK is not charged)", num, num, hex),
	unix.SYS_SEMGET:     full(Semget, hex, num, oct),
	unix.SYS_SEMOP:      full(Semop, num, hex, num),
	unix.SYS_SEMTIMEDOP: full(Semtimedop, num, hex, num, hex),
	unix.SYS_SEMCTL:     full(Semctl, num, num, num, hex),
	unix.SYS_MSGGET:     full(Msgget, hex, oct),
	unix.SYS_MSGSND:     full(Msgsnd, num, hex, num, hex),
	unix.SYS_MSGRCV:     full(Msgrcv, num, hex, num, num, hex),
	unix.SYS_MSGCTL:     full(Msgctl, num, num, hex),

	// POSIX message queues (docs/ipc.md).
	unix.SYS_MQ_OPEN:         full(MqOpen, path, hex, oct, hex),
	unix.SYS_MQ_UNLINK:       full(MqUnlink, path),
	unix.SYS_MQ_TIMEDSEND:    full(MqTimedsend, fd, hex, num, num, hex),
	unix.SYS_MQ_TIMEDRECEIVE: full(MqTimedreceive, fd, hex, num, hex, hex),
	unix.SYS_MQ_NOTIFY:       full(MqNotify, fd, hex),
	unix.SYS_MQ_GETSETATTR:   full(MqGetsetattr, fd, hex, hex),

	// Time.
	unix.SYS_CLOCK_GETTIME:   partial(ClockGettime, "another thread's CPU clock is EINVAL: only the thread itself can read it (docs/timers.md)", num, hex),
	unix.SYS_CLOCK_GETRES:    full(ClockGetres, num, hex),
	unix.SYS_GETTIMEOFDAY:    full(Gettimeofday, hex, hex),
	unix.SYS_TIME:            full(Time, hex),
	unix.SYS_NANOSLEEP:       full(Nanosleep, hex, hex),
	unix.SYS_CLOCK_NANOSLEEP: partial(ClockNanosleep, "CPU clocks end up to 4 ms late: a process's is sampled, a thread's checked by the thread (docs/timers.md)", num, hex, hex, hex),

	// Timers.
	unix.SYS_GETITIMER:        partial(Getitimer, "VIRTUAL and PROF count the stub's CPU time, sampled every 4 ms", num, hex),
	unix.SYS_SETITIMER:        partial(Setitimer, "VIRTUAL and PROF count the stub's CPU time, sampled every 4 ms (a timer fires up to 4 ms late)", num, hex, hex),
	unix.SYS_ALARM:            full(Alarm, num),
	unix.SYS_TIMER_CREATE:     partial(TimerCreate, "CPU-clock timers fire up to 4 ms late (sampled, docs/timers.md); SIGEV_THREAD is libc's", num, hex, hex),
	unix.SYS_TIMER_SETTIME:    full(TimerSettime, num, hex, hex, hex),
	unix.SYS_TIMER_GETTIME:    full(TimerGettime, num, hex),
	unix.SYS_TIMER_GETOVERRUN: partial(TimerGetoverrun, "overruns counted while the previous signal is being queued", num),
	unix.SYS_TIMER_DELETE:     full(TimerDelete, num),

	// Signals.
	unix.SYS_RT_SIGACTION:      full(RtSigaction, num, hex, hex, num),
	unix.SYS_RT_SIGRETURN:      full(RtSigreturn),
	unix.SYS_RT_SIGPENDING:     full(RtSigpending, hex, num),
	unix.SYS_RT_SIGSUSPEND:     full(RtSigsuspend, hex, num),
	unix.SYS_PAUSE:             full(Pause),
	unix.SYS_KILL:              full(Kill, num, num),
	unix.SYS_TGKILL:            full(Tgkill, num, num, num),
	unix.SYS_TKILL:             full(Tkill, num, num),
	unix.SYS_RT_SIGQUEUEINFO:   full(RtSigqueueinfo, num, num, hex),
	unix.SYS_RT_TGSIGQUEUEINFO: full(RtTgsigqueueinfo, num, num, num, hex),
	unix.SYS_RT_SIGTIMEDWAIT:   full(RtSigtimedwait, hex, hex, hex, num),
	unix.SYS_RT_SIGPROCMASK:    full(RtSigprocmask, num, hex, hex, num),
	unix.SYS_SIGALTSTACK:       full(Sigaltstack, hex, hex),

	// Threads and processes.
	unix.SYS_EXIT:              full(Exit, num),
	unix.SYS_CLONE:             partial(Clone, "no namespaces inside the sandbox", hex, hex, hex, hex, hex),
	unix.SYS_CLONE3:            partial(Clone3, "as clone; no set_tid or CLONE_INTO_CGROUP", hex, num),
	unix.SYS_FORK:              full(Fork),
	unix.SYS_VFORK:             full(Vfork),
	unix.SYS_WAIT4:             full(Wait4, num, hex, hex, hex),
	unix.SYS_WAITID:            full(Waitid, num, num, hex, hex, hex),
	unix.SYS_PIDFD_OPEN:        partial(PidfdOpen, "process pidfds; no PIDFD_THREAD", num, hex),
	unix.SYS_PIDFD_SEND_SIGNAL: full(PidfdSendSignal, fd, num, hex, hex),
	unix.SYS_PIDFD_GETFD:       full(PidfdGetfd, fd, num, hex),
	unix.SYS_FUTEX:             partial(Futex, "PI futexes hand over in arrival order: the host cannot boost an owner's priority (docs/futex.md)", hex, num, num, hex, hex, num),
	unix.SYS_GETPGID:           full(Getpgid, num),
	unix.SYS_GETPGRP:           full(Getpgrp),
	unix.SYS_SETPGID:           full(Setpgid, num, num),
	unix.SYS_GETSID:            full(Getsid, num),
	unix.SYS_SETSID:            full(Setsid),
	unix.SYS_EXIT_GROUP:        full(ExitGroup, num),
	unix.SYS_SET_TID_ADDRESS:   full(SetTidAddress, hex),
	unix.SYS_RESTART_SYSCALL:   full(RestartSyscall),
	unix.SYS_SET_ROBUST_LIST:   full(SetRobustList, hex, num),
	unix.SYS_GET_ROBUST_LIST:   full(GetRobustList, num, hex, hex),
	unix.SYS_ARCH_PRCTL:        partial(ArchPrctl, "no ARCH_SET_CPUID", hex, hex),
	unix.SYS_PRCTL:             partial(Prctl, "NAME, NO_NEW_PRIVS, CAPBSET_READ, CHILD_SUBREAPER, DUMPABLE, PDEATHSIG (on parent process exit), TIMERSLACK, KEEPCAPS; others EINVAL", num, hex, hex, hex, hex),
	unix.SYS_EXECVE:            full(Execve, path, hex, hex),
	unix.SYS_EXECVEAT:          full(Execveat, fd, path, hex, hex, hex),
	unix.SYS_RSEQ:              full(Rseq, hex, num, hex, hex),
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
