package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// setStatTarget applies opts to a target.
func setStatTarget(t *kernel.Task, tg *target, opts *vfs.SetStatOptions) linux.Errno {
	if tg.file != nil {
		return tg.file.SetStat(t, opts)
	}
	return t.Kernel().VFS().SetStatAt(t, &tg.op, opts)
}

// setStatAt resolves (dirfd, path) and applies opts.
func setStatAt(t *kernel.Task, dirfd int32, addr uintptr, follow, emptyOK bool, opts *vfs.SetStatOptions) (uintptr, linux.Errno) {
	tg, err := targetAt(t, dirfd, addr, follow, emptyOK)
	if err != 0 {
		return 0, err
	}
	defer tg.release()
	return 0, setStatTarget(t, &tg, opts)
}

// setStatFD applies opts to an open file.
func setStatFD(t *kernel.Task, fd int32, opts *vfs.SetStatOptions) (uintptr, linux.Errno) {
	f, err := getFile(t, fd)
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	return 0, f.SetStat(t, opts)
}

func chmodOpts(mode uint32) *vfs.SetStatOptions {
	return &vfs.SetStatOptions{Mask: linux.STATX_MODE, Mode: mode & 07777}
}

// Chmod implements Linux syscall chmod(2).
func Chmod(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return setStatAt(t, unix.AT_FDCWD, args.Pointer(0), true, false, chmodOpts(args.Uint(1)))
}

// Fchmod implements Linux syscall fchmod(2).
func Fchmod(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return setStatFD(t, args.Int(0), chmodOpts(args.Uint(1)))
}

// Fchmodat implements Linux syscall fchmodat(2).
func Fchmodat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return setStatAt(t, args.Int(0), args.Pointer(1), true, false, chmodOpts(args.Uint(2)))
}

// Fchmodat2 implements Linux syscall fchmodat2(2): fchmodat with flags.
// Symlinks have no mode of their own: AT_SYMLINK_NOFOLLOW on one is
// EOPNOTSUPP, as on Linux.
func Fchmodat2(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	flags := args.Uint(3)
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	tg, err := targetAt(t, args.Int(0), args.Pointer(1), flags&unix.AT_SYMLINK_NOFOLLOW == 0, flags&unix.AT_EMPTY_PATH != 0)
	if err != 0 {
		return 0, err
	}
	defer tg.release()
	if tg.file == nil && flags&unix.AT_SYMLINK_NOFOLLOW != 0 {
		vd, err := t.Kernel().VFS().GetDentryAt(t, &tg.op)
		if err != 0 {
			return 0, err
		}
		if vd.Dentry().IsSymlink() {
			return 0, linux.EOPNOTSUPP
		}
	}
	return 0, setStatTarget(t, &tg, chmodOpts(args.Uint(2)))
}

func chownOpts(uid, gid uint32) *vfs.SetStatOptions {
	o := &vfs.SetStatOptions{}
	if uid != auth.NoID {
		o.Mask |= linux.STATX_UID
		o.UID = auth.KUID(uid)
	}
	if gid != auth.NoID {
		o.Mask |= linux.STATX_GID
		o.GID = auth.KGID(gid)
	}
	return o
}

// Chown implements Linux syscall chown(2).
func Chown(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return setStatAt(t, unix.AT_FDCWD, args.Pointer(0), true, false, chownOpts(args.Uint(1), args.Uint(2)))
}

// Lchown implements Linux syscall lchown(2).
func Lchown(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return setStatAt(t, unix.AT_FDCWD, args.Pointer(0), false, false, chownOpts(args.Uint(1), args.Uint(2)))
}

// Fchown implements Linux syscall fchown(2).
func Fchown(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return setStatFD(t, args.Int(0), chownOpts(args.Uint(1), args.Uint(2)))
}

// Fchownat implements Linux syscall fchownat(2).
func Fchownat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	flags := args.Uint(4)
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	return setStatAt(t, args.Int(0), args.Pointer(1), flags&unix.AT_SYMLINK_NOFOLLOW == 0,
		flags&unix.AT_EMPTY_PATH != 0, chownOpts(args.Uint(2), args.Uint(3)))
}

// nowTimes returns options setting both times to now.
func nowTimes() *vfs.SetStatOptions {
	return &vfs.SetStatOptions{
		Mask:  linux.STATX_ATIME | linux.STATX_MTIME,
		Atime: linux.StatxTimestamp{Nsec: vfs.UtimeNow},
		Mtime: linux.StatxTimestamp{Nsec: vfs.UtimeNow},
	}
}

// timesFromTimespecs decodes utimensat's struct timespec[2].
func timesFromTimespecs(t *kernel.Task, addr uintptr) (*vfs.SetStatOptions, linux.Errno) {
	if addr == 0 {
		return nowTimes(), 0
	}
	var b [32]byte
	if err := t.CopyIn(addr, b[:]); err != 0 {
		return nil, err
	}
	o := &vfs.SetStatOptions{}
	for i, bit := range []uint32{linux.STATX_ATIME, linux.STATX_MTIME} {
		sec := int64(binary.LittleEndian.Uint64(b[16*i:]))
		nsec := int64(binary.LittleEndian.Uint64(b[16*i+8:]))
		switch {
		case nsec == vfs.UtimeOmit:
			continue
		case nsec == vfs.UtimeNow:
			sec = 0
		case nsec < 0 || nsec >= 1e9:
			return nil, linux.EINVAL
		}
		ts := linux.StatxTimestamp{Sec: sec, Nsec: uint32(nsec)}
		o.Mask |= bit
		if i == 0 {
			o.Atime = ts
		} else {
			o.Mtime = ts
		}
	}
	return o, 0
}

// timesFromTimevals decodes utimes' struct timeval[2].
func timesFromTimevals(t *kernel.Task, addr uintptr) (*vfs.SetStatOptions, linux.Errno) {
	if addr == 0 {
		return nowTimes(), 0
	}
	var b [32]byte
	if err := t.CopyIn(addr, b[:]); err != 0 {
		return nil, err
	}
	o := &vfs.SetStatOptions{Mask: linux.STATX_ATIME | linux.STATX_MTIME}
	for i := 0; i < 2; i++ {
		sec := int64(binary.LittleEndian.Uint64(b[16*i:]))
		usec := int64(binary.LittleEndian.Uint64(b[16*i+8:]))
		if usec < 0 || usec >= 1e6 {
			return nil, linux.EINVAL
		}
		ts := linux.StatxTimestamp{Sec: sec, Nsec: uint32(usec * 1000)}
		if i == 0 {
			o.Atime = ts
		} else {
			o.Mtime = ts
		}
	}
	return o, 0
}

// Utimensat implements Linux syscall utimensat(2).
func Utimensat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	dirfd, pathAddr, timesAddr, flags := args.Int(0), args.Pointer(1), args.Pointer(2), args.Uint(3)
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	opts, err := timesFromTimespecs(t, timesAddr)
	if err != 0 {
		return 0, err
	}
	if pathAddr == 0 {
		// futimens: the file dirfd refers to.
		if dirfd == unix.AT_FDCWD {
			return 0, linux.EFAULT
		}
		if opts.Mask == 0 {
			f, err := getFile(t, dirfd)
			if err == 0 {
				f.DecRef()
			}
			return 0, err
		}
		return setStatFD(t, dirfd, opts)
	}
	tg, err := targetAt(t, dirfd, pathAddr, flags&unix.AT_SYMLINK_NOFOLLOW == 0, flags&unix.AT_EMPTY_PATH != 0)
	if err != 0 {
		return 0, err
	}
	defer tg.release()
	if opts.Mask == 0 {
		_, err := statTarget(t, &tg, 0)
		return 0, err
	}
	return 0, setStatTarget(t, &tg, opts)
}

// Utimes implements Linux syscall utimes(2).
func Utimes(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	opts, err := timesFromTimevals(t, args.Pointer(1))
	if err != 0 {
		return 0, err
	}
	return setStatAt(t, unix.AT_FDCWD, args.Pointer(0), true, false, opts)
}

// Futimesat implements Linux syscall futimesat(2).
func Futimesat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	opts, err := timesFromTimevals(t, args.Pointer(2))
	if err != 0 {
		return 0, err
	}
	if args.Pointer(1) == 0 {
		return setStatFD(t, args.Int(0), opts)
	}
	return setStatAt(t, args.Int(0), args.Pointer(1), true, false, opts)
}

// Utime implements Linux syscall utime(2).
func Utime(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	opts := nowTimes()
	if addr := args.Pointer(1); addr != 0 {
		var b [16]byte
		if err := t.CopyIn(addr, b[:]); err != 0 {
			return 0, err
		}
		opts.Atime = linux.StatxTimestamp{Sec: int64(binary.LittleEndian.Uint64(b[0:]))}
		opts.Mtime = linux.StatxTimestamp{Sec: int64(binary.LittleEndian.Uint64(b[8:]))}
	}
	return setStatAt(t, unix.AT_FDCWD, args.Pointer(0), true, false, opts)
}
