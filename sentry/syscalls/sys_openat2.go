package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// openHowSizeVer0 is the size of the first struct open_how.
const openHowSizeVer0 = 24

// validOpenFlags are the flags openat2 accepts (it rejects unknown ones,
// unlike open).
const validOpenFlags = unix.O_ACCMODE | unix.O_CREAT | unix.O_EXCL | unix.O_NOCTTY | unix.O_TRUNC |
	unix.O_APPEND | unix.O_NONBLOCK | unix.O_DSYNC | unix.O_ASYNC | unix.O_DIRECT | unix.O_LARGEFILE |
	unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_NOATIME | unix.O_CLOEXEC | unix.O_PATH | unix.O_TMPFILE | unix.O_SYNC

const allResolve = vfs.ResolveNoXdev | vfs.ResolveNoMagiclinks | vfs.ResolveNoSymlinks |
	vfs.ResolveBeneath | vfs.ResolveInRoot | vfs.ResolveCached

// Openat2 implements Linux syscall openat2(2).
func Openat2(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	dirfd, pathAddr, howAddr, size := args.Int(0), args.Pointer(1), args.Pointer(2), args.SizeT(3)
	if size < openHowSizeVer0 {
		return 0, linux.EINVAL
	}
	if size > arch.PageSize {
		return 0, linux.E2BIG
	}
	buf := make([]byte, size)
	if err := t.CopyIn(howAddr, buf); err != 0 {
		return 0, err
	}
	for _, b := range buf[openHowSizeVer0:] {
		if b != 0 {
			return 0, linux.E2BIG
		}
	}
	flags := binary.LittleEndian.Uint64(buf[0:])
	mode := binary.LittleEndian.Uint64(buf[8:])
	resolve := binary.LittleEndian.Uint64(buf[16:])
	if flags&^uint64(validOpenFlags) != 0 || resolve&^uint64(allResolve) != 0 {
		return 0, linux.EINVAL
	}
	if resolve&vfs.ResolveBeneath != 0 && resolve&vfs.ResolveInRoot != 0 {
		return 0, linux.EINVAL
	}
	creating := flags&unix.O_CREAT != 0 || flags&unix.O_TMPFILE == unix.O_TMPFILE
	if mode&^07777 != 0 || (!creating && mode != 0) {
		return 0, linux.EINVAL
	}
	if resolve&vfs.ResolveCached != 0 && (creating || flags&unix.O_TRUNC != 0) {
		return 0, linux.EAGAIN
	}
	path, err := copyInPath(t, pathAddr)
	if err != 0 {
		return 0, err
	}
	op, err := pathOp(t, dirfd, path, flags&unix.O_NOFOLLOW == 0)
	if err != 0 {
		return 0, err
	}
	if resolve&(vfs.ResolveBeneath|vfs.ResolveInRoot) != 0 && path != "" && path[0] == '/' && dirfd != unix.AT_FDCWD {
		// pathOp ignores dirfd for absolute paths; these modes need it.
		f, err := getFile(t, dirfd)
		if err != 0 {
			return 0, err
		}
		vd := f.VirtualDentry()
		f.DecRef()
		if !vd.Ok() || !vd.Dentry().IsDir() {
			return 0, linux.ENOTDIR
		}
		op.Start = vd
	}
	op.Resolve = resolve
	fl := uint32(flags) | unix.O_LARGEFILE
	m := uint32(mode) &^ t.FSContext().Umask()
	f, err := t.Kernel().VFS().OpenAt(t, &op, fl, m)
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: fl&unix.O_CLOEXEC != 0})
	return uintptr(fd), err
}
