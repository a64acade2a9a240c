package kernel

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// VFSExecOpener opens programs through the task's mount namespace.
type VFSExecOpener struct{}

// OpenExecutable implements ExecOpener.OpenExecutable.
func (o VFSExecOpener) OpenExecutable(t *Task, path string) (ExecFile, linux.Errno) {
	return o.OpenExecutableAt(t, unix.AT_FDCWD, path, 0)
}

// OpenExecutableAt implements ExecOpener.OpenExecutableAt.
func (VFSExecOpener) OpenExecutableAt(t *Task, dirfd int32, path string, flags int) (ExecFile, linux.Errno) {
	v := t.k.VFS()
	root, start := t.fsContext.RootAndWorkingDirectory()
	op := &vfs.PathOp{Root: root, Start: start, Path: path, Follow: flags&unix.AT_SYMLINK_NOFOLLOW == 0}
	var vd vfs.VirtualDentry
	var errno linux.Errno
	if dirfd != unix.AT_FDCWD && (path == "" || path[0] != '/') {
		f, _, e := t.fdTable.Get(dirfd)
		if e != 0 {
			return ExecFile{}, linux.EBADF
		}
		op.Start = f.VirtualDentry()
		f.DecRef()
		if !op.Start.Ok() {
			return ExecFile{}, linux.EBADF
		}
	}
	if path == "" {
		if flags&unix.AT_EMPTY_PATH == 0 || dirfd == unix.AT_FDCWD {
			return ExecFile{}, linux.ENOENT
		}
		// execveat(fd, "", AT_EMPTY_PATH): the open file itself.
		vd = op.Start
	} else {
		vd, errno = v.GetDentryAt(t, op)
		if errno != 0 {
			return ExecFile{}, errno
		}
	}
	// Only regular files on exec-permitted mounts with an execute bit the
	// caller may use run; a directory is EACCES as on Linux.
	d := vd.Dentry()
	if d.Type() != unix.S_IFREG || vd.Mount().Flags().NoExec {
		return ExecFile{}, linux.EACCES
	}
	if errno := vfs.CheckPermissions(t.Credentials(), vfs.MayExec|vfs.MayRead, d.Inode().Perms()); errno != 0 {
		return ExecFile{}, errno
	}
	fd, errno := v.OpenVirtualDentry(t, vd, unix.O_RDONLY)
	if errno != 0 {
		return ExecFile{}, errno
	}
	st, errno := fd.Stat(t, linux.STATX_INO)
	if errno != 0 {
		fd.DecRef()
		return ExecFile{}, errno
	}
	name := path
	if p, reachable := v.PathName(root, vd); reachable {
		name = p
	}
	return ExecFile{
		File:    execFile{t: t, fd: fd},
		Name:    name,
		Dev:     linux.MakeDev(st.DevMajor, st.DevMinor),
		Ino:     st.Ino,
		Release: fd.DecRef,
	}, 0
}

// execFile adapts an open file description to loader.File.
type execFile struct {
	t  *Task
	fd *vfs.FileDescription
}

// ReadAt implements loader.File.ReadAt.
func (f execFile) ReadAt(p []byte, off int64) (int, error) {
	n, errno := f.fd.PRead(f.t, p, off)
	if errno != 0 {
		return n, errno
	}
	return n, nil
}

// HostFD implements loader.File.HostFD.
func (f execFile) HostFD() (int, bool) { return f.fd.HostFD() }
