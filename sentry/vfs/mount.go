package vfs

import (
	"sync"
	"sync/atomic"

	"moat/sentry/abi/linux"
)

// MountFlags are per-mount options.
type MountFlags struct {
	ReadOnly bool
	NoExec   bool
	NoSuid   bool
	NoDev    bool
}

// Mount bits of MountFlags, as kept in Mount.flags.
const (
	mountReadOnly = 1 << iota
	mountNoExec
	mountNoSuid
	mountNoDev
)

func (f MountFlags) bits() uint32 {
	var b uint32
	if f.ReadOnly {
		b |= mountReadOnly
	}
	if f.NoExec {
		b |= mountNoExec
	}
	if f.NoSuid {
		b |= mountNoSuid
	}
	if f.NoDev {
		b |= mountNoDev
	}
	return b
}

// Mount is a Filesystem (or, for a bind mount, a subtree of one) attached
// at a dentry of a parent mount.
type Mount struct {
	vfs  *VirtualFilesystem
	fs   *Filesystem
	root *Dentry
	id   uint64
	// flags holds MountFlags bits; remount changes them atomically.
	flags  atomic.Uint32
	parent *Mount  // nil for the namespace root
	point  *Dentry // in parent; nil for the namespace root
	// src is the source mountinfo shows (SetSource); nil for none.
	src atomic.Pointer[mountSource]
}

func newMount(v *VirtualFilesystem, fs *Filesystem, root *Dentry, flags MountFlags) *Mount {
	m := &Mount{vfs: v, fs: fs, root: root, id: v.nextMountID.Add(1)}
	m.flags.Store(flags.bits())
	return m
}

// Filesystem returns the mounted file system.
func (m *Mount) Filesystem() *Filesystem { return m.fs }

// Root returns the mount's root as a VirtualDentry.
func (m *Mount) Root() VirtualDentry { return VirtualDentry{m, m.root} }

// ID returns the mount's ID (as in /proc/self/mountinfo).
func (m *Mount) ID() uint64 { return m.id }

// Flags returns the mount's flags.
func (m *Mount) Flags() MountFlags {
	b := m.flags.Load()
	return MountFlags{
		ReadOnly: b&mountReadOnly != 0, NoExec: b&mountNoExec != 0,
		NoSuid: b&mountNoSuid != 0, NoDev: b&mountNoDev != 0,
	}
}

// SetFlags changes the mount's flags (remount).
func (m *Mount) SetFlags(f MountFlags) { m.flags.Store(f.bits()) }

// Parent returns the mount m is attached to (nil for the namespace root)
// and the mount point dentry in it.
func (m *Mount) Parent() (*Mount, *Dentry) { return m.parent, m.point }

// ReadOnly reports whether the mount is read-only.
func (m *Mount) ReadOnly() bool { return m.flags.Load()&mountReadOnly != 0 }

// mountKey identifies a mount point: a dentry as seen through a mount.
type mountKey struct {
	parent *Mount
	point  *Dentry
}

// VirtualFilesystem is a mount namespace: a tree of mounts with a root.
type VirtualFilesystem struct {
	// renameMu is held for reading by path walks and directory operations
	// and for writing by rename, which changes Dentry.parent and name.
	renameMu sync.RWMutex

	// mountMu guards mounts and root.
	mountMu sync.RWMutex
	// mounts maps a mount point to the mounts stacked on it (last on top).
	mounts map[mountKey][]*Mount
	root   *Mount
	// trees are the roots of the detached mount trees (mount_tree.go).
	trees []*Mount

	nextDev     atomic.Uint32
	nextMountID atomic.Uint64

	deviceRegistry
	lockTable
	anonMounts
	ttyTable
	inotifyWatches
}

// New returns an empty mount namespace; call MountRoot before use.
func New() *VirtualFilesystem {
	return &VirtualFilesystem{mounts: make(map[mountKey][]*Mount)}
}

// MountRoot makes fs the namespace's root mount.
func (v *VirtualFilesystem) MountRoot(fs *Filesystem, flags MountFlags) (*Mount, linux.Errno) {
	v.mountMu.Lock()
	defer v.mountMu.Unlock()
	if v.root != nil {
		return nil, linux.EBUSY
	}
	v.root = newMount(v, fs, fs.root, flags)
	return v.root, 0
}

// Root returns the root of the namespace (the zero value before MountRoot).
func (v *VirtualFilesystem) Root() VirtualDentry {
	v.mountMu.RLock()
	defer v.mountMu.RUnlock()
	if v.root == nil {
		return VirtualDentry{}
	}
	return v.root.Root()
}

// Mount attaches fs on target and returns the new mount: a directory on a
// directory, or a file system whose root is a file (a file bind mount) on a
// file.
func (v *VirtualFilesystem) Mount(target VirtualDentry, fs *Filesystem, flags MountFlags) (*Mount, linux.Errno) {
	if target.dentry.IsDir() != fs.root.IsDir() {
		return nil, linux.ENOTDIR
	}
	if target.dentry.IsDead() {
		return nil, linux.ENOENT
	}
	return v.attach(newMount(v, fs, fs.root, flags), target), 0
}

// attach puts m on top of target.
func (v *VirtualFilesystem) attach(m *Mount, target VirtualDentry) *Mount {
	m.parent, m.point = target.mount, target.dentry
	v.mountMu.Lock()
	k := mountKey{target.mount, target.dentry}
	v.mounts[k] = append(v.mounts[k], m)
	target.dentry.mounts.Add(1)
	v.mountMu.Unlock()
	return m
}

// MountAt resolves path (following symlinks) from root and mounts fs there.
func (v *VirtualFilesystem) MountAt(ctx Context, root VirtualDentry, path string, fs *Filesystem, flags MountFlags) (*Mount, linux.Errno) {
	vd, err := v.GetDentryAt(ctx, &PathOp{Root: root, Start: root, Path: path, Follow: true})
	if err != 0 {
		return nil, err
	}
	return v.Mount(vd, fs, flags)
}

// Umount detaches m. It fails with EBUSY if other mounts sit on m or if m
// is the namespace root. Open files of m keep working.
func (v *VirtualFilesystem) Umount(m *Mount) linux.Errno {
	v.mountMu.Lock()
	defer v.mountMu.Unlock()
	if m.parent == nil {
		return linux.EBUSY
	}
	for k := range v.mounts {
		if k.parent == m {
			return linux.EBUSY
		}
	}
	k := mountKey{m.parent, m.point}
	stack := v.mounts[k]
	for i, x := range stack {
		if x == m {
			stack = append(stack[:i:i], stack[i+1:]...)
			break
		}
	}
	if len(stack) == 0 {
		delete(v.mounts, k)
	} else {
		v.mounts[k] = stack
	}
	m.point.mounts.Add(-1)
	return 0
}

// Mounts returns every mount, the root first, for /proc/self/mounts.
func (v *VirtualFilesystem) Mounts() []*Mount {
	v.mountMu.RLock()
	defer v.mountMu.RUnlock()
	var out []*Mount
	if v.root != nil {
		out = append(out, v.root)
	}
	out = append(out, v.trees...)
	for _, s := range v.mounts {
		out = append(out, s...)
	}
	return out
}

// topMount returns the mount on top of (parent, point), or nil.
func (v *VirtualFilesystem) topMount(parent *Mount, point *Dentry) *Mount {
	v.mountMu.RLock()
	defer v.mountMu.RUnlock()
	s := v.mounts[mountKey{parent, point}]
	if len(s) == 0 {
		return nil
	}
	return s[len(s)-1]
}

// crossMounts moves vd down into the mounts stacked on it, if any.
func (v *VirtualFilesystem) crossMounts(vd VirtualDentry) VirtualDentry {
	for vd.dentry.mounts.Load() > 0 {
		m := v.topMount(vd.mount, vd.dentry)
		if m == nil {
			break
		}
		vd = VirtualDentry{m, m.root}
	}
	return vd
}
