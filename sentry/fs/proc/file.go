package proc

import (
	"sync"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// seqFile is an open generated file: a snapshot of the contents taken at
// open, taken again when a reader comes back to offset 0 after reading.
type seqFile struct {
	vfs.FileDefaults
	src *genFile

	// mu guards the fields below.
	mu   sync.Mutex
	data []byte
	// read is set once the snapshot has been read from.
	read bool
}

// Read implements vfs.FileImpl.Read.
func (f *seqFile) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, off int64) (int, linux.Errno) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if off == 0 && f.read {
		var t *kernel.Task
		if f.src.tid != 0 {
			if t = f.src.task(); t == nil {
				return 0, linux.ESRCH
			}
		}
		data, err := f.src.gen(ctx, t)
		if err != 0 {
			return 0, err
		}
		f.data = data
	}
	f.read = true
	if off >= int64(len(f.data)) {
		return 0, 0
	}
	return copy(dst, f.data[off:]), 0
}

// Write implements vfs.FileImpl.Write. Writes apply whole: the offset is
// ignored, as for Linux's single-value proc files.
func (f *seqFile) Write(ctx vfs.Context, fd *vfs.FileDescription, src []byte, off int64) (int, linux.Errno) {
	if f.src.write == nil {
		return 0, linux.EINVAL
	}
	var t *kernel.Task
	if f.src.tid != 0 {
		if t = f.src.task(); t == nil {
			return 0, linux.ESRCH
		}
	}
	if err := f.src.write(ctx, t, src); err != 0 {
		return 0, err
	}
	return len(src), 0
}

// Seek implements vfs.FileImpl.Seek.
func (f *seqFile) Seek(ctx vfs.Context, fd *vfs.FileDescription, offset int64, whence int32, cur int64) (int64, linux.Errno) {
	f.mu.Lock()
	size := int64(len(f.data))
	f.mu.Unlock()
	return vfs.GenericSeek(offset, whence, cur, size)
}

// lister produces a directory's entries from offset off on (offsets start
// at 2; the vfs reports "." and "..").
type lister func(ctx vfs.Context, off int64, emit func(vfs.Dirent) bool) linux.Errno

// dirFile is an open procfs directory.
type dirFile struct {
	vfs.FileDefaults
	list lister
}

// ReadDir implements vfs.FileImpl.ReadDir.
func (f *dirFile) ReadDir(ctx vfs.Context, fd *vfs.FileDescription, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	return f.list(ctx, off, emit)
}

// Seek implements vfs.FileImpl.Seek; only rewinding and absolute cookies
// make sense for a directory.
func (f *dirFile) Seek(ctx vfs.Context, fd *vfs.FileDescription, offset int64, whence int32, cur int64) (int64, linux.Errno) {
	return vfs.GenericSeek(offset, whence, cur, 0)
}

// emitList emits ents (each at offset index+2) from offset off on.
func emitList(ents []vfs.Dirent, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	for i := off - 2; i >= 0 && i < int64(len(ents)); i++ {
		e := ents[i]
		e.NextOff = i + 3
		if !emit(e) {
			break
		}
	}
	return 0
}
