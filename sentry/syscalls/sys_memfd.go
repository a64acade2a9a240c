package syscalls

import (
	"crypto/rand"
	"fmt"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// memfdNameMax is MFD_NAME_MAX_LEN: 255 minus the "memfd:" prefix.
const memfdNameMax = 249

// MemfdCreate implements Linux syscall memfd_create(2): an unlinked file
// of a hidden tmpfs, so its data is a host memfd the memory manager can
// map. MFD_HUGETLB is EINVAL; MFD_ALLOW_SEALING allows F_ADD_SEALS.
func MemfdCreate(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	name, err := t.CopyInString(args.Pointer(0), memfdNameMax)
	if err == linux.ENAMETOOLONG {
		return 0, linux.EINVAL
	}
	if err != 0 {
		return 0, err
	}
	flags := args.Uint(1)
	if flags&^(unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING|unix.MFD_NOEXEC_SEAL|unix.MFD_EXEC) != 0 {
		return 0, linux.EINVAL
	}
	if flags&unix.MFD_NOEXEC_SEAL != 0 && flags&unix.MFD_EXEC != 0 {
		return 0, linux.EINVAL
	}
	v := t.Kernel().VFS()
	m := v.AnonymousMount("memfd", func() *vfs.Filesystem {
		return tmpfs.New(v, tmpfs.Options{RootMode: 0o1777})
	})
	dir := m.Root().Dentry().Inode()
	var rnd [8]byte
	rand.Read(rnd[:])
	tmp := fmt.Sprintf("%x", rnd)
	mode := uint32(0o777)
	if flags&unix.MFD_NOEXEC_SEAL != 0 {
		mode = 0o666
	}
	creds := t.Credentials()
	inode, err := dir.Create(t, tmp, vfs.CreateOptions{Mode: mode, UID: creds.FSUID, GID: creds.FSGID})
	if err != 0 {
		return 0, err
	}
	switch {
	case flags&unix.MFD_NOEXEC_SEAL != 0:
		tmpfs.AllowSealing(inode, unix.F_SEAL_EXEC)
	case flags&unix.MFD_ALLOW_SEALING != 0:
		tmpfs.AllowSealing(inode, 0)
	}
	f, err := v.OpenUnlinked(t, m, inode, "memfd:"+name, unix.O_RDWR|unix.O_LARGEFILE)
	// The name in the hidden directory was only a handle: drop it.
	if uerr := dir.Unlink(t, tmp, inode); err == 0 && uerr != 0 {
		f.DecRef()
		return 0, uerr
	}
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: flags&unix.MFD_CLOEXEC != 0})
	return uintptr(fd), err
}
