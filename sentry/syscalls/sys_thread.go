package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/kernel"
)

// Exit implements Linux syscall exit(2): only the calling thread ends.
func Exit(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	t.ExitThread(int(args.Int(0)))
	return 0, 0
}

// ExitGroup implements Linux syscall exit_group(2).
func ExitGroup(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	t.ExitGroup(int(args.Int(0)))
	return 0, 0
}

// SetTidAddress implements Linux syscall set_tid_address(2).
func SetTidAddress(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	t.SetClearChildTID(args.Pointer(0))
	return uintptr(t.TID()), 0
}

// robustListHeadSize is sizeof(struct robust_list_head) on x86-64.
const robustListHeadSize = 24

// SetRobustList implements Linux syscall set_robust_list(2).
func SetRobustList(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	if args.SizeT(1) != robustListHeadSize {
		return 0, linux.EINVAL
	}
	t.SetRobustList(args.Pointer(0), robustListHeadSize)
	return 0, 0
}

// GetRobustList implements Linux syscall get_robust_list(2).
func GetRobustList(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	pid := args.Int(0)
	target := t
	if pid != 0 {
		target = t.PIDNamespace().TaskWithID(pid)
		if target == nil {
			return 0, linux.ESRCH
		}
	}
	head, length := target.RobustList()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(head))
	if errno := t.CopyOut(args.Pointer(1), b[:]); errno != 0 {
		return 0, errno
	}
	binary.LittleEndian.PutUint64(b[:], uint64(length))
	return 0, t.CopyOut(args.Pointer(2), b[:])
}

// arch_prctl codes.
const (
	archSetGS    = 0x1001
	archSetFS    = 0x1002
	archGetFS    = 0x1003
	archGetGS    = 0x1004
	archGetCPUID = 0x1011
	archSetCPUID = 0x1012
)

// ArchPrctl implements Linux syscall arch_prctl(2).
func ArchPrctl(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	regs := t.Regs()
	code, addr := args.Int(0), args.Pointer(1)
	switch code {
	case archSetFS, archSetGS:
		if addr >= arch.MaxUserAddress {
			return 0, linux.EPERM
		}
		if code == archSetFS {
			regs.Fs_base = uint64(addr)
		} else {
			regs.Gs_base = uint64(addr)
		}
		return 0, 0
	case archGetFS, archGetGS:
		v := regs.Fs_base
		if code == archGetGS {
			v = regs.Gs_base
		}
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		return 0, t.CopyOut(addr, b[:])
	case archGetCPUID:
		// CPUID is not faulting in the sandbox.
		return 1, 0
	case archSetCPUID:
		// TODO(#4): CPUID faulting is not offered.
		return 0, linux.ENODEV
	}
	return 0, linux.EINVAL
}

// Prctl implements Linux syscall prctl(2) for the options processes use
// about themselves.
func Prctl(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	switch option := args.Int(0); option {
	case unix.PR_SET_NAME:
		name, errno := t.CopyInString(args.Pointer(1), 4096)
		if errno == linux.ENAMETOOLONG {
			// Linux copies at most 16 bytes and truncates.
			var b [16]byte
			if errno := t.CopyIn(args.Pointer(1), b[:15]); errno != 0 {
				return 0, errno
			}
			name, errno = string(b[:15]), 0
		}
		if errno != 0 {
			return 0, errno
		}
		t.SetName(name)
		t.MM().ShowThreadName(name) // the host's ps sees it too
		return 0, 0
	case unix.PR_GET_NAME:
		var b [16]byte
		copy(b[:15], t.Name())
		return 0, t.CopyOut(args.Pointer(1), b[:])
	case unix.PR_SET_NO_NEW_PRIVS:
		if args.Uint64(1) != 1 || args.Uint64(2) != 0 || args.Uint64(3) != 0 || args.Uint64(4) != 0 {
			return 0, linux.EINVAL
		}
		c := t.Credentials().Fork()
		c.NoNewPrivs = true
		t.SetCredentials(c)
		return 0, 0
	case unix.PR_GET_NO_NEW_PRIVS:
		if t.Credentials().NoNewPrivs {
			return 1, 0
		}
		return 0, 0
	case unix.PR_GET_SECUREBITS:
		return 0, 0
	case unix.PR_CAPBSET_READ:
		cp := int(args.Int(1))
		if cp < 0 || cp > auth.CapLastCap {
			return 0, linux.EINVAL
		}
		if t.Credentials().BoundingCaps.Has(cp) {
			return 1, 0
		}
		return 0, 0
	case unix.PR_GET_DUMPABLE:
		return uintptr(t.ThreadGroup().Dumpable()), 0
	case unix.PR_SET_DUMPABLE:
		v := args.Uint64(1)
		if v > 1 {
			return 0, linux.EINVAL
		}
		t.ThreadGroup().SetDumpable(int(v))
		return 0, 0
	case unix.PR_SET_PDEATHSIG:
		sig := args.Uint64(1)
		if sig > linux.NumSignals {
			return 0, linux.EINVAL
		}
		t.SetPdeathSignal(int(sig))
		return 0, 0
	case unix.PR_GET_PDEATHSIG:
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], uint32(t.PdeathSignal()))
		return 0, t.CopyOut(args.Pointer(1), b[:])
	case unix.PR_SET_TIMERSLACK:
		t.SetTimerSlack(args.Uint64(1))
		return 0, 0
	case unix.PR_GET_TIMERSLACK:
		return uintptr(t.TimerSlack()), 0
	case unix.PR_SET_KEEPCAPS:
		v := args.Uint64(1)
		if v > 1 {
			return 0, linux.EINVAL
		}
		t.SetKeepCaps(v == 1)
		return 0, 0
	case unix.PR_GET_KEEPCAPS:
		if t.KeepCaps() {
			return 1, 0
		}
		return 0, 0
	case unix.PR_SET_CHILD_SUBREAPER:
		t.ThreadGroup().SetSubreaper(args.Uint64(1) != 0)
		return 0, 0
	case unix.PR_GET_CHILD_SUBREAPER:
		var b [4]byte
		if t.ThreadGroup().Subreaper() {
			b[0] = 1
		}
		return 0, t.CopyOut(args.Pointer(1), b[:])
	}
	// Other options are not implemented.
	return 0, linux.EINVAL
}

// maxArgStrings bounds argv/envp entries, as Linux's MAX_ARG_STRINGS.
const maxArgStrings = 0x7fffffff

// maxArgBytes bounds the total size of argv and envp strings.
const maxArgBytes = 2 << 20

// copyInStringVector reads a NULL-terminated array of string pointers.
func copyInStringVector(t *kernel.Task, addr uintptr, total *int) ([]string, linux.Errno) {
	var out []string
	if addr == 0 {
		return nil, 0
	}
	var b [8]byte
	for {
		if errno := t.CopyIn(addr, b[:]); errno != 0 {
			return nil, errno
		}
		p := uintptr(binary.LittleEndian.Uint64(b[:]))
		if p == 0 {
			return out, 0
		}
		s, errno := t.CopyInString(p, 128<<10)
		if errno == linux.ENAMETOOLONG {
			return nil, linux.E2BIG
		}
		if errno != 0 {
			return nil, errno
		}
		*total += len(s) + 1
		if *total > maxArgBytes || len(out) >= maxArgStrings {
			return nil, linux.E2BIG
		}
		out = append(out, s)
		addr += 8
	}
}

// Execve implements Linux syscall execve(2).
func Execve(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	path, errno := t.CopyInString(args.Pointer(0), unix.PathMax-1)
	if errno != 0 {
		return 0, errno
	}
	total := 0
	argv, errno := copyInStringVector(t, args.Pointer(1), &total)
	if errno != 0 {
		return 0, errno
	}
	envv, errno := copyInStringVector(t, args.Pointer(2), &total)
	if errno != 0 {
		return 0, errno
	}
	return 0, t.Execve(path, argv, envv)
}

// Rseq implements Linux syscall rseq(2).
func Rseq(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, t.Rseq(args.Pointer(0), args.Uint(1), int(args.Int(2)), args.Uint(3))
}

// Execveat implements Linux syscall execveat(2).
func Execveat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	dirfd, flags := args.Int(0), int(args.Int(4))
	if flags&^(unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW) != 0 {
		return 0, linux.EINVAL
	}
	path, errno := t.CopyInString(args.Pointer(1), unix.PathMax-1)
	if errno != 0 {
		return 0, errno
	}
	total := 0
	argv, errno := copyInStringVector(t, args.Pointer(2), &total)
	if errno != 0 {
		return 0, errno
	}
	envv, errno := copyInStringVector(t, args.Pointer(3), &total)
	if errno != 0 {
		return 0, errno
	}
	return 0, t.Execveat(dirfd, path, flags, argv, envv)
}
