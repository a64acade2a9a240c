package syscalls

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// xattrTarget resolves the file of a path-based xattr call (follow: not
// the l* variant) or of an fd-based one (pathAddr 0, fd >= 0).
func xattrTarget(t *kernel.Task, pathAddr uintptr, fd int32, follow bool) (vfs.VirtualDentry, linux.Errno) {
	if pathAddr == 0 {
		f, err := getFile(t, fd)
		if err != 0 {
			return vfs.VirtualDentry{}, err
		}
		defer f.DecRef()
		if f.IsPath() {
			return vfs.VirtualDentry{}, linux.EBADF
		}
		vd := f.VirtualDentry()
		if !vd.Ok() {
			return vd, linux.EOPNOTSUPP
		}
		return vd, 0
	}
	tg, err := targetAt(t, unix.AT_FDCWD, pathAddr, follow, false)
	if err != 0 {
		return vfs.VirtualDentry{}, err
	}
	return t.Kernel().VFS().GetDentryAt(t, &tg.op)
}

// copyInXattrName reads an attribute name (ERANGE if longer than 255).
func copyInXattrName(t *kernel.Task, addr uintptr) (string, linux.Errno) {
	name, err := t.CopyInString(addr, vfs.XattrNameMax)
	if err == linux.ENAMETOOLONG {
		return "", linux.ERANGE
	}
	return name, err
}

func getxattr(t *kernel.Task, pathAddr uintptr, fd int32, follow bool, nameAddr, valueAddr uintptr, size uint) (uintptr, linux.Errno) {
	name, err := copyInXattrName(t, nameAddr)
	if err != 0 {
		return 0, err
	}
	vd, err := xattrTarget(t, pathAddr, fd, follow)
	if err != 0 {
		return 0, err
	}
	value, err := vfs.GetXattr(t, vd, name)
	if err != 0 {
		return 0, err
	}
	if size == 0 {
		return uintptr(len(value)), 0
	}
	if uint(len(value)) > size {
		return 0, linux.ERANGE
	}
	if err := t.CopyOut(valueAddr, value); err != 0 {
		return 0, err
	}
	return uintptr(len(value)), 0
}

// Getxattr implements Linux syscall getxattr(2).
func Getxattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return getxattr(t, args.Pointer(0), -1, true, args.Pointer(1), args.Pointer(2), args.SizeT(3))
}

// Lgetxattr implements Linux syscall lgetxattr(2).
func Lgetxattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return getxattr(t, args.Pointer(0), -1, false, args.Pointer(1), args.Pointer(2), args.SizeT(3))
}

// Fgetxattr implements Linux syscall fgetxattr(2).
func Fgetxattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return getxattr(t, 0, args.Int(0), true, args.Pointer(1), args.Pointer(2), args.SizeT(3))
}

func setxattr(t *kernel.Task, pathAddr uintptr, fd int32, follow bool, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	nameAddr, valueAddr, size, flags := args.Pointer(1), args.Pointer(2), args.SizeT(3), args.Uint(4)
	if flags&^(vfs.XattrCreate|vfs.XattrReplace) != 0 {
		return 0, linux.EINVAL
	}
	name, err := copyInXattrName(t, nameAddr)
	if err != 0 {
		return 0, err
	}
	if size > vfs.XattrSizeMax {
		return 0, linux.E2BIG
	}
	value := make([]byte, size)
	if err := t.CopyIn(valueAddr, value); err != 0 {
		return 0, err
	}
	vd, err := xattrTarget(t, pathAddr, fd, follow)
	if err != 0 {
		return 0, err
	}
	return 0, vfs.SetXattr(t, vd, name, value, flags)
}

// Setxattr implements Linux syscall setxattr(2).
func Setxattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return setxattr(t, args.Pointer(0), -1, true, args)
}

// Lsetxattr implements Linux syscall lsetxattr(2).
func Lsetxattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return setxattr(t, args.Pointer(0), -1, false, args)
}

// Fsetxattr implements Linux syscall fsetxattr(2).
func Fsetxattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return setxattr(t, 0, args.Int(0), true, args)
}

func listxattr(t *kernel.Task, pathAddr uintptr, fd int32, follow bool, listAddr uintptr, size uint) (uintptr, linux.Errno) {
	vd, err := xattrTarget(t, pathAddr, fd, follow)
	if err != 0 {
		return 0, err
	}
	names, err := vfs.ListXattr(t, vd)
	if err != 0 {
		return 0, err
	}
	var buf []byte
	for _, n := range names {
		buf = append(append(buf, n...), 0)
	}
	if len(buf) > vfs.XattrListMax {
		return 0, linux.E2BIG
	}
	if size == 0 {
		return uintptr(len(buf)), 0
	}
	if uint(len(buf)) > size {
		return 0, linux.ERANGE
	}
	if err := t.CopyOut(listAddr, buf); err != 0 {
		return 0, err
	}
	return uintptr(len(buf)), 0
}

// Listxattr implements Linux syscall listxattr(2).
func Listxattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return listxattr(t, args.Pointer(0), -1, true, args.Pointer(1), args.SizeT(2))
}

// Llistxattr implements Linux syscall llistxattr(2).
func Llistxattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return listxattr(t, args.Pointer(0), -1, false, args.Pointer(1), args.SizeT(2))
}

// Flistxattr implements Linux syscall flistxattr(2).
func Flistxattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return listxattr(t, 0, args.Int(0), true, args.Pointer(1), args.SizeT(2))
}

func removexattr(t *kernel.Task, pathAddr uintptr, fd int32, follow bool, nameAddr uintptr) (uintptr, linux.Errno) {
	name, err := copyInXattrName(t, nameAddr)
	if err != 0 {
		return 0, err
	}
	vd, err := xattrTarget(t, pathAddr, fd, follow)
	if err != 0 {
		return 0, err
	}
	return 0, vfs.RemoveXattr(t, vd, name)
}

// Removexattr implements Linux syscall removexattr(2).
func Removexattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return removexattr(t, args.Pointer(0), -1, true, args.Pointer(1))
}

// Lremovexattr implements Linux syscall lremovexattr(2).
func Lremovexattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return removexattr(t, args.Pointer(0), -1, false, args.Pointer(1))
}

// Fremovexattr implements Linux syscall fremovexattr(2).
func Fremovexattr(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return removexattr(t, 0, args.Int(0), true, args.Pointer(1))
}
