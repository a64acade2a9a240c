package syscalls

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
	"moat/sentry/mm"
	"moat/sentry/vfs"
)

// Mmap implements Linux syscall mmap(2).
func Mmap(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	addr, length, prot, flags := args.Pointer(0), uintptr(args.Uint64(1)), int(args.Int(2)), int(args.Int(3))
	fd, off := args.Int(4), args.Int64(5)
	typ := flags & (unix.MAP_SHARED | unix.MAP_PRIVATE | unix.MAP_SHARED_VALIDATE)
	if typ != unix.MAP_SHARED && typ != unix.MAP_PRIVATE && typ != unix.MAP_SHARED_VALIDATE {
		return 0, linux.EINVAL
	}
	o := mm.MMapOpts{
		Addr: addr, Length: length, Prot: prot,
		Fixed:     flags&(unix.MAP_FIXED|unix.MAP_FIXED_NOREPLACE) != 0,
		NoReplace: flags&unix.MAP_FIXED_NOREPLACE != 0,
		Shared:    typ != unix.MAP_PRIVATE,
		GrowsDown: flags&unix.MAP_GROWSDOWN != 0,
		Offset:    off,
	}
	if flags&unix.MAP_ANONYMOUS != 0 {
		if typ == unix.MAP_SHARED_VALIDATE {
			return 0, linux.EINVAL
		}
		// TODO(#4): MAP_SHARED|MAP_ANONYMOUS through a memfd so it stays
		// shared across fork. Within one process a host shared anonymous
		// mapping is exact.
		return t.MM().MMap(o)
	}
	f, _, errno := t.FDTable().Get(fd)
	if errno != 0 {
		return 0, linux.EBADF
	}
	defer f.DecRef()
	if am, ok := f.Impl().(vfs.AnonymousMapper); ok && am.MapsAsAnonymous() {
		// /dev/zero maps as anonymous memory.
		return t.MM().MMap(o)
	}
	if !f.IsReadable() {
		return 0, linux.EACCES
	}
	if o.Shared && prot&unix.PROT_WRITE != 0 && !f.IsWritable() {
		return 0, linux.EACCES
	}
	if _, ok := f.HostFD(); !ok {
		return 0, linux.ENODEV
	}
	if seals, ok := f.Seals(); ok && o.Shared && prot&unix.PROT_WRITE != 0 &&
		seals&(unix.F_SEAL_WRITE|unix.F_SEAL_FUTURE_WRITE) != 0 {
		// A write-sealed memfd cannot be mapped shared and writable.
		return 0, linux.EPERM
	}
	o.File = f
	o.MaxProt = unix.PROT_READ | unix.PROT_EXEC | unix.PROT_WRITE
	if o.Shared && !f.IsWritable() {
		o.MaxProt &^= unix.PROT_WRITE
	}
	if seals, ok := f.Seals(); ok && o.Shared && seals&(unix.F_SEAL_WRITE|unix.F_SEAL_FUTURE_WRITE) != 0 {
		o.MaxProt &^= unix.PROT_WRITE
	}
	if st, errno := f.Stat(t, linux.STATX_INO); errno == 0 {
		o.Dev, o.Ino = linux.MakeDev(st.DevMajor, st.DevMinor), st.Ino
	}
	o.Name = mappingName(t, f)
	return t.MM().MMap(o)
}

// Munmap implements Linux syscall munmap(2).
func Munmap(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, t.MM().MUnmap(args.Pointer(0), uintptr(args.Uint64(1)))
}

// Mprotect implements Linux syscall mprotect(2).
func Mprotect(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, t.MM().MProtect(args.Pointer(0), uintptr(args.Uint64(1)), int(args.Int(2)))
}

// Brk implements Linux syscall brk(2).
func Brk(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return t.MM().Brk(args.Pointer(0)), 0
}

// Mremap implements Linux syscall mremap(2).
func Mremap(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return t.MM().MRemap(args.Pointer(0), uintptr(args.Uint64(1)), uintptr(args.Uint64(2)), int(args.Int(3)), args.Pointer(4))
}

// Madvise implements Linux syscall madvise(2).
func Madvise(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, t.MM().MAdvise(args.Pointer(0), uintptr(args.Uint64(1)), int(args.Int(2)))
}

// mappingName is the path /proc/PID/maps shows for a file mapping.
func mappingName(t *kernel.Task, f *vfs.FileDescription) string {
	root := t.FSContext().RootDirectory()
	vd := f.VirtualDentry()
	if !vd.Ok() {
		return ""
	}
	p, _ := t.Kernel().VFS().PathName(root, vd)
	if vd.Dentry().IsDead() {
		p += " (deleted)"
	}
	return p
}

// Mincore implements Linux syscall mincore(2).
func Mincore(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, t.MM().MIncore(args.Pointer(0), uintptr(args.Uint64(1)), args.Pointer(2))
}

// Msync implements Linux syscall msync(2).
func Msync(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, t.MM().MSync(args.Pointer(0), uintptr(args.Uint64(1)), int(args.Int(2)))
}
