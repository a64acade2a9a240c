package syscalls

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// statTarget returns the attributes of a target.
func statTarget(t *kernel.Task, tg *target, mask uint32) (linux.Statx, linux.Errno) {
	if tg.file != nil {
		return tg.file.Stat(t, mask)
	}
	return t.Kernel().VFS().StatAt(t, &tg.op, mask)
}

// copyOutStat writes st as a struct stat at addr.
func copyOutStat(t *kernel.Task, addr uintptr, st *linux.Statx) linux.Errno {
	var s linux.Stat
	st.ToStat(&s)
	var b [linux.SizeofStat]byte
	s.MarshalBytes(b[:])
	return t.CopyOut(addr, b[:])
}

// Fstat implements Linux syscall fstat(2).
func Fstat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	st, err := f.Stat(t, linux.STATX_BASIC_STATS)
	if err != 0 {
		return 0, err
	}
	return 0, copyOutStat(t, args.Pointer(1), &st)
}

func statAt(t *kernel.Task, dirfd int32, pathAddr, statAddr uintptr, flags uint32) (uintptr, linux.Errno) {
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH|unix.AT_NO_AUTOMOUNT) != 0 {
		return 0, linux.EINVAL
	}
	tg, err := targetAt(t, dirfd, pathAddr, flags&unix.AT_SYMLINK_NOFOLLOW == 0, flags&unix.AT_EMPTY_PATH != 0)
	if err != 0 {
		return 0, err
	}
	defer tg.release()
	st, err := statTarget(t, &tg, linux.STATX_BASIC_STATS)
	if err != 0 {
		return 0, err
	}
	return 0, copyOutStat(t, statAddr, &st)
}

// Stat implements Linux syscall stat(2).
func Stat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return statAt(t, unix.AT_FDCWD, args.Pointer(0), args.Pointer(1), 0)
}

// Lstat implements Linux syscall lstat(2).
func Lstat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return statAt(t, unix.AT_FDCWD, args.Pointer(0), args.Pointer(1), unix.AT_SYMLINK_NOFOLLOW)
}

// Newfstatat implements Linux syscall newfstatat(2).
func Newfstatat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return statAt(t, args.Int(0), args.Pointer(1), args.Pointer(2), args.Uint(3))
}

// Statx implements Linux syscall statx(2).
func Statx(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	dirfd, pathAddr, flags, mask, addr := args.Int(0), args.Pointer(1), args.Uint(2), args.Uint(3), args.Pointer(4)
	const syncType = unix.AT_STATX_FORCE_SYNC | unix.AT_STATX_DONT_SYNC
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH|unix.AT_NO_AUTOMOUNT|syncType) != 0 ||
		flags&syncType == syncType || mask&linux.STATX__RESERVED != 0 {
		return 0, linux.EINVAL
	}
	tg, err := targetAt(t, dirfd, pathAddr, flags&unix.AT_SYMLINK_NOFOLLOW == 0, flags&unix.AT_EMPTY_PATH != 0)
	if err != 0 {
		return 0, err
	}
	defer tg.release()
	st, err := statTarget(t, &tg, mask)
	if err != 0 {
		return 0, err
	}
	var b [linux.SizeofStatx]byte
	st.MarshalBytes(b[:])
	return 0, t.CopyOut(addr, b[:])
}

// copyOutStatfs writes st as a struct statfs at addr.
func copyOutStatfs(t *kernel.Task, addr uintptr, st *linux.Statfs) linux.Errno {
	var b [linux.SizeofStatfs]byte
	st.MarshalBytes(b[:])
	return t.CopyOut(addr, b[:])
}

// Statfs implements Linux syscall statfs(2).
func Statfs(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tg, err := targetAt(t, unix.AT_FDCWD, args.Pointer(0), true, false)
	if err != 0 {
		return 0, err
	}
	st, err := t.Kernel().VFS().StatFSAt(t, &tg.op)
	if err != 0 {
		return 0, err
	}
	return 0, copyOutStatfs(t, args.Pointer(1), &st)
}

// Fstatfs implements Linux syscall fstatfs(2).
func Fstatfs(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	var st linux.Statfs
	if vd := f.VirtualDentry(); vd.Ok() {
		st, err = vfs.StatFSVirtualDentry(t, vd)
		if err != 0 {
			return 0, err
		}
	} else {
		// Pipes, sockets and host fds live on no sandbox file system.
		st = linux.Statfs{Type: linux.ANON_INODE_FS_MAGIC, Bsize: 4096, Frsize: 4096, Namelen: vfs.NameMax, Flags: 0x20}
	}
	return 0, copyOutStatfs(t, args.Pointer(1), &st)
}

// accessCtx is a vfs.Context with the credentials access(2) checks with.
type accessCtx struct{ creds *auth.Credentials }

// Credentials implements vfs.Context.Credentials.
func (c accessCtx) Credentials() *auth.Credentials { return c.creds }

// accessCredentials returns the real-ID credentials access(2) uses: the
// real uid and gid, and no capabilities unless the real uid is root.
func accessCredentials(c *auth.Credentials) *auth.Credentials {
	n := c.Fork()
	n.FSUID, n.FSGID = c.RealKUID, c.RealKGID
	if c.RealKUID != 0 {
		n.EffectiveCaps = 0
	} else {
		n.EffectiveCaps = c.PermittedCaps
	}
	return n
}

func faccessat(t *kernel.Task, dirfd int32, pathAddr uintptr, mode, flags uint32) (uintptr, linux.Errno) {
	if mode&^7 != 0 || flags&^(unix.AT_EACCESS|unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	var ctx vfs.Context = t
	if flags&unix.AT_EACCESS == 0 {
		ctx = accessCtx{accessCredentials(t.Credentials())}
	}
	tg, err := targetAt(t, dirfd, pathAddr, flags&unix.AT_SYMLINK_NOFOLLOW == 0, flags&unix.AT_EMPTY_PATH != 0)
	if err != 0 {
		return 0, err
	}
	defer tg.release()
	if tg.file != nil {
		vd := tg.file.VirtualDentry()
		if !vd.Ok() {
			return 0, 0
		}
		return 0, vfs.AccessVirtualDentry(ctx, vd, mode)
	}
	return 0, t.Kernel().VFS().AccessAt(ctx, &tg.op, mode)
}

// Access implements Linux syscall access(2).
func Access(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return faccessat(t, unix.AT_FDCWD, args.Pointer(0), args.Uint(1), 0)
}

// Faccessat implements Linux syscall faccessat(2).
func Faccessat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return faccessat(t, args.Int(0), args.Pointer(1), args.Uint(2), 0)
}

// Faccessat2 implements Linux syscall faccessat2(2).
func Faccessat2(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return faccessat(t, args.Int(0), args.Pointer(1), args.Uint(2), args.Uint(3))
}
