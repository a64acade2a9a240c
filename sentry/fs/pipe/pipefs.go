package pipe

import (
	"fmt"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

// Reopening an anonymous pipe by path: open(2) of /proc/PID/fd/N (so
// /dev/fd/N, /dev/stdin) where N is a pipe opens a new description of the
// same pipe, as on Linux, where a pipe is an inode of the internal pipefs
// mount and the open goes through the FIFO rules. Bash's process
// substitution and `cat /dev/stdin` rely on it.

// endOf returns the pipe end fd is, or nil.
func endOf(fd *vfs.FileDescription) *end {
	switch e := fd.Impl().(type) {
	case *end:
		return e
	case anonEnd:
		return e.end
	}
	return nil
}

// pipefsKey names the pipefs mount in vfs.AnonymousMount.
const pipefsKey = "pipefs"

// ReopenTarget returns what the magic link of fd (/proc/PID/fd/N) leads to
// when fd is an anonymous pipe: a name in pipefs for its pipe, which opens
// like a FIFO. ok is false for any other file.
func ReopenTarget(v *vfs.VirtualFilesystem, fd *vfs.FileDescription) (vd vfs.VirtualDentry, ok bool) {
	a, isAnon := fd.Impl().(anonEnd)
	if !isAnon {
		return vfs.VirtualDentry{}, false
	}
	m := v.AnonymousMount(pipefsKey, func() *vfs.Filesystem {
		return v.NewFilesystem(pipefs{}, pipefsRoot{})
	})
	p := a.p
	return v.UnlinkedDentry(m, &pipeInode{p: p}, fmt.Sprintf("pipe:[%d]", p.ino)), true
}

// InPipefs reports whether vd is a pipe reopened by path (its link text is
// pipe:[INO], not a path).
func InPipefs(vd vfs.VirtualDentry) bool {
	_, ok := vd.Mount().Filesystem().Impl().(pipefs)
	return ok
}

// pipefs is the file system of reopened pipes; nothing reaches it by path.
type pipefs struct{}

// Name implements vfs.FilesystemImpl.Name.
func (pipefs) Name() string { return "pipefs" }

// StatFS implements vfs.FilesystemImpl.StatFS.
func (pipefs) StatFS(vfs.Context) (linux.Statfs, linux.Errno) {
	return linux.Statfs{Type: pipefsMagic, Bsize: 4096, Namelen: 255}, 0
}

// Release implements vfs.FilesystemImpl.Release.
func (pipefs) Release() {}

// pipefsMagic is PIPEFS_MAGIC.
const pipefsMagic = 0x50495045

// pipefsRoot is pipefs's root directory.
type pipefsRoot struct{ vfs.InodeDefaults }

// Perms implements vfs.Inode.Perms.
func (pipefsRoot) Perms() vfs.Perms { return vfs.Perms{Mode: unix.S_IFDIR | 0o555} }

// Stat implements vfs.Inode.Stat.
func (pipefsRoot) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{Mask: linux.STATX_BASIC_STATS, Mode: unix.S_IFDIR | 0o555, Nlink: 2, Ino: 1, DevMinor: pipefsMinor}, 0
}

// pipeInode is an anonymous pipe seen as an inode of pipefs.
type pipeInode struct {
	vfs.InodeDefaults
	p *Pipe
}

// Perms implements vfs.Inode.Perms.
func (n *pipeInode) Perms() vfs.Perms {
	return vfs.Perms{Mode: unix.S_IFIFO | 0o600, UID: auth.KUID(n.p.uid), GID: auth.KGID(n.p.gid)}
}

// Stat implements vfs.Inode.Stat.
func (n *pipeInode) Stat(ctx vfs.Context, mask uint32) (linux.Statx, linux.Errno) {
	return anonEnd{&end{p: n.p}}.Stat(ctx, mask)
}

// Open implements vfs.Inode.Open: a new end of the same pipe, at once.
func (n *pipeInode) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	return openEnd(ctx, n.p, flags, true)
}
