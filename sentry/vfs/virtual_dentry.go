package vfs

// VirtualDentry is a dentry as seen through a mount. It is a plain value:
// dentries and mounts are garbage-collected, so holding one needs no
// reference count.
type VirtualDentry struct {
	mount  *Mount
	dentry *Dentry
}

// NewVirtualDentry pairs a mount and a dentry of its file system.
func NewVirtualDentry(m *Mount, d *Dentry) VirtualDentry { return VirtualDentry{m, d} }

// Mount returns the mount.
func (vd VirtualDentry) Mount() *Mount { return vd.mount }

// Dentry returns the dentry.
func (vd VirtualDentry) Dentry() *Dentry { return vd.dentry }

// Ok reports whether vd is set.
func (vd VirtualDentry) Ok() bool { return vd.dentry != nil }
