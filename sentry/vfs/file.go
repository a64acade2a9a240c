package vfs

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// Dirent is one directory entry reported by FileImpl.ReadDir. NextOff is the
// offset (cookie) from which reading continues after this entry.
type Dirent struct {
	Name    string
	Ino     uint64
	Type    uint8
	NextOff int64
}

// FileImpl is a file system's part of an open file. Embed FileDefaults for
// the operations a file does not support.
type FileImpl interface {
	// Release is called once, when the last reference to the file
	// description is dropped.
	Release()
	// Read reads at off. off is -1 for stream files and for reads at the
	// file's own offset of an OwnOffsetFile.
	Read(ctx Context, fd *FileDescription, dst []byte, off int64) (int, linux.Errno)
	// Write writes at off, with -1 as for Read.
	Write(ctx Context, fd *FileDescription, src []byte, off int64) (int, linux.Errno)
	// Seek returns the new offset for lseek(offset, whence) given the
	// current offset cur.
	Seek(ctx Context, fd *FileDescription, offset int64, whence int32, cur int64) (int64, linux.Errno)
	// ReadDir calls emit for the entries at and after off until emit
	// returns false or the directory ends. The vfs reports "." and ".."
	// itself at offsets 0 and 1: a file system's offsets start at 2.
	ReadDir(ctx Context, fd *FileDescription, off int64, emit func(Dirent) bool) linux.Errno
	// Ioctl handles ioctl(2); arg may be a pointer into mem.
	Ioctl(ctx Context, fd *FileDescription, mem UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno)
}

// Optional FileImpl interfaces.
type (
	// Syncer flushes a file's data for fsync/fdatasync. Without it,
	// regular files and directories sync trivially (the sentry holds no
	// dirty state for them) and other files fail with EINVAL, as on Linux.
	Syncer interface {
		Sync(ctx Context) linux.Errno
	}
	// Appender writes at the end of file atomically for O_APPEND and
	// returns the new end offset.
	Appender interface {
		Append(ctx Context, fd *FileDescription, src []byte) (n int, end int64, err linux.Errno)
	}
	// HostFDer is implemented by files whose data a host fd holds, so the
	// memory manager can map it.
	HostFDer interface {
		HostFD() (fd int, ok bool)
	}
	// StreamFile marks a file without a file offset (pipes, sockets,
	// terminals): reads and writes do not take the offset lock.
	StreamFile interface {
		IsStream() bool
	}
	// OwnOffsetFile marks a seekable file that keeps its file offset
	// itself (a host file whose offset other host processes share):
	// Read and Write get off -1 for "at the offset", and Seek gets cur -1
	// and does the whole lseek.
	OwnOffsetFile interface {
		OwnsOffset() bool
	}
	// FileStater is implemented by files without an inode (pipes, host
	// fds), or that report attributes of their own.
	FileStater interface {
		Stat(ctx Context, mask uint32) (linux.Statx, linux.Errno)
		SetStat(ctx Context, opts *SetStatOptions) linux.Errno
	}
	// DiscardingWriter is implemented by files whose writes ignore the
	// data (/dev/null): the caller may skip copying it in, so a bad
	// buffer does not fail the write, as on Linux.
	DiscardingWriter interface {
		DiscardsWrites() bool
	}
	// AnonymousMapper is implemented by files whose mappings are plain
	// anonymous memory (/dev/zero): mmap of them maps no file.
	AnonymousMapper interface {
		MapsAsAnonymous() bool
	}
	// Sealable is implemented by files that support memfd seals
	// (F_GET_SEALS, F_ADD_SEALS). The vfs checks that the file is open for
	// writing before AddSeals.
	Sealable interface {
		Seals() uint32
		AddSeals(seals uint32) linux.Errno
	}
	// Allocator implements fallocate(2).
	Allocator interface {
		Allocate(ctx Context, mode uint32, off, length int64) linux.Errno
	}
)

// FileDefaults gives a FileImpl the error results of unsupported
// operations. Embed it and override.
type FileDefaults struct{}

// Release implements FileImpl.Release.
func (FileDefaults) Release() {}

// Read implements FileImpl.Read.
func (FileDefaults) Read(Context, *FileDescription, []byte, int64) (int, linux.Errno) {
	return 0, linux.EINVAL
}

// Write implements FileImpl.Write.
func (FileDefaults) Write(Context, *FileDescription, []byte, int64) (int, linux.Errno) {
	return 0, linux.EINVAL
}

// Seek implements FileImpl.Seek.
func (FileDefaults) Seek(Context, *FileDescription, int64, int32, int64) (int64, linux.Errno) {
	return 0, linux.ESPIPE
}

// ReadDir implements FileImpl.ReadDir.
func (FileDefaults) ReadDir(Context, *FileDescription, int64, func(Dirent) bool) linux.Errno {
	return linux.ENOTDIR
}

// Ioctl implements FileImpl.Ioctl.
func (FileDefaults) Ioctl(Context, *FileDescription, UserMemory, uint32, uintptr) (uintptr, linux.Errno) {
	return 0, linux.ENOTTY
}

// FileDescription is an open file: what an fd refers to, shared by dup and
// fork. It is reference-counted; the last DecRef calls FileImpl.Release.
type FileDescription struct {
	refs atomic.Int64
	impl FileImpl
	vd   VirtualDentry
	// flags holds the access mode and status flags (O_APPEND, O_NONBLOCK,
	// O_DIRECT, O_NOATIME, O_ASYNC); it is read and set atomically.
	flags  atomic.Uint32
	stream bool
	// ownOffset: the FileImpl keeps the offset (OwnOffsetFile).
	ownOffset bool
	// ofdLocks is set once an OFD or flock lock was taken through this
	// description.
	ofdLocks atomic.Bool

	// offMu guards off and serializes offset-using reads, writes and seeks.
	offMu sync.Mutex
	off   int64
}

// settableFlags are the status flags F_SETFL may change.
const settableFlags = unix.O_APPEND | unix.O_NONBLOCK | unix.O_DIRECT | unix.O_NOATIME | unix.O_ASYNC

// keptFlags are the open flags a file description remembers.
const keptFlags = unix.O_ACCMODE | settableFlags | unix.O_PATH | unix.O_DSYNC | unix.O_SYNC | unix.O_LARGEFILE | unix.O_DIRECTORY

// NewFileDescription returns a file description with one reference. vd may
// be the zero VirtualDentry for files without a path (pipes, sockets, host
// fds); such files implement FileStater.
func NewFileDescription(impl FileImpl, vd VirtualDentry, flags uint32) *FileDescription {
	fd := &FileDescription{impl: impl, vd: vd}
	fd.refs.Store(1)
	fd.flags.Store(flags & keptFlags)
	if s, ok := impl.(StreamFile); ok {
		fd.stream = s.IsStream()
	}
	if o, ok := impl.(OwnOffsetFile); ok {
		fd.ownOffset = o.OwnsOffset()
	}
	return fd
}

// IncRef takes a reference.
func (fd *FileDescription) IncRef() { fd.refs.Add(1) }

// TryIncRef takes a reference unless the count already reached zero.
func (fd *FileDescription) TryIncRef() bool {
	for {
		r := fd.refs.Load()
		if r <= 0 {
			return false
		}
		if fd.refs.CompareAndSwap(r, r+1) {
			return true
		}
	}
}

// DecRef drops a reference and releases the file on the last one.
func (fd *FileDescription) DecRef() {
	switch r := fd.refs.Add(-1); {
	case r == 0:
		if fd.IsWritable() {
			fd.notify(unix.IN_CLOSE_WRITE)
		} else if !fd.IsPath() {
			fd.notify(unix.IN_CLOSE_NOWRITE)
		}
		if fd.ofdLocks.Load() {
			fd.vd.mount.vfs.releaseLocks(fd.vd.dentry.inode, fd)
			fd.vd.mount.vfs.releaseLocks(flockKey{fd.vd.dentry.inode}, fd)
		}
		fd.impl.Release()
	case r < 0:
		panic("vfs: FileDescription.DecRef on a released file")
	}
}

// Impl returns the file system's implementation of fd.
func (fd *FileDescription) Impl() FileImpl { return fd.impl }

// VirtualDentry returns the path fd was opened at (zero for anonymous files).
func (fd *FileDescription) VirtualDentry() VirtualDentry { return fd.vd }

// Dentry returns fd's dentry or nil.
func (fd *FileDescription) Dentry() *Dentry { return fd.vd.dentry }

// Mount returns fd's mount or nil.
func (fd *FileDescription) Mount() *Mount { return fd.vd.mount }

// StatusFlags returns the access mode and status flags (F_GETFL).
func (fd *FileDescription) StatusFlags() uint32 { return fd.flags.Load() }

// SetStatusFlags changes the flags F_SETFL may change.
func (fd *FileDescription) SetStatusFlags(flags uint32) {
	for {
		old := fd.flags.Load()
		n := old&^settableFlags | flags&settableFlags
		if fd.flags.CompareAndSwap(old, n) {
			return
		}
	}
}

// IsPath reports whether fd was opened with O_PATH.
func (fd *FileDescription) IsPath() bool { return fd.flags.Load()&unix.O_PATH != 0 }

// IsReadable reports whether fd was opened for reading.
func (fd *FileDescription) IsReadable() bool {
	f := fd.flags.Load()
	acc := f & unix.O_ACCMODE
	return f&unix.O_PATH == 0 && (acc == unix.O_RDONLY || acc == unix.O_RDWR)
}

// IsWritable reports whether fd was opened for writing.
func (fd *FileDescription) IsWritable() bool {
	f := fd.flags.Load()
	acc := f & unix.O_ACCMODE
	return f&unix.O_PATH == 0 && (acc == unix.O_WRONLY || acc == unix.O_RDWR)
}

// IsStream reports whether fd has no file offset.
func (fd *FileDescription) IsStream() bool { return fd.stream }

// HostFD returns a host fd holding fd's data, for mmap.
func (fd *FileDescription) HostFD() (int, bool) {
	if h, ok := fd.impl.(HostFDer); ok && !fd.IsPath() {
		return h.HostFD()
	}
	return -1, false
}

// SetOFDLock sets an open file description lock (F_OFD_SETLK); the lock is
// released with the description's last reference.
func (fd *FileDescription) SetOFDLock(ctx Context, typ LockType, start, end uint64, wait bool) linux.Errno {
	if fd.vd.dentry == nil {
		return linux.EINVAL
	}
	fd.ofdLocks.Store(true)
	return fd.vd.mount.vfs.SetLock(ctx, fd.vd.dentry.inode, fd, -1, typ, start, end, wait)
}

// DiscardsWrites reports whether writes to fd ignore their data.
func (fd *FileDescription) DiscardsWrites() bool {
	d, ok := fd.impl.(DiscardingWriter)
	return ok && d.DiscardsWrites()
}

// MapsAsAnonymous reports whether mmap of fd gives anonymous memory.
func (fd *FileDescription) MapsAsAnonymous() bool {
	a, ok := fd.impl.(AnonymousMapper)
	return ok && a.MapsAsAnonymous()
}

// Seals returns fd's memfd seals (F_SEAL_*) and whether the file supports
// them; the memory manager refuses shared writable mappings of a file with
// F_SEAL_WRITE or F_SEAL_FUTURE_WRITE.
func (fd *FileDescription) Seals() (uint32, bool) {
	s, ok := fd.impl.(Sealable)
	if !ok {
		return 0, false
	}
	return s.Seals(), true
}
