package gofer

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// regularInode is a regular file. Its data is read and written through
// host descriptors the gofer donates: one open O_RDONLY for file
// descriptions opened for reading only, one open O_RDWR for the others.
// Each is opened on first use and kept until the inode is dropped, so only
// the first open of a file costs a round trip.
type regularInode struct {
	inode

	// fdMu serializes the opening of host descriptors, so that an inode
	// never holds two of one kind.
	fdMu sync.Mutex
	// appendMu serializes O_APPEND writes: finding the end and writing
	// there is one step for the sandbox.
	appendMu sync.Mutex
}

// hostFD returns the inode's host descriptor for reading (write false) or
// for reading and writing, opening it through the gofer on first use.
func (r *regularInode) hostFD(write bool) (int, linux.Errno) {
	slot, flags := &r.res.readFD, unix.O_RDONLY
	if write {
		slot, flags = &r.res.rwFD, unix.O_RDWR
	}
	if fd := slot.Load(); fd >= 0 {
		return int(fd), 0
	}
	return r.openHostFD(slot, flags)
}

// openHostFD is the slow path of hostFD.
func (r *regularInode) openHostFD(slot *atomic.Int32, flags int) (int, linux.Errno) {
	r.fdMu.Lock()
	defer r.fdMu.Unlock()
	if fd := slot.Load(); fd >= 0 {
		return int(fd), 0
	}
	fd, err := r.fs.client.Open(r.h, flags)
	if err != nil {
		return -1, errno(err)
	}
	slot.Store(int32(fd))
	return fd, 0
}

// Open implements vfs.Inode.Open. flags' access mode picks the host
// descriptor; status flags need nothing from the host: O_APPEND is the
// vfs's business (Appender) and O_SYNC/O_DSYNC make writes flush.
func (r *regularInode) Open(_ vfs.Context, _ vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	write := flags&unix.O_ACCMODE != unix.O_RDONLY
	if write && r.fs.opts.ReadOnly {
		return nil, linux.EROFS
	}
	fd, err := r.hostFD(write)
	if err != 0 {
		return nil, err
	}
	return &regularFile{r: r, fd: fd, sync: flags&(unix.O_SYNC|unix.O_DSYNC) != 0}, 0
}

// size returns the file's size: the cached one on a read-only file
// system, the host's otherwise.
func (r *regularInode) size() (int64, linux.Errno) {
	st, err := r.attrs()
	if err != 0 {
		return 0, err
	}
	return st.Size, 0
}
