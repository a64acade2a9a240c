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

// Mount is a Filesystem attached at a dentry of a parent mount.
type Mount struct {
	vfs    *VirtualFilesystem
	fs     *Filesystem
	root   *Dentry
	id     uint64
	flags  MountFlags
	parent *Mount  // nil for the namespace root
	point  *Dentry // in parent; nil for the namespace root
}

// Filesystem returns the mounted file system.
func (m *Mount) Filesystem() *Filesystem { return m.fs }

// Root returns the mount's root as a VirtualDentry.
func (m *Mount) Root() VirtualDentry { return VirtualDentry{m, m.root} }

// ID returns the mount's ID (as in /proc/self/mountinfo).
func (m *Mount) ID() uint64 { return m.id }

// Flags returns the mount's flags.
func (m *Mount) Flags() MountFlags { return m.flags }

// ReadOnly reports whether the mount is read-only.
func (m *Mount) ReadOnly() bool { return m.flags.ReadOnly }

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
	v.root = &Mount{vfs: v, fs: fs, root: fs.root, id: v.nextMountID.Add(1), flags: flags}
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

// Mount attaches fs on the directory target and returns the new mount.
func (v *VirtualFilesystem) Mount(target VirtualDentry, fs *Filesystem, flags MountFlags) (*Mount, linux.Errno) {
	if !target.dentry.IsDir() || !fs.root.IsDir() {
		return nil, linux.ENOTDIR
	}
	if target.dentry.IsDead() {
		return nil, linux.ENOENT
	}
	m := &Mount{
		vfs: v, fs: fs, root: fs.root, id: v.nextMountID.Add(1), flags: flags,
		parent: target.mount, point: target.dentry,
	}
	v.mountMu.Lock()
	k := mountKey{target.mount, target.dentry}
	v.mounts[k] = append(v.mounts[k], m)
	target.dentry.mounts.Add(1)
	v.mountMu.Unlock()
	return m, 0
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
