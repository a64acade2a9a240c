package syscalls

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// Getdents64 implements Linux syscall getdents64(2).
func Getdents64(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return getdents(t, args, linux.PutDirent64)
}

// Getdents implements Linux syscall getdents(2), the legacy record format
// older C libraries use.
func Getdents(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return getdents(t, args, linux.PutDirent)
}

func getdents(t *kernel.Task, args *arch.SyscallArguments, put func([]byte, uint64, int64, uint8, string) int) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	addr, count := args.Pointer(1), uint64(args.Uint(2))
	bp := ioBuffers.Get().(*[]byte)
	defer ioBuffers.Put(bp)
	buf := (*bp)[:min(count, ioChunk)]
	n := 0
	tooSmall := false
	err = f.Getdents(t, func(d vfs.Dirent) bool {
		l := put(buf[n:], d.Ino, d.NextOff, d.Type, d.Name)
		if l == 0 {
			tooSmall = n == 0
			return false
		}
		n += l
		return true
	})
	if n == 0 {
		if err != 0 {
			return 0, err
		}
		if tooSmall {
			return 0, linux.EINVAL
		}
		return 0, 0
	}
	if cerr := t.CopyOut(addr, buf[:n]); cerr != 0 {
		return 0, cerr
	}
	return uintptr(n), 0
}

// Getcwd implements Linux syscall getcwd(2).
func Getcwd(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	addr, size := args.Pointer(0), args.SizeT(1)
	root, cwd := t.FSContext().RootAndWorkingDirectory()
	if cwd.Dentry().IsDead() {
		return 0, linux.ENOENT
	}
	path, reachable := t.Kernel().VFS().PathName(root, cwd)
	if !reachable {
		path = "(unreachable)" + path
	}
	b := append([]byte(path), 0)
	if uint(len(b)) > size {
		return 0, linux.ERANGE
	}
	if err := t.CopyOut(addr, b); err != 0 {
		return 0, err
	}
	return uintptr(len(b)), 0
}

// Chdir implements Linux syscall chdir(2).
func Chdir(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tg, err := targetAt(t, unix.AT_FDCWD, args.Pointer(0), true, false)
	if err != 0 {
		return 0, err
	}
	vd, err := t.Kernel().VFS().GetDirectoryAt(t, &tg.op)
	if err != 0 {
		return 0, err
	}
	t.FSContext().SetWorkingDirectory(vd)
	return 0, 0
}

// Fchdir implements Linux syscall fchdir(2).
func Fchdir(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	vd := f.VirtualDentry()
	if !vd.Ok() || !vd.Dentry().IsDir() {
		return 0, linux.ENOTDIR
	}
	if err := vfs.CheckPermissions(t.Credentials(), vfs.MayExec, vd.Dentry().Inode().Perms()); err != 0 {
		return 0, err
	}
	t.FSContext().SetWorkingDirectory(vd)
	return 0, 0
}

// Chroot implements Linux syscall chroot(2).
func Chroot(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	if !t.Credentials().HasCap(capSysChroot) {
		return 0, linux.EPERM
	}
	tg, err := targetAt(t, unix.AT_FDCWD, args.Pointer(0), true, false)
	if err != 0 {
		return 0, err
	}
	vd, err := t.Kernel().VFS().GetDirectoryAt(t, &tg.op)
	if err != 0 {
		return 0, err
	}
	t.FSContext().SetRootDirectory(vd)
	return 0, 0
}

// capSysChroot is CAP_SYS_CHROOT.
const capSysChroot = 18

func mkdirat(t *kernel.Task, dirfd int32, addr uintptr, mode uint32) (uintptr, linux.Errno) {
	tg, err := targetAt(t, dirfd, addr, false, false)
	if err != 0 {
		return 0, err
	}
	mode = mode & 0o1777 &^ t.FSContext().Umask()
	return 0, t.Kernel().VFS().MkdirAt(t, &tg.op, mode)
}

// Mkdir implements Linux syscall mkdir(2).
func Mkdir(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return mkdirat(t, unix.AT_FDCWD, args.Pointer(0), args.Uint(1))
}

// Mkdirat implements Linux syscall mkdirat(2).
func Mkdirat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return mkdirat(t, args.Int(0), args.Pointer(1), args.Uint(2))
}

// Rmdir implements Linux syscall rmdir(2).
func Rmdir(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	tg, err := targetAt(t, unix.AT_FDCWD, args.Pointer(0), false, false)
	if err != 0 {
		return 0, err
	}
	return 0, t.Kernel().VFS().RmdirAt(t, &tg.op)
}
