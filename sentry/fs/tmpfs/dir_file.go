package tmpfs

import (
	"sort"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// dirFile is an open directory.
type dirFile struct {
	vfs.FileDefaults
	dir *dirInode
}

// ReadDir implements vfs.FileImpl.ReadDir. Offsets are entry serials, so
// entries added or removed between calls never make others repeat or
// disappear.
func (f *dirFile) ReadDir(_ vfs.Context, _ *vfs.FileDescription, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	d := f.dir
	d.dirMu.Lock()
	defer d.dirMu.Unlock()
	i := sort.Search(len(d.list), func(i int) bool { return d.list[i].serial >= off })
	for ; i < len(d.list); i++ {
		e := d.list[i]
		b := e.inode.base()
		b.mu.Lock()
		typ := b.mode & unix.S_IFMT
		b.mu.Unlock()
		if !emit(vfs.Dirent{Name: e.name, Ino: b.ino, Type: vfs.DirentType(typ), NextOff: e.serial + 1}) {
			break
		}
	}
	return 0
}

// Seek implements vfs.FileImpl.Seek.
func (f *dirFile) Seek(_ vfs.Context, _ *vfs.FileDescription, offset int64, whence int32, cur int64) (int64, linux.Errno) {
	switch whence {
	case unix.SEEK_SET:
	case unix.SEEK_CUR:
		offset += cur
	default:
		return 0, linux.EINVAL
	}
	if offset < 0 {
		return 0, linux.EINVAL
	}
	return offset, 0
}

// Read implements vfs.FileImpl.Read.
func (f *dirFile) Read(vfs.Context, *vfs.FileDescription, []byte, int64) (int, linux.Errno) {
	return 0, linux.EISDIR
}

// Write implements vfs.FileImpl.Write.
func (f *dirFile) Write(vfs.Context, *vfs.FileDescription, []byte, int64) (int, linux.Errno) {
	return 0, linux.EISDIR
}

// Sync implements vfs.Syncer.Sync.
func (f *dirFile) Sync(vfs.Context) linux.Errno { return 0 }
