package syscalls

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// copyInPath reads a path argument: at most PATH_MAX-1 bytes and a NUL.
func copyInPath(t *kernel.Task, addr uintptr) (string, linux.Errno) {
	return t.CopyInString(addr, vfs.PathMax-1)
}

// getFile returns the file fd names with a reference the caller drops.
func getFile(t *kernel.Task, fd int32) (*vfs.FileDescription, linux.Errno) {
	f, _, err := t.FDTable().Get(fd)
	return f, err
}

// target is what a (dirfd, path, flags) triple names: a path to resolve,
// or, for AT_EMPTY_PATH with an empty path, the file dirfd refers to.
type target struct {
	op   vfs.PathOp
	file *vfs.FileDescription // non-nil: operate on this file; holds a reference
}

// release drops the file reference a target may hold.
func (tg *target) release() {
	if tg.file != nil {
		tg.file.DecRef()
	}
}

// pathOp builds the PathOp for a path relative to dirfd.
func pathOp(t *kernel.Task, dirfd int32, path string, follow bool) (vfs.PathOp, linux.Errno) {
	root, cwd := t.FSContext().RootAndWorkingDirectory()
	op := vfs.PathOp{Root: root, Start: cwd, Path: path, Follow: follow}
	if path == "" || path[0] == '/' || dirfd == unix.AT_FDCWD {
		return op, 0
	}
	f, err := getFile(t, dirfd)
	if err != 0 {
		return op, err
	}
	defer f.DecRef()
	vd := f.VirtualDentry()
	if !vd.Ok() || !vd.Dentry().IsDir() {
		return op, linux.ENOTDIR
	}
	op.Start = vd
	return op, 0
}

// targetAt reads the path at addr and builds the target of an *at syscall.
// emptyOK is AT_EMPTY_PATH.
func targetAt(t *kernel.Task, dirfd int32, addr uintptr, follow, emptyOK bool) (target, linux.Errno) {
	path, err := copyInPath(t, addr)
	if err != 0 {
		return target{}, err
	}
	return targetForPath(t, dirfd, path, follow, emptyOK)
}

func targetForPath(t *kernel.Task, dirfd int32, path string, follow, emptyOK bool) (target, linux.Errno) {
	if path == "" {
		if !emptyOK {
			return target{}, linux.ENOENT
		}
		if dirfd == unix.AT_FDCWD {
			_, cwd := t.FSContext().RootAndWorkingDirectory()
			return target{file: nil, op: vfs.PathOp{Root: cwd, Start: cwd, Path: ".", Follow: true}}, 0
		}
		f, err := getFile(t, dirfd)
		if err != 0 {
			return target{}, err
		}
		return target{file: f}, 0
	}
	op, err := pathOp(t, dirfd, path, follow)
	return target{op: op}, err
}

// Open implements Linux syscall open(2).
func Open(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return openat(t, unix.AT_FDCWD, args.Pointer(0), args.Uint(1), args.Uint(2))
}

// Openat implements Linux syscall openat(2).
func Openat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return openat(t, args.Int(0), args.Pointer(1), args.Uint(2), args.Uint(3))
}

// Creat implements Linux syscall creat(2).
func Creat(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return openat(t, unix.AT_FDCWD, args.Pointer(0), unix.O_CREAT|unix.O_WRONLY|unix.O_TRUNC, args.Uint(1))
}

func openat(t *kernel.Task, dirfd int32, addr uintptr, flags, mode uint32) (uintptr, linux.Errno) {
	path, err := copyInPath(t, addr)
	if err != 0 {
		return 0, err
	}
	op, err := pathOp(t, dirfd, path, flags&unix.O_NOFOLLOW == 0)
	if err != 0 {
		return 0, err
	}
	// Linux forces O_LARGEFILE on 64-bit.
	flags |= unix.O_LARGEFILE
	mode = mode & 07777 &^ t.FSContext().Umask()
	f, err := t.Kernel().VFS().OpenAt(t, &op, flags, mode)
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: flags&unix.O_CLOEXEC != 0})
	return uintptr(fd), err
}

// Close implements Linux syscall close(2).
func Close(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := t.FDTable().Remove(args.Int(0))
	if err != 0 {
		return 0, err
	}
	releaseLocks(t, f)
	releaseMqNotification(t, f)
	f.DecRef()
	return 0, 0
}

// Dup implements Linux syscall dup(2).
func Dup(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(0, f, kernel.FDFlags{})
	return uintptr(fd), err
}

// Dup2 implements Linux syscall dup2(2).
func Dup2(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	oldfd, newfd := args.Int(0), args.Int(1)
	if oldfd == newfd {
		f, err := getFile(t, oldfd)
		if err != 0 {
			return 0, err
		}
		f.DecRef()
		return uintptr(newfd), 0
	}
	return dup3(t, oldfd, newfd, 0)
}

// Dup3 implements Linux syscall dup3(2).
func Dup3(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	oldfd, newfd, flags := args.Int(0), args.Int(1), args.Uint(2)
	if flags&^unix.O_CLOEXEC != 0 || oldfd == newfd {
		return 0, linux.EINVAL
	}
	return dup3(t, oldfd, newfd, flags)
}

func dup3(t *kernel.Task, oldfd, newfd int32, flags uint32) (uintptr, linux.Errno) {
	f, err := getFile(t, oldfd)
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	// dup2 closes newfd, and closing any fd of a file drops the process's
	// record locks on it.
	if old, _, err := t.FDTable().Get(newfd); err == 0 {
		if old != f {
			releaseLocks(t, old)
		}
		old.DecRef()
	}
	if err := t.FDTable().NewFDAt(newfd, f, kernel.FDFlags{CloseOnExec: flags&unix.O_CLOEXEC != 0}); err != 0 {
		return 0, err
	}
	return uintptr(newfd), 0
}

// Umask implements Linux syscall umask(2).
func Umask(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return uintptr(t.FSContext().SwapUmask(args.Uint(0) & 0o777)), 0
}

// Ioctl implements Linux syscall ioctl(2): the generic requests here,
// everything else by the file.
func Ioctl(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	fd, cmd, arg := args.Int(0), args.Uint(1), args.Pointer(2)
	f, flags, err := t.FDTable().Get(fd)
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	if f.IsPath() {
		return 0, linux.EBADF
	}
	switch cmd {
	case linux.FIOCLEX, linux.FIONCLEX:
		flags.CloseOnExec = cmd == linux.FIOCLEX
		return 0, t.FDTable().SetFlags(fd, flags)
	case linux.FIONBIO:
		var b [4]byte
		if err := t.CopyIn(arg, b[:]); err != 0 {
			return 0, err
		}
		fl := f.StatusFlags() &^ unix.O_NONBLOCK
		if b != [4]byte{} {
			fl |= unix.O_NONBLOCK
		}
		f.SetStatusFlags(fl)
		return 0, 0
	case linux.FIONREAD:
		if d := f.Dentry(); d != nil && d.Type() == unix.S_IFREG {
			st, err := f.Stat(t, linux.STATX_SIZE)
			if err != 0 {
				return 0, err
			}
			n := int64(st.Size) - f.Offset()
			if n < 0 {
				n = 0
			}
			return 0, t.CopyOut(arg, le32(uint32(min(n, 1<<31-1))))
		}
	}
	if opsOf(f) != nil {
		return socketIoctl(t, f, cmd, arg)
	}
	return f.Ioctl(t, t, cmd, arg)
}

// le32 encodes v as 4 little-endian bytes.
func le32(v uint32) []byte {
	return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
}

// close_range(2) flags.
const (
	closeRangeUnshare = 1 << 1
	closeRangeCloexec = 1 << 2
)

// CloseRange implements Linux syscall close_range(2). CLOSE_RANGE_UNSHARE
// is refused (EINVAL) until fd tables can be shared.
func CloseRange(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	first, last, flags := args.Uint(0), args.Uint(1), args.Uint(2)
	if first > last || flags&^(closeRangeUnshare|closeRangeCloexec) != 0 {
		return 0, linux.EINVAL
	}
	if flags&closeRangeUnshare != 0 {
		t.Debugf("close_range: CLOSE_RANGE_UNSHARE is not supported")
		return 0, linux.EINVAL
	}
	lo, hi := int32(min(first, 1<<31-1)), int32(min(last, 1<<31-1))
	if flags&closeRangeCloexec != 0 {
		t.FDTable().SetCloseOnExecRange(lo, hi)
		return 0, 0
	}
	for _, f := range t.FDTable().RemoveRange(lo, hi) {
		releaseLocks(t, f)
		f.DecRef()
	}
	return 0, 0
}

// Flock implements Linux syscall flock(2).
func Flock(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	if f.IsPath() {
		return 0, linux.EBADF
	}
	return 0, f.Flock(t, args.Int(1))
}
