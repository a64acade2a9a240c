package syscalls

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

func unlinkat(t *kernel.Task, dirfd int32, addr uintptr, flags uint32) (uintptr, linux.Errno) {
	if flags&^unix.AT_REMOVEDIR != 0 {
		return 0, linux.EINVAL
	}
	tg, err := targetAt(t, dirfd, addr, false, false)
	if err != 0 {
		return 0, err
	}
	if flags&unix.AT_REMOVEDIR != 0 {
		return 0, t.Kernel().VFS().RmdirAt(t, &tg.op)
	}
	return 0, t.Kernel().VFS().UnlinkAt(t, &tg.op)
}

// Unlink implements Linux syscall unlink(2).
func Unlink(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return unlinkat(t, unix.AT_FDCWD, args.Pointer(0), 0)
}

// Unlinkat implements Linux syscall unlinkat(2).
func Unlinkat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return unlinkat(t, args.Int(0), args.Pointer(1), args.Uint(2))
}

func renameat(t *kernel.Task, olddirfd int32, oldAddr uintptr, newdirfd int32, newAddr uintptr, flags uint32) (uintptr, linux.Errno) {
	oldTg, err := targetAt(t, olddirfd, oldAddr, false, false)
	if err != 0 {
		return 0, err
	}
	newTg, err := targetAt(t, newdirfd, newAddr, false, false)
	if err != 0 {
		return 0, err
	}
	return 0, t.Kernel().VFS().RenameAt(t, &oldTg.op, &newTg.op, flags)
}

// Rename implements Linux syscall rename(2).
func Rename(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return renameat(t, unix.AT_FDCWD, args.Pointer(0), unix.AT_FDCWD, args.Pointer(1), 0)
}

// Renameat implements Linux syscall renameat(2).
func Renameat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return renameat(t, args.Int(0), args.Pointer(1), args.Int(2), args.Pointer(3), 0)
}

// Renameat2 implements Linux syscall renameat2(2) (RENAME_NOREPLACE and
// RENAME_EXCHANGE; RENAME_WHITEOUT is EINVAL).
func Renameat2(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return renameat(t, args.Int(0), args.Pointer(1), args.Int(2), args.Pointer(3), args.Uint(4))
}

func symlinkat(t *kernel.Task, targetAddr uintptr, dirfd int32, linkAddr uintptr) (uintptr, linux.Errno) {
	target, err := copyInPath(t, targetAddr)
	if err != 0 {
		return 0, err
	}
	tg, err := targetAt(t, dirfd, linkAddr, false, false)
	if err != 0 {
		return 0, err
	}
	return 0, t.Kernel().VFS().SymlinkAt(t, &tg.op, target)
}

// Symlink implements Linux syscall symlink(2).
func Symlink(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return symlinkat(t, args.Pointer(0), unix.AT_FDCWD, args.Pointer(1))
}

// Symlinkat implements Linux syscall symlinkat(2).
func Symlinkat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return symlinkat(t, args.Pointer(0), args.Int(1), args.Pointer(2))
}

func linkat(t *kernel.Task, olddirfd int32, oldAddr uintptr, newdirfd int32, newAddr uintptr, flags uint32) (uintptr, linux.Errno) {
	if flags&^(unix.AT_SYMLINK_FOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	emptyOK := flags&unix.AT_EMPTY_PATH != 0
	if emptyOK && !t.Credentials().HasCap(auth.CapDacReadSearch) {
		// Linux answers ENOENT here, as if AT_EMPTY_PATH were not given.
		emptyOK = false
	}
	oldTg, err := targetAt(t, olddirfd, oldAddr, flags&unix.AT_SYMLINK_FOLLOW != 0, emptyOK)
	if err != 0 {
		return 0, err
	}
	defer oldTg.release()
	newTg, err := targetAt(t, newdirfd, newAddr, false, false)
	if err != 0 {
		return 0, err
	}
	v := t.Kernel().VFS()
	if oldTg.file != nil {
		vd := oldTg.file.VirtualDentry()
		if !vd.Ok() {
			return 0, linux.ENOENT
		}
		return 0, v.LinkVirtualDentry(t, vd, &newTg.op)
	}
	return 0, v.LinkAt(t, &oldTg.op, &newTg.op)
}

// Link implements Linux syscall link(2).
func Link(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return linkat(t, unix.AT_FDCWD, args.Pointer(0), unix.AT_FDCWD, args.Pointer(1), 0)
}

// Linkat implements Linux syscall linkat(2).
func Linkat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return linkat(t, args.Int(0), args.Pointer(1), args.Int(2), args.Pointer(3), args.Uint(4))
}

func readlinkat(t *kernel.Task, dirfd int32, pathAddr, bufAddr uintptr, size int32) (uintptr, linux.Errno) {
	if size <= 0 {
		return 0, linux.EINVAL
	}
	tg, err := targetAt(t, dirfd, pathAddr, false, true)
	if err != 0 {
		return 0, err
	}
	defer tg.release()
	var target string
	if tg.file != nil {
		vd := tg.file.VirtualDentry()
		if !vd.Ok() {
			return 0, linux.ENOENT
		}
		if !vd.Dentry().IsSymlink() {
			return 0, linux.ENOENT
		}
		target, err = vfs.ReadlinkVirtualDentry(t, vd)
	} else {
		target, err = t.Kernel().VFS().ReadlinkAt(t, &tg.op)
	}
	if err != 0 {
		return 0, err
	}
	b := []byte(target)
	if len(b) > int(size) {
		b = b[:size]
	}
	if err := t.CopyOut(bufAddr, b); err != 0 {
		return 0, err
	}
	return uintptr(len(b)), 0
}

// Readlink implements Linux syscall readlink(2).
func Readlink(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return readlinkat(t, unix.AT_FDCWD, args.Pointer(0), args.Pointer(1), args.Int(2))
}

// Readlinkat implements Linux syscall readlinkat(2).
func Readlinkat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return readlinkat(t, args.Int(0), args.Pointer(1), args.Pointer(2), args.Int(3))
}

func mknodat(t *kernel.Task, dirfd int32, addr uintptr, mode uint32, dev uint32) (uintptr, linux.Errno) {
	tg, err := targetAt(t, dirfd, addr, false, false)
	if err != 0 {
		return 0, err
	}
	mode = mode&unix.S_IFMT | mode&07777&^t.FSContext().Umask()
	return 0, t.Kernel().VFS().MknodAt(t, &tg.op, mode, uint64(dev))
}

// Mknod implements Linux syscall mknod(2).
func Mknod(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return mknodat(t, unix.AT_FDCWD, args.Pointer(0), args.Uint(1), args.Uint(2))
}

// Mknodat implements Linux syscall mknodat(2).
func Mknodat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return mknodat(t, args.Int(0), args.Pointer(1), args.Uint(2), args.Uint(3))
}
