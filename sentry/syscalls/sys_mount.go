package syscalls

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/fs/mqueue"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// mountAtimeFlags are access-time policies: the sentry's file systems keep
// no access times on reads, so every policy is met.
const mountAtimeFlags = unix.MS_NOATIME | unix.MS_NODIRATIME | unix.MS_RELATIME |
	unix.MS_STRICTATIME | unix.MS_LAZYTIME

// mountPropagation are the propagation-type flags.
const mountPropagation = unix.MS_SHARED | unix.MS_PRIVATE | unix.MS_SLAVE | unix.MS_UNBINDABLE

func mountFlagsOf(flags uint64) vfs.MountFlags {
	return vfs.MountFlags{
		ReadOnly: flags&unix.MS_RDONLY != 0,
		NoSuid:   flags&unix.MS_NOSUID != 0,
		NoDev:    flags&unix.MS_NODEV != 0,
		NoExec:   flags&unix.MS_NOEXEC != 0,
	}
}

// Mount implements Linux syscall mount(2) for new tmpfs and mqueue mounts, bind mounts
// (MS_BIND, MS_REC), remounts (MS_REMOUNT, with MS_BIND for per-mount
// flags only) and MS_PRIVATE/MS_SLAVE/MS_UNBINDABLE (every mount is
// private: there is no propagation). MS_SHARED, MS_MOVE and other file
// system types are refused.
func Mount(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	srcAddr, targetAddr, typeAddr, flags, dataAddr := args.Pointer(0), args.Pointer(1), args.Pointer(2), args.Uint64(3), args.Pointer(4)
	if !t.Credentials().HasCap(auth.CapSysAdmin) {
		return 0, linux.EPERM
	}
	if flags&0xffff0000 == 0xc0ed0000 { // MS_MGC_VAL: historic magic
		flags &= 0xffff
	}
	tg, err := targetAt(t, unix.AT_FDCWD, targetAddr, true, false)
	if err != 0 {
		return 0, err
	}
	v := t.Kernel().VFS()
	target, err := v.GetDentryAt(t, &tg.op)
	if err != 0 {
		return 0, err
	}
	switch {
	case flags&unix.MS_REMOUNT != 0:
		m := vfs.MountAtRoot(target)
		if m == nil {
			return 0, linux.EINVAL
		}
		m.SetFlags(mountFlagsOf(flags))
		return 0, 0
	case flags&unix.MS_BIND != 0:
		src, err := targetAt(t, unix.AT_FDCWD, srcAddr, true, false)
		if err != 0 {
			return 0, err
		}
		source, err := v.GetDentryAt(t, &src.op)
		if err != 0 {
			return 0, err
		}
		// Like Linux, a new bind has its source mount's flags; making it
		// read-only takes a remount.
		_, err = v.BindMount(source, target, source.Mount().Flags(), flags&unix.MS_REC != 0)
		return 0, err
	case flags&mountPropagation != 0:
		if vfs.MountAtRoot(target) == nil {
			return 0, linux.EINVAL
		}
		if flags&unix.MS_SHARED != 0 {
			t.Debugf("mount: shared propagation is not supported")
			return 0, linux.EINVAL
		}
		return 0, 0
	case flags&unix.MS_MOVE != 0:
		t.Debugf("mount: MS_MOVE is not supported")
		return 0, linux.EINVAL
	}
	fstype, err := t.CopyInString(typeAddr, vfs.NameMax)
	if err != 0 {
		return 0, err
	}
	var data string
	if dataAddr != 0 {
		if data, err = t.CopyInString(dataAddr, arch.PageSize-1); err != 0 {
			return 0, err
		}
	}
	if !target.Dentry().IsDir() {
		return 0, linux.ENOTDIR
	}
	switch fstype {
	case "tmpfs":
		opts, err := parseTmpfsOptions(data)
		if err != 0 {
			return 0, err
		}
		_, err = v.Mount(target, tmpfs.New(v, opts), mountFlagsOf(flags))
		return 0, err
	case "mqueue":
		// The queues of the caller's IPC namespace (docs/ipc.md).
		_, err = v.Mount(target, mqueue.NewFilesystem(v, t.IPCNamespace().MQ()), mountFlagsOf(flags))
		return 0, err
	}
	t.Debugf("mount: file system type %q is not supported", fstype)
	return 0, linux.ENODEV
}

// parseTmpfsOptions reads tmpfs's size=, nr_inodes=, mode=, uid= and gid=
// options; others are EINVAL, as Linux's tmpfs says.
func parseTmpfsOptions(data string) (tmpfs.Options, linux.Errno) {
	opts := tmpfs.Options{RootMode: 0o1777}
	for _, o := range strings.Split(data, ",") {
		if o == "" {
			continue
		}
		k, val, _ := strings.Cut(o, "=")
		var err error
		switch k {
		case "size":
			opts.MaxBytes, err = parseSize(val)
		case "nr_inodes":
			opts.MaxInodes, err = parseSize(val)
		case "mode":
			var m uint64
			m, err = strconv.ParseUint(val, 8, 32)
			opts.RootMode = uint32(m) & 07777
		case "uid":
			var u uint64
			u, err = strconv.ParseUint(val, 10, 32)
			opts.RootUID = uint32(u)
		case "gid":
			var g uint64
			g, err = strconv.ParseUint(val, 10, 32)
			opts.RootGID = uint32(g)
		default:
			return opts, linux.EINVAL
		}
		if err != nil {
			return opts, linux.EINVAL
		}
	}
	return opts, 0
}

// parseSize reads a number with an optional k, m or g suffix, or a
// percentage of the host's memory.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "%"):
		p, err := strconv.ParseInt(strings.TrimSuffix(s, "%"), 10, 64)
		if err != nil {
			return 0, err
		}
		var si unix.Sysinfo_t
		if err := unix.Sysinfo(&si); err != nil {
			return 0, err
		}
		return int64(si.Totalram) * int64(si.Unit) / 100 * p, nil
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult = 1 << 10
	case strings.HasSuffix(s, "m"), strings.HasSuffix(s, "M"):
		mult = 1 << 20
	case strings.HasSuffix(s, "g"), strings.HasSuffix(s, "G"):
		mult = 1 << 30
	}
	if mult != 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * mult, err
}

// Umount2 implements Linux syscall umount2(2). Without MNT_DETACH a mount
// with mounts below it is EBUSY; open files and working directories in it
// are not tracked, so they keep it in use lazily (as MNT_DETACH would).
func Umount2(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	flags := args.Uint(1)
	const mntForce, mntDetach, mntExpire, umountNoFollow = 1, 2, 4, 8
	if flags&^(mntForce|mntDetach|mntExpire|umountNoFollow) != 0 || flags&mntExpire != 0 && flags&(mntForce|mntDetach) != 0 {
		return 0, linux.EINVAL
	}
	if !t.Credentials().HasCap(auth.CapSysAdmin) {
		return 0, linux.EPERM
	}
	tg, err := targetAt(t, unix.AT_FDCWD, args.Pointer(0), flags&umountNoFollow == 0, false)
	if err != 0 {
		return 0, err
	}
	v := t.Kernel().VFS()
	target, err := v.GetDentryAt(t, &tg.op)
	if err != 0 {
		return 0, err
	}
	m := vfs.MountAtRoot(target)
	if m == nil {
		return 0, linux.EINVAL
	}
	if flags&mntDetach != 0 {
		return 0, v.UmountTree(m)
	}
	return 0, v.Umount(m)
}
