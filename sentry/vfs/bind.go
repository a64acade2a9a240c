package vfs

import (
	"moat/sentry/abi/linux"
)

// BindMount attaches the subtree at source on target (mount --bind):
// directories on directories, files on files. With recursive, the mounts
// below source are bound again at their places under the new mount.
func (v *VirtualFilesystem) BindMount(source, target VirtualDentry, flags MountFlags, recursive bool) (*Mount, linux.Errno) {
	if source.dentry.IsDir() != target.dentry.IsDir() {
		return nil, linux.ENOTDIR
	}
	if source.dentry.IsDead() || target.dentry.IsDead() {
		return nil, linux.ENOENT
	}
	nm := newMount(v, source.mount.fs, source.dentry, flags)
	nm.inheritSource(source.mount)
	m := v.attach(nm, target)
	if recursive {
		// The new mounts are never copied again: a bind below its own
		// source (mount --rbind /a /a/b, or a path on itself) would
		// otherwise copy itself forever.
		v.bindChildren(source, m, map[*Mount]bool{m: true})
	}
	return m, 0
}

// bindChildren binds, under dst (a bind of src), every mount that sits
// below src, except the mounts in fresh (made by this bind), to which it
// adds the ones it makes.
func (v *VirtualFilesystem) bindChildren(src VirtualDentry, dst *Mount, fresh map[*Mount]bool) {
	for _, c := range v.childMounts(src.mount) {
		if fresh[c] || !v.isBelow(c.point, src.dentry) {
			continue
		}
		cm := newMount(v, c.fs, c.root, c.Flags())
		cm.inheritSource(c)
		nm := v.attach(cm, VirtualDentry{dst, c.point})
		fresh[nm] = true
		v.bindChildren(c.Root(), nm, fresh)
	}
}

// childMounts returns the mounts attached directly to m.
func (v *VirtualFilesystem) childMounts(m *Mount) []*Mount {
	v.mountMu.RLock()
	defer v.mountMu.RUnlock()
	var out []*Mount
	for k, s := range v.mounts {
		if k.parent == m {
			out = append(out, s...)
		}
	}
	return out
}

// isBelow reports whether d is top or a descendant of it.
func (v *VirtualFilesystem) isBelow(d, top *Dentry) bool {
	v.renameMu.RLock()
	defer v.renameMu.RUnlock()
	return isAncestor(top, d)
}

// UmountTree detaches m and every mount below it (umount2 MNT_DETACH).
// Open files of them keep working.
func (v *VirtualFilesystem) UmountTree(m *Mount) linux.Errno {
	if m.parent == nil {
		return linux.EINVAL
	}
	for _, c := range v.childMounts(m) {
		if err := v.UmountTree(c); err != 0 {
			return err
		}
	}
	return v.Umount(m)
}

// MountAtRoot returns the mount whose root vd is, or nil if vd is not the
// root of a mount (umount and remount targets).
func MountAtRoot(vd VirtualDentry) *Mount {
	if vd.mount != nil && vd.dentry == vd.mount.root {
		return vd.mount
	}
	return nil
}
