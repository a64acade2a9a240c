package tmpfs

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

// regularFile is an open regular file.
type regularFile struct {
	vfs.FileDefaults
	r *regularInode
}

// Release implements vfs.FileImpl.Release.
func (f *regularFile) Release() {
	f.r.dataMu.Lock()
	f.r.opens--
	f.r.dataMu.Unlock()
	f.r.maybeFree()
}

// Read implements vfs.FileImpl.Read.
func (f *regularFile) Read(_ vfs.Context, _ *vfs.FileDescription, dst []byte, off int64) (int, linux.Errno) {
	r := f.r
	size := r.size.Load()
	if off >= size || len(dst) == 0 {
		return 0, 0
	}
	if int64(len(dst)) > size-off {
		dst = dst[:size-off]
	}
	fd := int(r.memfd.Load())
	if fd < 0 {
		return 0, 0
	}
	done := 0
	for done < len(dst) {
		n, err := unix.Pread(fd, dst[done:], off+int64(done))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if done > 0 {
				return done, 0
			}
			return 0, linux.FromHost(err)
		}
		if n == 0 {
			break
		}
		done += n
	}
	return done, 0
}

// Write implements vfs.FileImpl.Write.
func (f *regularFile) Write(ctx vfs.Context, _ *vfs.FileDescription, src []byte, off int64) (int, linux.Errno) {
	f.r.dataMu.Lock()
	defer f.r.dataMu.Unlock()
	return f.writeLocked(ctx, src, off)
}

// Append implements vfs.Appender.Append.
func (f *regularFile) Append(ctx vfs.Context, _ *vfs.FileDescription, src []byte) (int, int64, linux.Errno) {
	f.r.dataMu.Lock()
	defer f.r.dataMu.Unlock()
	off := f.r.size.Load()
	n, err := vfs.CheckFileSize(ctx, off, len(src))
	if err != 0 {
		return 0, off, err
	}
	n, err = f.writeLocked(ctx, src[:n], off)
	return n, off + int64(n), err
}

// writeLocked writes src at off.
//
// Preconditions:
// - f.r.dataMu is held.
func (f *regularFile) writeLocked(ctx vfs.Context, src []byte, off int64) (int, linux.Errno) {
	r := f.r
	if len(src) == 0 {
		return 0, 0
	}
	end := off + int64(len(src))
	size := r.size.Load()
	if r.seals&(unix.F_SEAL_WRITE|unix.F_SEAL_FUTURE_WRITE) != 0 || (end > size && r.seals&unix.F_SEAL_GROW != 0) {
		return 0, linux.EPERM
	}
	if end > size {
		if err := r.fs.reserveBytes(end - size); err != 0 {
			return 0, err
		}
	}
	fd, err := r.ensureMemfdLocked()
	if err != 0 {
		if end > size {
			r.fs.reserveBytes(size - end)
		}
		return 0, err
	}
	done := 0
	for done < len(src) {
		n, herr := unix.Pwrite(fd, src[done:], off+int64(done))
		if herr == unix.EINTR {
			continue
		}
		if herr != nil {
			err = linux.FromHost(herr)
			break
		}
		done += n
	}
	if newEnd := off + int64(done); newEnd > size {
		r.size.Store(newEnd)
	}
	if end > size && off+int64(done) < end {
		// Return the reservation for what was not written.
		r.fs.reserveBytes(max(size, off+int64(done)) - end)
	}
	if done > 0 {
		r.mu.Lock()
		r.touchCMTimeLocked()
		r.killPrivsLocked(ctx)
		r.mu.Unlock()
		return done, 0
	}
	return 0, err
}

// killPrivsLocked clears set-user-ID (and set-group-ID with group execute)
// after a write by a caller without CAP_FSETID.
//
// Preconditions:
// - r.mu is held.
func (r *regularInode) killPrivsLocked(ctx vfs.Context) {
	if r.mode&(unix.S_ISUID|unix.S_ISGID) == 0 {
		return
	}
	if ctx != nil && ctx.Credentials().HasCap(auth.CapFsetid) {
		return
	}
	r.mode &^= unix.S_ISUID
	if r.mode&unix.S_IXGRP != 0 {
		r.mode &^= unix.S_ISGID
	}
}

// Seek implements vfs.FileImpl.Seek.
func (f *regularFile) Seek(_ vfs.Context, _ *vfs.FileDescription, offset int64, whence int32, cur int64) (int64, linux.Errno) {
	return vfs.GenericSeek(offset, whence, cur, f.r.size.Load())
}

// HostFD implements vfs.HostFDer.HostFD.
func (f *regularFile) HostFD() (int, bool) {
	f.r.dataMu.Lock()
	defer f.r.dataMu.Unlock()
	fd, err := f.r.ensureMemfdLocked()
	return fd, err == 0
}

// Allocate implements vfs.Allocator.Allocate.
func (f *regularFile) Allocate(_ vfs.Context, mode uint32, off, length int64) linux.Errno {
	const supported = unix.FALLOC_FL_KEEP_SIZE | unix.FALLOC_FL_PUNCH_HOLE
	if mode&^supported != 0 {
		return linux.EOPNOTSUPP
	}
	if mode&unix.FALLOC_FL_PUNCH_HOLE != 0 && mode&unix.FALLOC_FL_KEEP_SIZE == 0 {
		return linux.EOPNOTSUPP
	}
	if off+length < off {
		return linux.EFBIG
	}
	r := f.r
	r.dataMu.Lock()
	defer r.dataMu.Unlock()
	size := r.size.Load()
	end := off + length
	grow := mode&unix.FALLOC_FL_KEEP_SIZE == 0 && end > size
	if (grow && r.seals&unix.F_SEAL_GROW != 0) ||
		(mode&unix.FALLOC_FL_PUNCH_HOLE != 0 && r.seals&(unix.F_SEAL_WRITE|unix.F_SEAL_FUTURE_WRITE) != 0) {
		return linux.EPERM
	}
	if grow {
		if err := r.fs.reserveBytes(end - size); err != 0 {
			return err
		}
	}
	fd, err := r.ensureMemfdLocked()
	if err == 0 {
		if herr := unix.Fallocate(fd, mode, off, length); herr != nil {
			err = linux.FromHost(herr)
		}
	}
	if err != 0 {
		if grow {
			r.fs.reserveBytes(size - end)
		}
		return err
	}
	if grow {
		r.size.Store(end)
		r.touchCMTime()
	}
	return 0
}

// Sync implements vfs.Syncer.Sync: the data is in memory already.
func (f *regularFile) Sync(vfs.Context) linux.Errno { return 0 }

// allSeals are the seals memfds accept.
const allSeals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW |
	unix.F_SEAL_WRITE | unix.F_SEAL_FUTURE_WRITE | unix.F_SEAL_EXEC

// Seals implements vfs.Sealable.Seals.
func (f *regularFile) Seals() uint32 {
	f.r.dataMu.Lock()
	defer f.r.dataMu.Unlock()
	return f.r.seals
}

// AddSeals implements vfs.Sealable.AddSeals.
func (f *regularFile) AddSeals(seals uint32) linux.Errno {
	if seals&^allSeals != 0 {
		return linux.EINVAL
	}
	f.r.dataMu.Lock()
	defer f.r.dataMu.Unlock()
	if f.r.seals&unix.F_SEAL_SEAL != 0 {
		return linux.EPERM
	}
	f.r.seals |= seals
	return 0
}

// AllowSealing clears F_SEAL_SEAL from a new tmpfs regular file (a memfd
// made with MFD_ALLOW_SEALING) and adds initial seals. It reports whether
// inode is a tmpfs regular file.
func AllowSealing(inode vfs.Inode, initial uint32) bool {
	r, ok := inode.(*regularInode)
	if !ok {
		return false
	}
	r.dataMu.Lock()
	defer r.dataMu.Unlock()
	r.seals = initial
	return true
}
