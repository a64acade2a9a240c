package tmpfs

import (
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

func vfsUID(u uint32) auth.KUID { return auth.KUID(u) }
func vfsGID(g uint32) auth.KGID { return auth.KGID(g) }

// inode holds the attributes every tmpfs file has.
type inode struct {
	fs  *Filesystem
	ino uint64

	// mu guards the fields below.
	mu    sync.Mutex
	mode  uint32 // file type and permission bits
	uid   auth.KUID
	gid   auth.KGID
	nlink uint32
	atime int64
	mtime int64
	ctime int64
	btime int64
	rdev  uint64
	// xattrs holds extended attributes (nil until the first is set).
	xattrs map[string][]byte
}

// tmpfsInode is implemented by every tmpfs inode type.
type tmpfsInode interface {
	vfs.Inode
	base() *inode
}

func (i *inode) base() *inode { return i }

func (i *inode) init(fs *Filesystem, mode uint32, uid auth.KUID, gid auth.KGID) {
	now := fs.now()
	i.fs, i.ino = fs, fs.nextIno.Add(1)
	i.mode, i.uid, i.gid = mode, uid, gid
	i.nlink = 1
	i.atime, i.mtime, i.ctime, i.btime = now, now, now, now
}

// Perms implements vfs.Inode.Perms.
func (i *inode) Perms() vfs.Perms {
	i.mu.Lock()
	defer i.mu.Unlock()
	return vfs.Perms{Mode: i.mode, UID: i.uid, GID: i.gid}
}

// statLocked fills in the common attributes.
//
// Preconditions:
// - i.mu is held.
func (i *inode) statLocked() linux.Statx {
	return linux.Statx{
		Mask:      linux.STATX_BASIC_STATS | linux.STATX_BTIME,
		Blksize:   4096,
		Nlink:     i.nlink,
		UID:       uint32(i.uid),
		GID:       uint32(i.gid),
		Mode:      uint16(i.mode),
		Ino:       i.ino,
		Atime:     linux.NsecToStatxTimestamp(i.atime),
		Mtime:     linux.NsecToStatxTimestamp(i.mtime),
		Ctime:     linux.NsecToStatxTimestamp(i.ctime),
		Btime:     linux.NsecToStatxTimestamp(i.btime),
		RdevMajor: linux.DevMajor(i.rdev),
		RdevMinor: linux.DevMinor(i.rdev),
	}
}

// setStatLocked applies mode, owner and time changes (size is the regular
// file's business).
//
// Preconditions:
// - i.mu is held.
func (i *inode) setStatLocked(opts *vfs.SetStatOptions) {
	now := i.fs.now()
	if opts.Mask&linux.STATX_MODE != 0 {
		i.mode = i.mode&unix.S_IFMT | opts.Mode&07777
	}
	if opts.Mask&linux.STATX_UID != 0 {
		i.uid = opts.UID
	}
	if opts.Mask&linux.STATX_GID != 0 {
		i.gid = opts.GID
	}
	if opts.Mask&linux.STATX_ATIME != 0 {
		i.atime = timeOf(opts.Atime, now)
	}
	if opts.Mask&linux.STATX_MTIME != 0 {
		i.mtime = timeOf(opts.Mtime, now)
	}
	i.ctime = now
}

// timeOf converts a SetStatOptions timestamp, honouring UtimeNow.
func timeOf(ts linux.StatxTimestamp, now int64) int64 {
	if ts.Nsec == vfs.UtimeNow {
		return now
	}
	return ts.Sec*1e9 + int64(ts.Nsec)
}

// touchCMTimeLocked marks a change of contents.
//
// Preconditions:
// - i.mu is held.
func (i *inode) touchCMTimeLocked() {
	now := i.fs.now()
	i.mtime, i.ctime = now, now
}

// touchCMTime marks a change of contents.
func (i *inode) touchCMTime() {
	i.mu.Lock()
	i.touchCMTimeLocked()
	i.mu.Unlock()
}

// touchCTime marks a change of attributes (link count).
func (i *inode) touchCTime() {
	i.mu.Lock()
	i.ctime = i.fs.now()
	i.mu.Unlock()
}

// incLinks and decLinks change the link count.
func (i *inode) incLinks() {
	i.mu.Lock()
	i.nlink++
	i.ctime = i.fs.now()
	i.mu.Unlock()
}

func (i *inode) decLinks() uint32 {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.nlink > 0 {
		i.nlink--
	}
	i.ctime = i.fs.now()
	return i.nlink
}

// symlinkInode is a symbolic link.
type symlinkInode struct {
	vfs.InodeDefaults
	inode
	target string
}

// Stat implements vfs.Inode.Stat.
func (s *symlinkInode) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.statLocked()
	st.Size = uint64(len(s.target))
	return st, 0
}

// SetStat implements vfs.Inode.SetStat.
func (s *symlinkInode) SetStat(_ vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setStatLocked(opts)
	return 0
}

// Readlink implements vfs.Inode.Readlink.
func (s *symlinkInode) Readlink(vfs.Context) (string, linux.Errno) { return s.target, 0 }

// nodeInode is a device, FIFO or socket node.
type nodeInode struct {
	vfs.InodeDefaults
	inode
	// fifo is a FIFO's pipe, made on first open (guarded by inode.mu).
	fifo vfs.FIFO
}

// Stat implements vfs.Inode.Stat.
func (n *nodeInode) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.statLocked(), 0
}

// SetStat implements vfs.Inode.SetStat.
func (n *nodeInode) SetStat(_ vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	if opts.Mask&linux.STATX_SIZE != 0 {
		return linux.EINVAL
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.setStatLocked(opts)
	return 0
}

// Open implements vfs.Inode.Open: devices are opened through the vfs device
// registry. FIFOs and sockets cannot be opened yet.
func (n *nodeInode) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	n.mu.Lock()
	typ, rdev := n.mode&unix.S_IFMT, n.rdev
	n.mu.Unlock()
	switch typ {
	case unix.S_IFCHR:
		return n.fs.v.OpenDevice(ctx, vfs.CharDevice, rdev, vd, flags)
	case unix.S_IFBLK:
		return n.fs.v.OpenDevice(ctx, vfs.BlockDevice, rdev, vd, flags)
	case unix.S_IFIFO:
		n.mu.Lock()
		if n.fifo == nil {
			n.fifo = n.fs.v.NewFIFO()
		}
		fifo := n.fifo
		n.mu.Unlock()
		if fifo == nil {
			// No pipe implementation was installed (vfs.SetFIFOFactory).
			return nil, linux.ENXIO
		}
		return fifo.Open(ctx, vd, flags)
	}
	return nil, linux.ENXIO
}
