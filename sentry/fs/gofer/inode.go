package gofer

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

// File type bits, as uint32 for comparisons with modes.
const (
	sIFMT   = uint32(unix.S_IFMT)
	sIFDIR  = uint32(unix.S_IFDIR)
	sIFREG  = uint32(unix.S_IFREG)
	sIFLNK  = uint32(unix.S_IFLNK)
	sIFCHR  = uint32(unix.S_IFCHR)
	sIFBLK  = uint32(unix.S_IFBLK)
	sIFIFO  = uint32(unix.S_IFIFO)
	sIFSOCK = uint32(unix.S_IFSOCK)
)

// inode is the part every gofer inode shares: the handle and the cached
// attributes. It embeds vfs.InodeDefaults one level down, so the methods
// an inode type defines itself win over the defaults.
type inode struct {
	vfs.InodeDefaults

	fs  *Filesystem
	typ uint32 // S_IFMT bits; a handle names one node, so it never changes
	ino uint64 // the sentry's inode number (sentryIno)
	res *hostRes

	// attrMu serializes changes to attr that read it first (link counts).
	attrMu sync.Mutex
	// attr holds the attributes from the last walk, stat or change; it is
	// replaced, never modified, so readers load it without a lock.
	attr atomic.Pointer[proto.Stat]
	// walkedAt is when the walk that made the inode got attr (Unix
	// nanoseconds), until the first Stat of a writable file system uses
	// them (Filesystem.freshWindow).
	walkedAt atomic.Int64
}

// changed notes a change by the sandbox: the walk's attributes are out of
// date.
func (i *inode) changed() { i.walkedAt.Store(0) }

// defaultFreshWindow is how old the attributes of a walk may be for the first
// Stat of the inode on a writable file system to use them instead of
// asking the host again: stat(2) of a name not yet cached walks to it and
// stats it at once, and one round trip is enough for both.
const defaultFreshWindow = 10 * time.Millisecond

// goferInode is implemented by every inode of this package.
type goferInode interface {
	vfs.Inode
	base() *inode
}

func (i *inode) base() *inode { return i }

// newInode returns the inode for the node h with attributes st; the inode
// owns h from now on.
func (fs *Filesystem) newInode(h proto.Handle, st *proto.Stat) goferInode {
	switch st.Mode & sIFMT {
	case sIFDIR:
		d := &dirInode{}
		d.init(fs, h, st)
		register(d, &d.inode)
		return d
	case sIFREG:
		r := &regularInode{}
		r.init(fs, h, st)
		register(r, &r.inode)
		return r
	case sIFLNK:
		s := &symlinkInode{}
		s.init(fs, h, st)
		register(s, &s.inode)
		return s
	default:
		n := &nodeInode{}
		n.init(fs, h, st)
		register(n, &n.inode)
		return n
	}
}

// newInodeOfType is newInode for a node the sandbox just made, which must
// have type typ: a gofer answering with another type gets EIO (and its
// handle back), never a confused inode.
func (fs *Filesystem) newInodeOfType(h proto.Handle, st *proto.Stat, typ uint32) (goferInode, linux.Errno) {
	if st.Mode&sIFMT != typ {
		fs.queueClose(h)
		return nil, linux.EIO
	}
	return fs.newInode(h, st), 0
}

func (i *inode) init(fs *Filesystem, h proto.Handle, st *proto.Stat) {
	i.fs, i.typ = fs, st.Mode&sIFMT
	i.ino = fs.sentryIno(st.Dev, st.Ino)
	i.res = &hostRes{hostDev: st.Dev, hostIno: st.Ino, typ: i.typ, h: h, readFD: -1, rwFD: -1}
	s := *st
	i.attr.Store(&s)
	if !fs.opts.ReadOnly {
		i.walkedAt.Store(time.Now().UnixNano())
	}
}

// register arranges for the host resources of the inode p (whose shared
// part is i) to be released once p is unreachable: the vfs has no hook
// for a dropped inode.
func register[T any](p *T, i *inode) {
	fs := i.fs
	runtime.AddCleanup(p, func(r *hostRes) { r.release(fs) }, i.res)
}

// Perms implements vfs.Inode.Perms from the cached attributes; it never
// blocks.
func (i *inode) Perms() vfs.Perms {
	a := i.attr.Load()
	return vfs.Perms{Mode: a.Mode, UID: auth.KUID(a.UID), GID: auth.KGID(a.GID)}
}

// setAttr replaces the cached attributes.
func (i *inode) setAttr(st *proto.Stat) {
	if *i.attr.Load() == *st {
		return // the common case of a repeated stat: no allocation
	}
	s := *st
	i.attrMu.Lock()
	i.attr.Store(&s)
	i.attrMu.Unlock()
}

// updateAttr applies f to a copy of the cached attributes and caches it.
func (i *inode) updateAttr(f func(*proto.Stat)) {
	i.attrMu.Lock()
	s := *i.attr.Load()
	f(&s)
	i.attr.Store(&s)
	i.attrMu.Unlock()
}

// attrs returns the attributes Stat reports: the cached ones on a
// read-only file system, fresh ones (which are cached) otherwise.
func (i *inode) attrs() (st proto.Stat, _ linux.Errno) {
	if i.fs.opts.ReadOnly {
		return *i.attr.Load(), 0
	}
	if t := i.walkedAt.Swap(0); t != 0 && time.Now().UnixNano()-t < int64(i.fs.freshWindow) {
		return *i.attr.Load(), 0
	}
	done := false
	if i.typ == sIFREG || i.typ == sIFDIR {
		var err linux.Errno
		if done, err = i.statFD(&st); err != 0 {
			return st, err
		}
	}
	if !done {
		h, e := i.pin()
		if e != 0 {
			return st, e
		}
		var err error
		st, err = i.fs.client.Stat(h)
		i.unpin()
		if err != nil {
			return st, errno(err)
		}
	}
	i.setAttr(&st)
	return st, 0
}

// statFD stats a regular file or directory through a host descriptor: a
// donated descriptor is the node itself, so only the first stat of a node
// costs a round trip (the Open of a descriptor, kept like one a closed file
// leaves: on the idle list). done is false if the gofer would not open
// the node; the caller then asks for a gofer Stat, as it will every time.
func (i *inode) statFD(st *proto.Stat) (done bool, err linux.Errno) {
	r := i.res
	r.mu.Lock()
	done, err = r.fstatLocked(st)
	noFD := r.noStatFD
	r.mu.Unlock()
	if done || noFD {
		return done, err
	}
	flags := unix.O_RDONLY
	if i.typ == sIFDIR {
		flags |= unix.O_DIRECTORY
	}
	h, err := i.pin()
	if err != 0 {
		return false, err
	}
	fd, oerr := i.fs.client.Open(h, flags)
	i.unpin()
	r.mu.Lock()
	if oerr != nil {
		r.noStatFD = true
		r.mu.Unlock()
		return false, 0
	}
	if r.readFD < 0 {
		r.readFD = fd
	} else {
		unix.Close(fd) // an open got there first
	}
	idle := r.opens == 0
	done, err = r.fstatLocked(st)
	r.mu.Unlock()
	if idle {
		i.fs.addIdle(r)
	}
	return done, err
}

// Stat implements vfs.Inode.Stat.
func (i *inode) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	st, err := i.attrs()
	if err != 0 {
		return linux.Statx{}, err
	}
	return toStatx(&st, i.ino), 0
}

// toStatx converts gofer attributes; ino is the sentry's inode number and
// st_dev is filled in by the vfs.
func toStatx(s *proto.Stat, ino uint64) linux.Statx {
	return linux.Statx{
		Mask:      linux.STATX_BASIC_STATS,
		Blksize:   uint32(s.Blksize),
		Nlink:     uint32(s.Nlink),
		UID:       s.UID,
		GID:       s.GID,
		Mode:      uint16(s.Mode),
		Ino:       ino,
		Size:      uint64(s.Size),
		Blocks:    uint64(s.Blocks),
		Atime:     statxTime(s.Atime),
		Mtime:     statxTime(s.Mtime),
		Ctime:     statxTime(s.Ctime),
		RdevMajor: unix.Major(s.Rdev),
		RdevMinor: unix.Minor(s.Rdev),
	}
}

func statxTime(ts unix.Timespec) linux.StatxTimestamp {
	return linux.StatxTimestamp{Sec: ts.Sec, Nsec: uint32(ts.Nsec)}
}

// SetStat implements vfs.Inode.SetStat through the gofer's Setattr; the
// vfs has checked permissions.
func (i *inode) SetStat(_ vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	if i.fs.opts.ReadOnly {
		return linux.EROFS
	}
	var req proto.SetattrReq
	if opts.Mask&linux.STATX_MODE != 0 {
		req.Mask |= proto.SetattrMode
		req.Mode = opts.Mode & 07777
	}
	if opts.Mask&linux.STATX_UID != 0 {
		req.Mask |= proto.SetattrUID
		req.UID = uint32(opts.UID)
	}
	if opts.Mask&linux.STATX_GID != 0 {
		req.Mask |= proto.SetattrGID
		req.GID = uint32(opts.GID)
	}
	if opts.Mask&linux.STATX_SIZE != 0 {
		if i.typ != sIFREG {
			return linux.EINVAL
		}
		req.Mask |= proto.SetattrSize
		req.Size = opts.Size
	}
	if opts.Mask&linux.STATX_ATIME != 0 && opts.Atime.Nsec != vfs.UtimeOmit {
		req.Mask |= proto.SetattrAtime
		req.Atime = hostTime(opts.Atime)
	}
	if opts.Mask&linux.STATX_MTIME != 0 && opts.Mtime.Nsec != vfs.UtimeOmit {
		req.Mask |= proto.SetattrMtime
		req.Mtime = hostTime(opts.Mtime)
	}
	if req.Mask == 0 {
		return 0
	}
	h, e := i.pin()
	if e != 0 {
		return e
	}
	st, err := i.fs.client.Setattr(h, &req)
	i.unpin()
	if err != nil {
		return errno(err)
	}
	i.setAttr(&st)
	return 0
}

// hostTime converts a SetStatOptions timestamp, keeping UTIME_NOW.
func hostTime(ts linux.StatxTimestamp) unix.Timespec {
	if ts.Nsec == vfs.UtimeNow {
		return unix.Timespec{Nsec: unix.UTIME_NOW}
	}
	return unix.Timespec{Sec: ts.Sec, Nsec: int64(ts.Nsec)}
}

// dropLink notes that a name of the inode was removed.
func (i *inode) dropLink() {
	i.updateAttr(func(s *proto.Stat) {
		if s.Nlink > 0 {
			s.Nlink--
		}
	})
}

// hostToLinuxDev re-encodes a host device number for the sentry.
func hostToLinuxDev(d uint64) uint64 {
	return linux.MakeDev(unix.Major(d), unix.Minor(d))
}
