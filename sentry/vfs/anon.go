package vfs

import (
	"sync"

	"moat/sentry/abi/linux"
)

// anonMounts holds detached mounts for files with no name in the tree
// (memfd_create). It is embedded in VirtualFilesystem.
type anonMounts struct {
	// anonMu guards anon.
	anonMu sync.Mutex
	anon   map[string]*Mount
}

// AnonymousMount returns the detached mount called key, creating it with
// newFS on first use. Nothing can reach it by path.
func (v *VirtualFilesystem) AnonymousMount(key string, newFS func() *Filesystem) *Mount {
	v.anonMu.Lock()
	defer v.anonMu.Unlock()
	if m := v.anon[key]; m != nil {
		return m
	}
	fs := newFS()
	m := newMount(v, fs, fs.root, MountFlags{})
	if v.anon == nil {
		v.anon = make(map[string]*Mount)
	}
	v.anon[key] = m
	return m
}

// OpenUnlinked opens inode, a file of m's file system that no directory
// holds (already unlinked), as a file description whose path shows as
// "/name (deleted)", like Linux's memfds.
func (v *VirtualFilesystem) OpenUnlinked(ctx Context, m *Mount, inode Inode, name string, flags uint32) (*FileDescription, linux.Errno) {
	vd := v.UnlinkedDentry(m, inode, name)
	impl, err := inode.Open(ctx, vd, flags)
	if err != 0 {
		return nil, err
	}
	return NewFileDescription(impl, vd, flags), 0
}

// UnlinkedDentry returns a name for inode, a file of m's file system that
// no directory holds: what a magic link may lead to for an object that
// has no path (a pipe reopened through /proc/PID/fd).
func (v *VirtualFilesystem) UnlinkedDentry(m *Mount, inode Inode, name string) VirtualDentry {
	d := newDentry(m.fs, m.root, name, inode)
	d.dead = true
	return VirtualDentry{m, d}
}
