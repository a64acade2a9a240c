package syscalls

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// InotifyInit implements Linux syscall inotify_init(2).
func InotifyInit(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return inotifyInit(t, 0)
}

// InotifyInit1 implements Linux syscall inotify_init1(2).
func InotifyInit1(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	flags := args.Uint(0)
	if flags&^(unix.IN_NONBLOCK|unix.IN_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	return inotifyInit(t, flags)
}

func inotifyInit(t *kernel.Task, flags uint32) (uintptr, linux.Errno) {
	f := t.Kernel().VFS().NewInotify(flags & unix.IN_NONBLOCK)
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: flags&unix.IN_CLOEXEC != 0})
	return uintptr(fd), err
}

// inotifyOf returns the instance fd refers to (EBADF, or EINVAL if it is
// not an inotify fd) with a reference the caller drops.
func inotifyOf(t *kernel.Task, fd int32) (*vfs.FileDescription, *vfs.Inotify, linux.Errno) {
	f, err := getFile(t, fd)
	if err != 0 {
		return nil, nil, err
	}
	in, ok := f.Impl().(*vfs.Inotify)
	if !ok {
		f.DecRef()
		return nil, nil, linux.EINVAL
	}
	return f, in, 0
}

// InotifyAddWatch implements Linux syscall inotify_add_watch(2).
func InotifyAddWatch(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	mask := args.Uint(2)
	f, in, err := inotifyOf(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	tg, err := targetAt(t, unix.AT_FDCWD, args.Pointer(1), mask&unix.IN_DONT_FOLLOW == 0, false)
	if err != 0 {
		return 0, err
	}
	vd, err := t.Kernel().VFS().GetDentryAt(t, &tg.op)
	if err != 0 {
		return 0, err
	}
	if err := vfs.CheckPermissions(t.Credentials(), vfs.MayRead, vd.Dentry().Inode().Perms()); err != 0 {
		return 0, err
	}
	wd, err := in.AddWatch(vd, mask)
	return uintptr(wd), err
}

// InotifyRmWatch implements Linux syscall inotify_rm_watch(2).
func InotifyRmWatch(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, in, err := inotifyOf(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	return 0, in.RmWatch(args.Int(1))
}
