package boot

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"moat/internal/seccomp"
)

// lastCapability bounds the capability numbers dropped from the bounding
// set (PR_CAPBSET_DROP fails with EINVAL past the kernel's last one).
const lastCapability = 63

// DropBoundingSet empties the capability bounding set of every thread. The
// sandbox keeps its own permitted capabilities for the rest of its set-up,
// but no program it executes from now on (the stub zygote) gets any.
func DropBoundingSet() error {
	for c := 0; c <= lastCapability; c++ {
		_, _, e := syscall.AllThreadsSyscall(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, uintptr(c), 0)
		if e == unix.EINVAL {
			break // past the last capability this kernel knows
		}
		if e != 0 {
			return fmt.Errorf("dropping capability %d from the bounding set: %w", c, e)
		}
	}
	return nil
}

// Confine locks the sandbox process down before any application code
// runs: its root becomes an empty read-only tmpfs (no host path is
// reachable), every thread loses every capability and gains no_new_privs,
// and a seccomp allow-list limits the host system calls it can make
// (docs/security.md lists each one and why).
//
// Preconditions:
//   - Everything that needs a host path (the stub zygote, /proc snapshots,
//     log files, the gofer connection) is set up already.
func Confine() error {
	if err := pivotToEmptyRoot(); err != nil {
		return err
	}
	if err := dropCapabilities(); err != nil {
		return err
	}
	if err := SentryFilter().Load(); err != nil {
		return fmt.Errorf("installing the sentry's seccomp filter: %w", err)
	}
	return nil
}

// pivotToEmptyRoot makes an empty, read-only tmpfs the process's root. The
// mount namespace is the sandbox's own (and private), so nothing leaks to
// the host.
func pivotToEmptyRoot() error {
	dir := ""
	for _, d := range []string{"/tmp", "/run", "/mnt", "/var/tmp", "/dev"} {
		if st, err := os.Lstat(d); err == nil && st.IsDir() {
			dir = d
			break
		}
	}
	if dir == "" {
		return fmt.Errorf("no directory to stage the sandbox root on")
	}
	if err := unix.Mount("moat-root", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=0555,size=4k,nr_inodes=8"); err != nil {
		return fmt.Errorf("mounting the empty root on %s: %w", dir, err)
	}
	if err := unix.Chdir(dir); err != nil {
		return fmt.Errorf("entering %s: %w", dir, err)
	}
	// pivot_root(".", ".") stacks the old root under the new one; detaching
	// "." then leaves only the new root.
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root into the empty root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detaching the old root: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return err
	}
	if err := unix.Mount("", "/", "", unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("making the empty root read-only: %w", err)
	}
	// Every thread shares the process's root (CLONE_FS), so all of them
	// now see only the empty tmpfs.
	return nil
}

// dropCapabilities clears the permitted, effective and inheritable sets of
// every thread.
func dropCapabilities() error {
	hdr := &unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := &[2]unix.CapUserData{}
	// SAFETY: hdr and data are heap objects kept alive across the call;
	// every thread's capset reads them before AllThreadsSyscall returns.
	_, _, e := syscall.AllThreadsSyscall(unix.SYS_CAPSET, uintptr(unsafe.Pointer(hdr)), uintptr(unsafe.Pointer(data)), 0)
	runtime.KeepAlive(hdr)
	runtime.KeepAlive(data)
	if e != 0 {
		return fmt.Errorf("dropping capabilities: %w", e)
	}
	if _, _, e := syscall.AllThreadsSyscall(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0); e != 0 {
		return fmt.Errorf("setting no_new_privs: %w", e)
	}
	return nil
}

// hostTTYIoctls are the terminal ioctls the sentry forwards to a host
// terminal given as stdio (sentry/fs/host).
var hostTTYIoctls = []uint64{
	unix.TCGETS, unix.TCSETS, unix.TCSETSW, unix.TCSETSF,
	unix.TIOCGWINSZ, unix.TIOCSWINSZ, unix.TIOCGPGRP, unix.TIOCSPGRP,
}

// SentryFilter is the seccomp allow-list of the sandbox process once it is
// confined. A call outside it fails with EPERM: the host never runs it.
// docs/security.md gives the reason for each entry.
func SentryFilter() *seccomp.Filter {
	f := seccomp.New(seccomp.Errno(unix.EPERM)).AllowGoRuntime()
	f.Allow(
		// Driving stubs: the platform.
		unix.SYS_PTRACE,
		unix.SYS_WAIT4,
		unix.SYS_KILL,
		unix.SYS_PROCESS_VM_READV,
		unix.SYS_PROCESS_VM_WRITEV,
		unix.SYS_SCHED_SETAFFINITY,
		unix.SYS_GETCPU,
		unix.SYS_SETPRIORITY,
		// File data the sentry holds: tmpfs memfds, gofer-donated fds,
		// the container's stdio.
		unix.SYS_MEMFD_CREATE,
		unix.SYS_FTRUNCATE,
		unix.SYS_FALLOCATE,
		unix.SYS_PWRITE64,
		unix.SYS_READV,
		unix.SYS_WRITEV,
		unix.SYS_PREADV,
		unix.SYS_PWRITEV,
		unix.SYS_LSEEK,
		unix.SYS_FSTAT,
		unix.SYS_FSYNC,
		unix.SYS_FDATASYNC,
		unix.SYS_DUP,
		unix.SYS_POLL,
		unix.SYS_PPOLL,
		// The gofer protocol and the stubs' fd channel.
		unix.SYS_SENDMSG,
		unix.SYS_RECVMSG,
		unix.SYS_SHUTDOWN,
		// Facts the sandbox reports about its machine.
		unix.SYS_UNAME,
		unix.SYS_SYSINFO,
		unix.SYS_CLOCK_GETRES,
	)
	var rules []seccomp.Rule
	for _, req := range hostTTYIoctls {
		rules = append(rules, seccomp.Rule{seccomp.ArgEq(1, req)})
	}
	f.AllowIf(unix.SYS_IOCTL, rules...)
	return f
}
