package gofer

import (
	"sync"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// firstOff is the offset of the first entry a file system reports: the vfs
// reports "." and ".." at 0 and 1.
const firstOff = 2

// dirFile is an open directory. It lists the directory once, on the first
// getdents (and again after a seek back to the start, as rewinddir
// expects), and serves entries from that list: entry i is at offset
// firstOff+i, so offsets stay valid however the host directory changes.
type dirFile struct {
	vfs.FileDefaults
	dir *dirInode

	// mu guards the fields below.
	mu     sync.Mutex
	ents   []proto.Dirent
	loaded bool
}

// ReadDir implements vfs.FileImpl.ReadDir.
func (f *dirFile) ReadDir(_ vfs.Context, _ *vfs.FileDescription, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.loaded {
		ents, err := f.dir.listing()
		if err != 0 {
			return err
		}
		f.ents, f.loaded = ents, true
	}
	if off < firstOff {
		off = firstOff
	}
	// Entries are on the directory's host device (a mount point inside
	// the gofer's tree is listed with the inode under it, as on Linux).
	dev := f.dir.attr.Load().Dev
	for i := off - firstOff; i < int64(len(f.ents)); i++ {
		e := &f.ents[i]
		ino := f.dir.fs.sentryIno(dev, e.Ino)
		if !emit(vfs.Dirent{Name: e.Name, Ino: ino, Type: e.Type, NextOff: firstOff + i + 1}) {
			break
		}
	}
	return 0
}

// Seek implements vfs.FileImpl.Seek. Seeking back to the start makes the
// next getdents list the directory again.
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
	if offset <= firstOff {
		f.mu.Lock()
		f.ents, f.loaded = nil, false
		f.mu.Unlock()
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
