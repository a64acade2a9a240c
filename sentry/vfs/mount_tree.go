package vfs

// Extra mount trees: the containers of a pod share one VirtualFilesystem
// (file systems, locks, terminals, inotify) but each has a mount tree of
// its own, rooted at a mount that is not attached anywhere. A task whose
// root directory is in such a tree resolves paths in it alone: ".." stops
// at its root, mounts are keyed by their parent mount, and PathName from
// it does not reach other trees, so /proc/self/mounts lists only its
// mounts.

// NewMountTree returns the root mount of a new, detached mount tree on
// fs. ReleaseMountTree takes it down again.
func (v *VirtualFilesystem) NewMountTree(fs *Filesystem, flags MountFlags) *Mount {
	m := newMount(v, fs, fs.root, flags)
	v.mountMu.Lock()
	defer v.mountMu.Unlock()
	v.trees = append(v.trees, m)
	return m
}

// ReleaseMountTree detaches every mount of the tree rooted at root and
// returns them, root last, so that the caller can release their file
// systems. Open files keep working as after umount.
func (v *VirtualFilesystem) ReleaseMountTree(root *Mount) []*Mount {
	v.mountMu.Lock()
	defer v.mountMu.Unlock()
	found := false
	for i, m := range v.trees {
		if m == root {
			v.trees = append(v.trees[:i:i], v.trees[i+1:]...)
			found = true
			break
		}
	}
	if !found {
		return nil
	}
	inTree := func(m *Mount) bool {
		for ; m != nil; m = m.parent {
			if m == root {
				return true
			}
		}
		return false
	}
	var out []*Mount
	for k, stack := range v.mounts {
		if !inTree(k.parent) {
			continue
		}
		for _, m := range stack {
			m.point.mounts.Add(-1)
		}
		out = append(out, stack...)
		delete(v.mounts, k)
	}
	return append(out, root)
}
