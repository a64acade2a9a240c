package tmpfs

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

// regularInode is a regular file; its data is in a host memfd created on
// first need.
type regularInode struct {
	vfs.InodeDefaults
	inode

	// size is the file size; it changes only with dataMu held.
	size atomic.Int64
	// memfd is the host fd holding the data, or -1; set once with dataMu.
	memfd atomic.Int32

	// dataMu serializes writes and size changes and guards the fields
	// below. It comes after dirInode.dirMu and before inode.mu.
	dataMu sync.Mutex
	opens  int32
	freed  bool
	// linkable marks an O_TMPFILE file that linkat may still name
	// (guarded by inode.mu).
	linkable bool
	// seals are the F_SEAL_* seals (guarded by dataMu). Files start with
	// F_SEAL_SEAL, so only memfds made with MFD_ALLOW_SEALING take more.
	seals uint32
}

func (fs *Filesystem) newRegular(mode uint32, uid auth.KUID, gid auth.KGID) *regularInode {
	r := &regularInode{}
	r.init(fs, unix.S_IFREG|mode&07777, uid, gid)
	r.memfd.Store(-1)
	r.seals = unix.F_SEAL_SEAL
	return r
}

// memfdName names tmpfs memfds in the host's /proc/[pid]/fd.
const memfdName = "moat-tmpfs"

// ensureMemfdLocked creates the backing memfd if needed.
//
// Preconditions:
// - r.dataMu is held.
func (r *regularInode) ensureMemfdLocked() (int, linux.Errno) {
	if fd := r.memfd.Load(); fd >= 0 {
		return int(fd), 0
	}
	fd, err := unix.MemfdCreate(memfdName, unix.MFD_CLOEXEC)
	if err != nil {
		return -1, linux.FromHost(err)
	}
	if s := r.size.Load(); s > 0 {
		if err := unix.Ftruncate(fd, s); err != nil {
			unix.Close(fd)
			return -1, linux.FromHost(err)
		}
	}
	r.memfd.Store(int32(fd))
	return fd, 0
}

// maybeFree releases the data once the file has no links and no opens.
func (r *regularInode) maybeFree() {
	r.mu.Lock()
	nlink := r.nlink
	r.mu.Unlock()
	r.dataMu.Lock()
	defer r.dataMu.Unlock()
	if nlink != 0 || r.opens != 0 || r.freed {
		return
	}
	r.freed = true
	if fd := r.memfd.Swap(-1); fd >= 0 {
		unix.Close(int(fd))
	}
	r.fs.reserveBytes(-r.size.Load())
	r.fs.inodes.Add(-1)
}

// Stat implements vfs.Inode.Stat.
func (r *regularInode) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	r.mu.Lock()
	st := r.statLocked()
	r.mu.Unlock()
	st.Size = uint64(r.size.Load())
	// The blocks the data holds, as Linux's shmem counts them: the
	// host's for the memfd (holes take none), none before it exists.
	// dataMu keeps the memfd from being freed under the fstat.
	st.Blocks = 0
	r.dataMu.Lock()
	defer r.dataMu.Unlock()
	if fd := r.memfd.Load(); fd >= 0 {
		var hst unix.Stat_t
		if err := unix.Fstat(int(fd), &hst); err != nil {
			return linux.Statx{}, linux.FromHost(err)
		}
		st.Blocks = uint64(hst.Blocks)
	}
	return st, 0
}

// SetStat implements vfs.Inode.SetStat.
func (r *regularInode) SetStat(_ vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	if opts.Mask&linux.STATX_SIZE != 0 {
		changed, err := r.truncate(int64(opts.Size))
		if err != 0 {
			return err
		}
		if changed {
			r.touchCMTime()
		}
	}
	if opts.Mask&^linux.STATX_SIZE != 0 {
		r.mu.Lock()
		r.setStatLocked(opts)
		r.mu.Unlock()
	}
	return 0
}

// truncate sets the size and reports whether it changed.
func (r *regularInode) truncate(size int64) (bool, linux.Errno) {
	if size < 0 {
		return false, linux.EINVAL
	}
	r.dataMu.Lock()
	defer r.dataMu.Unlock()
	old := r.size.Load()
	if size == old {
		return false, 0
	}
	if (size > old && r.seals&unix.F_SEAL_GROW != 0) || (size < old && r.seals&unix.F_SEAL_SHRINK != 0) {
		return false, linux.EPERM
	}
	if err := r.fs.reserveBytes(size - old); err != 0 {
		return false, err
	}
	fd := int(r.memfd.Load())
	if fd < 0 && size > 0 {
		var err linux.Errno
		if fd, err = r.ensureMemfdLocked(); err != 0 {
			r.fs.reserveBytes(old - size)
			return false, err
		}
	}
	if fd >= 0 {
		if err := unix.Ftruncate(fd, size); err != nil {
			r.fs.reserveBytes(old - size)
			return false, linux.FromHost(err)
		}
	}
	r.size.Store(size)
	return true, 0
}

// Open implements vfs.Inode.Open.
func (r *regularInode) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	r.dataMu.Lock()
	r.opens++
	r.dataMu.Unlock()
	return &regularFile{r: r}, 0
}

// CreateTmpfile implements vfs.TmpfileCreator.CreateTmpfile: a regular
// file with no name and no links, freed when its last open goes away.
func (d *dirInode) CreateTmpfile(_ vfs.Context, opts vfs.CreateOptions, linkable bool) (vfs.Inode, linux.Errno) {
	if err := d.fs.reserveInode(); err != 0 {
		return nil, err
	}
	r := d.fs.newRegular(opts.Mode, opts.UID, opts.GID)
	r.nlink = 0
	r.linkable = linkable
	return r, 0
}
