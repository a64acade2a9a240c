package gofer

import (
	"sync"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
	"moat/sentry/abi/linux"
)

// hostRes is what an inode holds outside Go memory: its gofer handle and,
// for a regular file or (writable file systems) a directory, its host
// descriptors. It is a separate object so that the cleanup of a dropped
// inode can release it, and so that the idle and handle lists, which link
// hostRes, keep no inode reachable.
type hostRes struct {
	// hostDev, hostIno and typ identify the node on the host; a walk to
	// it again must reach the same.
	hostDev, hostIno uint64
	typ              uint32

	// mu guards the fields below. A file description uses the descriptor
	// it got at open without the lock: while opens > 0 no descriptor is
	// closed.
	mu sync.Mutex
	// names are the names of the node the file system knows (names.go):
	// the one it was found or made by and those the sandbox linked,
	// following the sandbox's renames. h, if set, was walked to by
	// names[0], and a dropped handle is walked to again by it. Empty for
	// the root.
	names []nameRef
	// h is the gofer handle, or 0 while dropped.
	h proto.Handle
	// users counts the pins of h: a pinned handle is not dropped.
	users int
	// detached are handles whose name went while they were pinned; they
	// are closed once users drops to zero.
	detached []proto.Handle
	// readFD and rwFD are host descriptors open O_RDONLY and O_RDWR, or -1.
	readFD, rwFD int
	// opens counts the open file descriptions using them.
	opens int
	// noStatFD is set once the gofer refused a descriptor for statFD.
	noStatFD bool

	// idlePrev, idleNext and onIdle link r into Filesystem's idle list;
	// they are guarded by Filesystem.idleMu.
	idlePrev, idleNext *hostRes
	onIdle             bool

	// hPrev, hNext and onHandles link r into Filesystem's handle list;
	// they are guarded by Filesystem.handleMu.
	hPrev, hNext *hostRes
	onHandles    bool
}

// fstatLocked stats the file through one of its host descriptors; ok is
// false if it has none.
//
// Preconditions:
// - r.mu is held.
func (r *hostRes) fstatLocked(st *proto.Stat) (ok bool, err linux.Errno) {
	fd := r.rwFD
	if fd < 0 {
		fd = r.readFD
	}
	if fd < 0 {
		return false, 0
	}
	var hs unix.Stat_t
	if err := unix.Fstat(fd, &hs); err != nil {
		return true, errno(err)
	}
	st.FromUnix(&hs)
	return true, 0
}

// closeFDsLocked closes the host descriptors.
//
// Preconditions:
// - r.mu is held.
func (r *hostRes) closeFDsLocked() {
	for _, fd := range [...]int{r.readFD, r.rwFD} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	r.readFD, r.rwFD = -1, -1
}

// release closes the host descriptors and queues the handle for a Close.
// It runs once the inode is unreachable (an idle-list eviction may run at
// the same time).
func (r *hostRes) release(fs *Filesystem) {
	fs.unidle(r)
	fs.dropHandleRes(r)
	r.mu.Lock()
	r.closeFDsLocked()
	hs := append(r.detached, r.h)
	r.h, r.detached = 0, nil
	r.mu.Unlock()
	for _, h := range hs {
		if h != 0 {
			fs.queueClose(h)
		}
	}
}
