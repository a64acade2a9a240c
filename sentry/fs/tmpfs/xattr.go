package tmpfs

import (
	"sort"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// GetXattr implements vfs.XattrInode.GetXattr.
func (i *inode) GetXattr(_ vfs.Context, name string) ([]byte, linux.Errno) {
	i.mu.Lock()
	defer i.mu.Unlock()
	v, ok := i.xattrs[name]
	if !ok {
		return nil, linux.ENODATA
	}
	return append([]byte(nil), v...), 0
}

// SetXattr implements vfs.XattrInode.SetXattr.
func (i *inode) SetXattr(_ vfs.Context, name string, value []byte, flags uint32) linux.Errno {
	i.mu.Lock()
	defer i.mu.Unlock()
	_, exists := i.xattrs[name]
	if flags&vfs.XattrCreate != 0 && exists {
		return linux.EEXIST
	}
	if flags&vfs.XattrReplace != 0 && !exists {
		return linux.ENODATA
	}
	used := len(name) + len(value)
	for n, v := range i.xattrs {
		if n != name {
			used += len(n) + len(v)
		}
	}
	if used > maxXattrBytes {
		return linux.ENOSPC
	}
	if i.xattrs == nil {
		i.xattrs = make(map[string][]byte)
	}
	i.xattrs[name] = append([]byte(nil), value...)
	i.ctime = i.fs.now()
	return 0
}

// maxXattrBytes bounds the names and values of one inode's attributes
// together, so that a sandbox cannot grow the sentry's memory through
// them beyond what file data (host memfds) would cost.
const maxXattrBytes = 128 << 10

// ListXattr implements vfs.XattrInode.ListXattr.
func (i *inode) ListXattr(vfs.Context) ([]string, linux.Errno) {
	i.mu.Lock()
	defer i.mu.Unlock()
	names := make([]string, 0, len(i.xattrs))
	for n := range i.xattrs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, 0
}

// RemoveXattr implements vfs.XattrInode.RemoveXattr.
func (i *inode) RemoveXattr(_ vfs.Context, name string) linux.Errno {
	i.mu.Lock()
	defer i.mu.Unlock()
	if _, ok := i.xattrs[name]; !ok {
		return linux.ENODATA
	}
	delete(i.xattrs, name)
	i.ctime = i.fs.now()
	return 0
}
