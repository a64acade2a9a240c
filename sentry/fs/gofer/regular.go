package gofer

import (
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// regularInode is a regular file. Its data is read and written through
// host descriptors the gofer donates: one open O_RDONLY for file
// descriptions opened for reading only, one open O_RDWR for the others.
// Each is opened on first use and kept while the file is open and, after
// that, while the inode is among the Options.MaxIdleFiles most recently
// closed files, so reopening a file costs no round trip.
type regularInode struct {
	inode

	// appendMu serializes O_APPEND writes: finding the end and writing
	// there is one step for the sandbox.
	appendMu sync.Mutex
}

// Open implements vfs.Inode.Open. flags' access mode picks the host
// descriptor; status flags need nothing from the host: O_APPEND is the
// vfs's business (Appender) and O_SYNC/O_DSYNC make writes flush.
func (r *regularInode) Open(_ vfs.Context, _ vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	write := flags&unix.O_ACCMODE != unix.O_RDONLY
	if write && r.fs.opts.ReadOnly {
		return nil, linux.EROFS
	}
	res := r.res
	res.mu.Lock()
	slot, hflags := &res.readFD, unix.O_RDONLY
	if write {
		slot, hflags = &res.rwFD, unix.O_RDWR
	}
	if *slot < 0 {
		res.mu.Unlock()
		fd, err := r.openHostFD(hflags)
		if err != 0 {
			return nil, err
		}
		res.mu.Lock()
		if *slot < 0 {
			*slot = fd
		} else {
			unix.Close(fd) // another open got there first
		}
	}
	fd := *slot
	res.opens++
	first := res.opens == 1
	res.mu.Unlock()
	if first {
		r.fs.unidle(res)
	}
	return &regularFile{r: r, fd: fd, sync: flags&(unix.O_SYNC|unix.O_DSYNC) != 0}, 0
}

// openHostFD asks the gofer for a host descriptor of r.
func (r *regularInode) openHostFD(flags int) (int, linux.Errno) {
	h, err := r.pin()
	if err != 0 {
		return -1, err
	}
	defer r.unpin()
	fd, gerr := r.fs.client.Open(h, flags)
	if gerr != nil {
		return -1, errno(gerr)
	}
	return fd, 0
}

// release notes that a file description of r is gone; the last one makes
// r's host descriptors idle.
func (r *regularInode) release() {
	res := r.res
	res.mu.Lock()
	res.opens--
	idle := res.opens == 0
	res.mu.Unlock()
	if idle {
		r.fs.addIdle(res)
	}
}

// closeIfIdle closes the host descriptors unless the file is open again.
func (r *hostRes) closeIfIdle() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.opens == 0 {
		r.closeFDsLocked()
	}
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

// addIdle puts r at the young end of the idle list and closes the host
// descriptors of the oldest idle files beyond Options.MaxIdleFiles. The
// list links hostRes, not inodes, so that it keeps no inode reachable.
func (fs *Filesystem) addIdle(r *hostRes) {
	var victims []*hostRes
	fs.idleMu.Lock()
	fs.idleUnlinkLocked(r)
	r.idlePrev, r.idleNext = fs.idleTail, nil
	if fs.idleTail != nil {
		fs.idleTail.idleNext = r
	} else {
		fs.idleHead = r
	}
	fs.idleTail = r
	r.onIdle = true
	fs.idleLen++
	for fs.idleLen > max(fs.opts.MaxIdleFiles, 0) {
		v := fs.idleHead
		fs.idleUnlinkLocked(v)
		victims = append(victims, v)
	}
	fs.idleMu.Unlock()
	for _, v := range victims {
		v.closeIfIdle()
	}
}

// unidle takes r off the idle list: it is open again, or gone.
func (fs *Filesystem) unidle(r *hostRes) {
	fs.idleMu.Lock()
	fs.idleUnlinkLocked(r)
	fs.idleMu.Unlock()
}

// idleUnlinkLocked takes r off the idle list if it is on it.
//
// Preconditions:
// - fs.idleMu is held.
func (fs *Filesystem) idleUnlinkLocked(r *hostRes) {
	if !r.onIdle {
		return
	}
	if r.idlePrev != nil {
		r.idlePrev.idleNext = r.idleNext
	} else {
		fs.idleHead = r.idleNext
	}
	if r.idleNext != nil {
		r.idleNext.idlePrev = r.idlePrev
	} else {
		fs.idleTail = r.idlePrev
	}
	r.idlePrev, r.idleNext, r.onIdle = nil, nil, false
	fs.idleLen--
}
