package gofer

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// regularFile is an open regular file. fd is the inode's shared host
// descriptor: it is only ever used with pread/pwrite at the file
// description's offset, never with its own.
type regularFile struct {
	vfs.FileDefaults
	r  *regularInode
	fd int
	// sync makes every write flush (O_SYNC, O_DSYNC).
	sync bool
}

// Release implements vfs.FileImpl.Release.
func (f *regularFile) Release() { f.r.release() }

// Read implements vfs.FileImpl.Read.
func (f *regularFile) Read(_ vfs.Context, _ *vfs.FileDescription, dst []byte, off int64) (int, linux.Errno) {
	done := 0
	for done < len(dst) {
		n, err := unix.Pread(f.fd, dst[done:], off+int64(done))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if done > 0 {
				return done, 0
			}
			return 0, errno(err)
		}
		if n == 0 {
			break
		}
		done += n
	}
	return done, 0
}

// Write implements vfs.FileImpl.Write.
func (f *regularFile) Write(_ vfs.Context, _ *vfs.FileDescription, src []byte, off int64) (int, linux.Errno) {
	return f.writeAt(src, off)
}

// writeAt writes all of src at off unless the host fails part-way.
func (f *regularFile) writeAt(src []byte, off int64) (int, linux.Errno) {
	done := 0
	for done < len(src) {
		n, err := unix.Pwrite(f.fd, src[done:], off+int64(done))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if done > 0 {
				break
			}
			return 0, errno(err)
		}
		done += n
	}
	if done > 0 {
		f.r.changed()
	}
	if f.sync && done > 0 {
		if err := unix.Fdatasync(f.fd); err != nil {
			return done, errno(err)
		}
	}
	return done, 0
}

// Append implements vfs.Appender.Append: the end is the host file's, read
// with fstat just before the write. Appends from the sandbox are
// serialized; a host process appending at the same time may interleave.
func (f *regularFile) Append(_ vfs.Context, _ *vfs.FileDescription, src []byte) (int, int64, linux.Errno) {
	f.r.appendMu.Lock()
	defer f.r.appendMu.Unlock()
	var st unix.Stat_t
	if err := unix.Fstat(f.fd, &st); err != nil {
		return 0, 0, errno(err)
	}
	n, err := f.writeAt(src, st.Size)
	return n, st.Size + int64(n), err
}

// Seek implements vfs.FileImpl.Seek; SEEK_END, SEEK_DATA and SEEK_HOLE use
// the file's size (all data is reported present).
func (f *regularFile) Seek(_ vfs.Context, _ *vfs.FileDescription, offset int64, whence int32, cur int64) (int64, linux.Errno) {
	var size int64
	if whence != unix.SEEK_SET && whence != unix.SEEK_CUR {
		var err linux.Errno
		if size, err = f.r.size(); err != 0 {
			return 0, err
		}
	}
	return vfs.GenericSeek(offset, whence, cur, size)
}

// Sync implements vfs.FileImpl.Sync.
func (f *regularFile) Sync(vfs.Context) linux.Errno {
	return errno(unix.Fsync(f.fd))
}

// HostFD implements vfs.HostFDer.HostFD: the descriptor matches the file
// description's access mode (O_RDONLY for a read-only description, O_RDWR
// otherwise), so a shared writable mapping of a read-only description
// cannot write through it.
func (f *regularFile) HostFD() (int, bool) { return f.fd, true }

// Allocate implements vfs.Allocator.Allocate with the host's fallocate.
func (f *regularFile) Allocate(_ vfs.Context, mode uint32, off, length int64) linux.Errno {
	f.r.changed()
	return errno(unix.Fallocate(f.fd, mode, off, length))
}
