package unix

import (
	sysunix "golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// FS is the caller's view of the file system, through which path names
// are bound and found: its root and working directory and its umask.
type FS struct {
	VFS       *vfs.VirtualFilesystem
	Root, Cwd vfs.VirtualDentry
	Umask     uint32
}

func (f *FS) op(path string, follow bool) *vfs.PathOp {
	return &vfs.PathOp{Root: f.Root, Start: f.Cwd, Path: path, Follow: follow}
}

// mknod makes the socket node for bind and returns its key. An existing
// file of any kind (a dangling symlink too) is EADDRINUSE.
func (f *FS) mknod(ctx vfs.Context, path string) (nodeKey, linux.Errno) {
	mode := uint32(sysunix.S_IFSOCK) | 0o777&^f.Umask
	if err := f.VFS.MknodAt(ctx, f.op(path, false), mode, 0); err != 0 {
		if err == linux.EEXIST {
			return nodeKey{}, linux.EADDRINUSE
		}
		return nodeKey{}, err
	}
	vd, err := f.VFS.GetDentryAt(ctx, f.op(path, false))
	if err != 0 {
		return nodeKey{}, err
	}
	return keyOf(ctx, vd)
}

// find returns the key of the socket node path names, for connect and
// sendto: write permission is needed, and a node that is not a socket
// refuses the connection.
func (f *FS) find(ctx vfs.Context, path string) (nodeKey, linux.Errno) {
	vd, err := f.VFS.GetDentryAt(ctx, f.op(path, true))
	if err != 0 {
		return nodeKey{}, err
	}
	if err := vfs.AccessVirtualDentry(ctx, vd, uint32(vfs.MayWrite)); err != 0 {
		return nodeKey{}, err
	}
	if vd.Dentry().Type() != sysunix.S_IFSOCK {
		return nodeKey{}, linux.ECONNREFUSED
	}
	return keyOf(ctx, vd)
}

func keyOf(ctx vfs.Context, vd vfs.VirtualDentry) (nodeKey, linux.Errno) {
	st, err := vfs.StatVirtualDentry(ctx, vd, linux.STATX_INO)
	if err != 0 {
		return nodeKey{}, err
	}
	return nodeKey{fs: vd.Dentry().Filesystem(), ino: st.Ino}, 0
}
