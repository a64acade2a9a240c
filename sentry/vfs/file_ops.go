package vfs

import (
	"math"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// Read reads at the file offset and advances it.
func (fd *FileDescription) Read(ctx Context, dst []byte) (int, linux.Errno) {
	n, err := fd.read(ctx, dst)
	if n > 0 {
		fd.notify(unix.IN_ACCESS)
	}
	return n, err
}

func (fd *FileDescription) read(ctx Context, dst []byte) (int, linux.Errno) {
	if !fd.IsReadable() {
		return 0, linux.EBADF
	}
	if fd.stream || fd.ownOffset {
		return fd.impl.Read(ctx, fd, dst, -1)
	}
	fd.offMu.Lock()
	n, err := fd.impl.Read(ctx, fd, dst, fd.off)
	fd.off += int64(n)
	fd.offMu.Unlock()
	return n, err
}

// PRead reads at off without using the file offset.
func (fd *FileDescription) PRead(ctx Context, dst []byte, off int64) (int, linux.Errno) {
	n, err := fd.pread(ctx, dst, off)
	if n > 0 {
		fd.notify(unix.IN_ACCESS)
	}
	return n, err
}

func (fd *FileDescription) pread(ctx Context, dst []byte, off int64) (int, linux.Errno) {
	if !fd.IsReadable() {
		return 0, linux.EBADF
	}
	if fd.stream {
		return 0, linux.ESPIPE
	}
	if off < 0 {
		return 0, linux.EINVAL
	}
	return fd.impl.Read(ctx, fd, dst, off)
}

// Write writes at the file offset (or the end with O_APPEND) and advances it.
func (fd *FileDescription) Write(ctx Context, src []byte) (int, linux.Errno) {
	n, err := fd.write(ctx, src)
	if n > 0 {
		fd.notify(unix.IN_MODIFY)
	}
	return n, err
}

func (fd *FileDescription) write(ctx Context, src []byte) (int, linux.Errno) {
	if !fd.IsWritable() {
		return 0, linux.EBADF
	}
	if fd.stream || fd.ownOffset {
		return fd.impl.Write(ctx, fd, src, -1)
	}
	fd.offMu.Lock()
	defer fd.offMu.Unlock()
	if fd.flags.Load()&unix.O_APPEND != 0 {
		if a, ok := fd.impl.(Appender); ok {
			n, end, err := a.Append(ctx, fd, src)
			if n > 0 || err == 0 {
				fd.off = end
			}
			return n, err
		}
		end, err := fd.impl.Seek(ctx, fd, 0, unix.SEEK_END, fd.off)
		if err != 0 && err != linux.ESPIPE {
			return 0, err
		}
		if err == 0 {
			fd.off = end
		}
	}
	if int64(len(src)) > math.MaxInt64-fd.off {
		return 0, linux.EFBIG
	}
	if fd.isRegular() {
		n, err := CheckFileSize(ctx, fd.off, len(src))
		if err != 0 {
			return 0, err
		}
		src = src[:n]
	}
	n, err := fd.impl.Write(ctx, fd, src, fd.off)
	fd.off += int64(n)
	return n, err
}

// PWrite writes at off without using the file offset. Like Linux, it
// appends when the file was opened with O_APPEND.
func (fd *FileDescription) PWrite(ctx Context, src []byte, off int64) (int, linux.Errno) {
	n, err := fd.pwrite(ctx, src, off)
	if n > 0 {
		fd.notify(unix.IN_MODIFY)
	}
	return n, err
}

func (fd *FileDescription) pwrite(ctx Context, src []byte, off int64) (int, linux.Errno) {
	if !fd.IsWritable() {
		return 0, linux.EBADF
	}
	if fd.stream {
		return 0, linux.ESPIPE
	}
	if off < 0 {
		return 0, linux.EINVAL
	}
	if fd.flags.Load()&unix.O_APPEND != 0 {
		if a, ok := fd.impl.(Appender); ok {
			n, _, err := a.Append(ctx, fd, src)
			return n, err
		}
	}
	if int64(len(src)) > math.MaxInt64-off {
		return 0, linux.EFBIG
	}
	if fd.isRegular() {
		n, err := CheckFileSize(ctx, off, len(src))
		if err != 0 {
			return 0, err
		}
		src = src[:n]
	}
	return fd.impl.Write(ctx, fd, src, off)
}

// Seek implements lseek(2).
func (fd *FileDescription) Seek(ctx Context, offset int64, whence int32) (int64, linux.Errno) {
	if fd.IsPath() {
		return 0, linux.EBADF
	}
	if fd.stream {
		return 0, linux.ESPIPE
	}
	if fd.ownOffset {
		return fd.impl.Seek(ctx, fd, offset, whence, -1)
	}
	fd.offMu.Lock()
	defer fd.offMu.Unlock()
	n, err := fd.impl.Seek(ctx, fd, offset, whence, fd.off)
	if err != 0 {
		return 0, err
	}
	fd.off = n
	return n, 0
}

// Offset returns the current file offset.
func (fd *FileDescription) Offset() int64 {
	if fd.ownOffset {
		off, _ := fd.impl.Seek(nil, fd, 0, unix.SEEK_CUR, -1)
		return off
	}
	fd.offMu.Lock()
	defer fd.offMu.Unlock()
	return fd.off
}

// GenericSeek computes lseek for a file of the given size that supports
// SEEK_SET/CUR/END and treats all data as present (SEEK_DATA/SEEK_HOLE).
func GenericSeek(offset int64, whence int32, cur, size int64) (int64, linux.Errno) {
	var n int64
	switch whence {
	case unix.SEEK_SET:
		n = offset
	case unix.SEEK_CUR:
		if offset > 0 && cur > math.MaxInt64-offset {
			return 0, linux.EOVERFLOW
		}
		n = cur + offset
	case unix.SEEK_END:
		if offset > 0 && size > math.MaxInt64-offset {
			return 0, linux.EOVERFLOW
		}
		n = size + offset
	case unix.SEEK_DATA:
		if offset < 0 || offset >= size {
			return 0, linux.ENXIO
		}
		n = offset
	case unix.SEEK_HOLE:
		if offset < 0 || offset >= size {
			return 0, linux.ENXIO
		}
		n = size
	default:
		return 0, linux.EINVAL
	}
	if n < 0 {
		return 0, linux.EINVAL
	}
	return n, 0
}

// Getdents calls emit for directory entries from the file offset on,
// starting with "." and "..", and advances the offset past each entry emit
// accepts. It returns when emit returns false or the directory ends.
func (fd *FileDescription) Getdents(ctx Context, emit func(Dirent) bool) linux.Errno {
	if fd.IsPath() {
		return linux.EBADF
	}
	d := fd.vd.dentry
	if d != nil && !d.IsDir() {
		return linux.ENOTDIR
	}
	fd.offMu.Lock()
	defer fd.offMu.Unlock()
	if d != nil && d.IsDead() {
		return linux.ENOENT
	}
	if d != nil && fd.off < 2 {
		if fd.off == 0 {
			if !emit(Dirent{Name: ".", Ino: inodeNumber(ctx, d), Type: unix.DT_DIR, NextOff: 1}) {
				return 0
			}
			fd.off = 1
		}
		parent := fd.vd.mount.vfs.parentForDirent(fd.vd)
		if !emit(Dirent{Name: "..", Ino: inodeNumber(ctx, parent), Type: unix.DT_DIR, NextOff: 2}) {
			return 0
		}
		fd.off = 2
	}
	return fd.impl.ReadDir(ctx, fd, fd.off, func(e Dirent) bool {
		if !emit(e) {
			return false
		}
		fd.off = e.NextOff
		return true
	})
}

// inodeNumber returns the inode number of d, or 0 on error.
func inodeNumber(ctx Context, d *Dentry) uint64 {
	st, err := d.inode.Stat(ctx, linux.STATX_INO)
	if err != 0 {
		return 0
	}
	return st.Ino
}

// Ioctl implements ioctl(2) on fd.
func (fd *FileDescription) Ioctl(ctx Context, mem UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	if fd.IsPath() {
		return 0, linux.EBADF
	}
	return fd.impl.Ioctl(ctx, fd, mem, cmd, arg)
}

// Sync implements fsync(2).
func (fd *FileDescription) Sync(ctx Context) linux.Errno {
	if fd.IsPath() {
		return linux.EBADF
	}
	if s, ok := fd.impl.(Syncer); ok {
		return s.Sync(ctx)
	}
	if d := fd.vd.dentry; d != nil && (d.typ == sIFREG || d.typ == sIFDIR) {
		return 0
	}
	return linux.EINVAL
}

// Stat returns the attributes of the open file.
func (fd *FileDescription) Stat(ctx Context, mask uint32) (linux.Statx, linux.Errno) {
	if s, ok := fd.impl.(FileStater); ok {
		return s.Stat(ctx, mask)
	}
	if fd.vd.dentry == nil {
		return linux.Statx{}, linux.EBADF
	}
	return statDentry(ctx, fd.vd, mask)
}

// SetStat changes the attributes of the open file, with the permission
// checks of fchmod/fchown/futimens; ftruncate uses Truncate.
func (fd *FileDescription) SetStat(ctx Context, opts *SetStatOptions) linux.Errno {
	if fd.IsPath() {
		return linux.EBADF
	}
	if s, ok := fd.impl.(FileStater); ok {
		return s.SetStat(ctx, opts)
	}
	if fd.vd.dentry == nil {
		return linux.EBADF
	}
	return setStatDentry(ctx, fd.vd, opts, true)
}

// Truncate implements ftruncate(2).
func (fd *FileDescription) Truncate(ctx Context, size int64) linux.Errno {
	if size < 0 {
		return linux.EINVAL
	}
	if fd.IsPath() {
		return linux.EBADF
	}
	if !fd.IsWritable() {
		return linux.EINVAL
	}
	if fd.vd.dentry != nil && fd.vd.dentry.typ != sIFREG {
		return linux.EINVAL
	}
	if fd.vd.dentry == nil {
		st, err := fd.Stat(ctx, linux.STATX_TYPE)
		if err != 0 {
			return err
		}
		if uint32(st.Mode)&sIFMT != sIFREG {
			return linux.EINVAL
		}
	}
	if err := checkFileSizeFor(ctx, uint64(size)); err != 0 {
		return err
	}
	opts := &SetStatOptions{Mask: linux.STATX_SIZE, Size: uint64(size)}
	if s, ok := fd.impl.(FileStater); ok {
		return s.SetStat(ctx, opts)
	}
	if fd.vd.dentry == nil {
		return linux.EINVAL
	}
	if err := fd.vd.dentry.inode.SetStat(ctx, opts); err != 0 {
		return err
	}
	fd.notify(unix.IN_MODIFY)
	return 0
}

// Allocate implements fallocate(2).
func (fd *FileDescription) Allocate(ctx Context, mode uint32, off, length int64) linux.Errno {
	if !fd.IsWritable() {
		return linux.EBADF
	}
	if off < 0 || length <= 0 {
		return linux.EINVAL
	}
	if fd.vd.dentry != nil {
		switch fd.vd.dentry.typ {
		case sIFDIR:
			return linux.EISDIR
		case sIFREG:
		default:
			return linux.ENODEV
		}
	} else {
		return linux.ESPIPE
	}
	if off+length < 0 {
		return linux.EFBIG
	}
	if mode&unix.FALLOC_FL_KEEP_SIZE == 0 {
		if err := checkFileSizeFor(ctx, uint64(off+length)); err != 0 {
			return err
		}
	}
	if a, ok := fd.impl.(Allocator); ok {
		err := a.Allocate(ctx, mode, off, length)
		if err == 0 {
			fd.notify(unix.IN_MODIFY)
		}
		return err
	}
	return linux.EOPNOTSUPP
}
