package kernel

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// VFSExecOpener opens programs through the task's mount namespace.
type VFSExecOpener struct{}

// OpenExecutable implements ExecOpener.OpenExecutable.
func (VFSExecOpener) OpenExecutable(t *Task, path string) (ExecFile, linux.Errno) {
	if path == "" {
		return ExecFile{}, linux.ENOENT
	}
	v := t.k.VFS()
	root, cwd := t.fsContext.RootAndWorkingDirectory()
	op := &vfs.PathOp{Root: root, Start: cwd, Path: path, Follow: true}
	vd, errno := v.GetDentryAt(t, op)
	if errno != 0 {
		return ExecFile{}, errno
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
	fd, errno := v.OpenAt(t, op, unix.O_RDONLY, 0)
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
