package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

// Getpid implements Linux syscall getpid(2).
func Getpid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return uintptr(t.PID()), 0
}

// Gettid implements Linux syscall gettid(2).
func Gettid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return uintptr(t.TID()), 0
}

// Getppid implements Linux syscall getppid(2).
func Getppid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return uintptr(t.PPID()), 0
}

// Getuid implements Linux syscall getuid(2).
func Getuid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return uintptr(t.Credentials().RealKUID), 0
}

// Geteuid implements Linux syscall geteuid(2).
func Geteuid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return uintptr(t.Credentials().EffectiveKUID), 0
}

// Getgid implements Linux syscall getgid(2).
func Getgid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return uintptr(t.Credentials().RealKGID), 0
}

// Getegid implements Linux syscall getegid(2).
func Getegid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return uintptr(t.Credentials().EffectiveKGID), 0
}

// Getresuid implements Linux syscall getresuid(2).
func Getresuid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	c := t.Credentials()
	return 0, copyOutIDs(t, args, uint32(c.RealKUID), uint32(c.EffectiveKUID), uint32(c.SavedKUID))
}

// Getresgid implements Linux syscall getresgid(2).
func Getresgid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	c := t.Credentials()
	return 0, copyOutIDs(t, args, uint32(c.RealKGID), uint32(c.EffectiveKGID), uint32(c.SavedKGID))
}

func copyOutIDs(t *kernel.Task, args *arch.SyscallArguments, ids ...uint32) linux.Errno {
	var b [4]byte
	for i, id := range ids {
		binary.LittleEndian.PutUint32(b[:], id)
		if errno := t.CopyOut(args.Pointer(i), b[:]); errno != 0 {
			return errno
		}
	}
	return 0
}

// Getgroups implements Linux syscall getgroups(2).
func Getgroups(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	size := args.Int(0)
	groups := t.Credentials().ExtraKGIDs
	if size < 0 {
		return 0, linux.EINVAL
	}
	if size == 0 {
		return uintptr(len(groups)), 0
	}
	if int(size) < len(groups) {
		return 0, linux.EINVAL
	}
	b := make([]byte, 4*len(groups))
	for i, g := range groups {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(g))
	}
	return uintptr(len(groups)), t.CopyOut(args.Pointer(1), b)
}

// Uname implements Linux syscall uname(2).
func Uname(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	var host unix.Utsname
	if err := unix.Uname(&host); err != nil {
		return 0, linux.FromHost(err)
	}
	// struct utsname: six fields of 65 bytes.
	var b [6 * 65]byte
	put := func(i int, s string) {
		if len(s) > 64 {
			s = s[:64]
		}
		copy(b[65*i:], s)
	}
	put(0, "Linux")
	put(1, t.Kernel().Hostname())
	// The sandbox reports the host kernel's release: the ABI Moat emulates
	// follows current Linux, and programs gate features on it.
	put(2, unix.ByteSliceToString(host.Release[:]))
	put(3, unix.ByteSliceToString(host.Version[:]))
	machine := "x86_64"
	if t.ThreadGroup().Personality()&kernel.PerMask == kernel.PerLinux32 {
		machine = "i686" // as Linux's override_architecture
	}
	put(4, machine)
	put(5, t.Kernel().Domainname())
	return 0, t.CopyOut(args.Pointer(0), b[:])
}

// Getrandom implements Linux syscall getrandom(2).
func Getrandom(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	addr, n, flags := args.Pointer(0), args.SizeT(1), args.Uint(2)
	if flags&^(unix.GRND_NONBLOCK|unix.GRND_RANDOM|unix.GRND_INSECURE) != 0 ||
		flags&(unix.GRND_RANDOM|unix.GRND_INSECURE) == unix.GRND_RANDOM|unix.GRND_INSECURE {
		return 0, linux.EINVAL
	}
	// Linux returns at most 32 MiB - 1 per call; chunk the copy.
	n = min(n, 33554431)
	buf := make([]byte, min(n, 64<<10))
	done := uint(0)
	for done < n {
		c := min(uint(len(buf)), n-done)
		if _, err := unix.Getrandom(buf[:c], 0); err != nil {
			return 0, linux.FromHost(err)
		}
		if errno := t.CopyOut(addr+uintptr(done), buf[:c]); errno != 0 {
			if done > 0 {
				return uintptr(done), 0
			}
			return 0, errno
		}
		done += c
	}
	return uintptr(done), 0
}
