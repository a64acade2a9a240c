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

// PipeSizer is implemented by pipe files for F_GETPIPE_SZ/F_SETPIPE_SZ.
type PipeSizer interface {
	PipeSize() int64
	SetPipeSize(size int64) (int64, linux.Errno)
}

// Fcntl implements Linux syscall fcntl(2).
func Fcntl(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	fd, cmd, arg := args.Int(0), args.Int(1), args.Pointer(2)
	f, flags, err := t.FDTable().Get(fd)
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	switch cmd {
	case unix.F_DUPFD, unix.F_DUPFD_CLOEXEC:
		minFD := args.Int(2)
		if minFD < 0 || minFD >= t.FDTable().MaxFDs() {
			return 0, linux.EINVAL
		}
		nfd, err := t.FDTable().NewFD(minFD, f, kernel.FDFlags{CloseOnExec: cmd == unix.F_DUPFD_CLOEXEC})
		return uintptr(nfd), err
	case unix.F_GETFD:
		if flags.CloseOnExec {
			return unix.FD_CLOEXEC, 0
		}
		return 0, 0
	case unix.F_SETFD:
		return 0, t.FDTable().SetFlags(fd, kernel.FDFlags{CloseOnExec: arg&unix.FD_CLOEXEC != 0})
	case unix.F_GETFL:
		return uintptr(f.StatusFlags()), 0
	case unix.F_SETFL:
		if f.IsPath() {
			return 0, linux.EBADF
		}
		if uint32(arg)&unix.O_NOATIME != 0 && f.StatusFlags()&unix.O_NOATIME == 0 {
			if d := f.Dentry(); d != nil && !ownsFile(t, d) {
				return 0, linux.EPERM
			}
		}
		f.SetStatusFlags(uint32(arg))
		return 0, 0
	case unix.F_GETLK, unix.F_SETLK, unix.F_SETLKW, unix.F_OFD_GETLK, unix.F_OFD_SETLK, unix.F_OFD_SETLKW:
		return 0, fcntlLock(t, f, cmd, arg)
	case unix.F_GETPIPE_SZ:
		if p, ok := f.Impl().(PipeSizer); ok {
			return uintptr(p.PipeSize()), 0
		}
		return 0, linux.EBADF
	case unix.F_SETPIPE_SZ:
		if p, ok := f.Impl().(PipeSizer); ok {
			n, err := p.SetPipeSize(int64(arg))
			return uintptr(n), err
		}
		return 0, linux.EBADF
	case unix.F_GETOWN, unix.F_SETOWN, unix.F_GETOWN_EX, unix.F_SETOWN_EX, unix.F_GETSIG, unix.F_SETSIG:
		t.Debugf("fcntl: signal-driven I/O (cmd %d) is not supported", cmd)
		return 0, linux.EINVAL
	case unix.F_GET_SEALS:
		s, ok := f.Impl().(vfs.Sealable)
		if !ok {
			return 0, linux.EINVAL
		}
		return uintptr(s.Seals()), 0
	case unix.F_ADD_SEALS:
		s, ok := f.Impl().(vfs.Sealable)
		if !ok {
			return 0, linux.EINVAL
		}
		if !f.IsWritable() {
			return 0, linux.EPERM
		}
		return 0, s.AddSeals(uint32(arg))
	}
	t.Debugf("fcntl: unknown cmd %d", cmd)
	return 0, linux.EINVAL
}

// sizeofFlock is struct flock on amd64.
const sizeofFlock = 32

// fcntlLock implements the record-lock commands.
func fcntlLock(t *kernel.Task, f *vfs.FileDescription, cmd int32, addr uintptr) linux.Errno {
	var b [sizeofFlock]byte
	if err := t.CopyIn(addr, b[:]); err != 0 {
		return err
	}
	le := binary.LittleEndian
	typ := vfs.LockType(int16(le.Uint16(b[0:])))
	whence := int16(le.Uint16(b[2:]))
	start := int64(le.Uint64(b[8:]))
	length := int64(le.Uint64(b[16:]))
	pid := int32(le.Uint32(b[24:]))
	ofd := cmd == unix.F_OFD_GETLK || cmd == unix.F_OFD_SETLK || cmd == unix.F_OFD_SETLKW
	if ofd && pid != 0 {
		return linux.EINVAL
	}
	vd := f.VirtualDentry()
	if !vd.Ok() || f.IsPath() {
		return linux.EBADF
	}
	if typ != vfs.ReadLock && typ != vfs.WriteLock && typ != vfs.Unlock {
		return linux.EINVAL
	}
	// The range, relative to whence.
	var base int64
	switch whence {
	case unix.SEEK_SET:
	case unix.SEEK_CUR:
		base = f.Offset()
	case unix.SEEK_END:
		st, err := f.Stat(t, linux.STATX_SIZE)
		if err != 0 {
			return err
		}
		base = int64(st.Size)
	default:
		return linux.EINVAL
	}
	s := base + start
	var lo, hi uint64
	switch {
	case length > 0:
		lo, hi = uint64(s), uint64(s+length)
	case length == 0:
		lo, hi = uint64(s), vfs.LockEOF
	default:
		s += length
		lo, hi = uint64(s), uint64(s-length)
	}
	if s < 0 {
		return linux.EINVAL
	}
	inode := vd.Dentry().Inode()
	v := vd.Mount().VFS()
	var owner any = t.ThreadGroup()
	if ofd {
		owner = f
	}
	switch cmd {
	case unix.F_GETLK, unix.F_OFD_GETLK:
		if typ == vfs.Unlock {
			return linux.EINVAL
		}
		l, ok := v.TestLock(inode, owner, typ, lo, hi)
		if !ok {
			le.PutUint16(b[0:], uint16(vfs.Unlock))
			return t.CopyOut(addr, b[:])
		}
		le.PutUint16(b[0:], uint16(l.Type))
		le.PutUint16(b[2:], unix.SEEK_SET)
		le.PutUint64(b[8:], l.Start)
		if l.End == vfs.LockEOF {
			le.PutUint64(b[16:], 0)
		} else {
			le.PutUint64(b[16:], l.End-l.Start)
		}
		le.PutUint32(b[24:], uint32(l.PID))
		return t.CopyOut(addr, b[:])
	}
	if typ == vfs.ReadLock && !f.IsReadable() || typ == vfs.WriteLock && !f.IsWritable() {
		return linux.EBADF
	}
	wait := cmd == unix.F_SETLKW || cmd == unix.F_OFD_SETLKW
	if ofd {
		return f.SetOFDLock(t, typ, lo, hi, wait)
	}
	return v.SetLock(t, inode, owner, t.PID(), typ, lo, hi, wait)
}

// releaseLocks drops the POSIX locks the caller's process holds on f's
// file: close(2) of any fd of a file does that on Linux.
func releaseLocks(t *kernel.Task, f *vfs.FileDescription) {
	if vd := f.VirtualDentry(); vd.Ok() {
		vd.Mount().VFS().ReleaseLocks(vd.Dentry().Inode(), t.ThreadGroup())
	}
}

// ownsFile reports whether the caller owns d's file or has CAP_FOWNER.
func ownsFile(t *kernel.Task, d *vfs.Dentry) bool {
	c := t.Credentials()
	return c.FSUID == d.Inode().Perms().UID || c.HasCap(auth.CapFowner)
}
