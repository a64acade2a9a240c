// Package gofer is the file proxy: a process that owns a container's file
// tree and serves it to the sentry over the protocol of package
// gofer/proto.
//
// The gofer confines itself before serving (Setup: a private mount
// namespace, a bind mount of the root, read-only when asked, chroot into it;
// InstallFilter: a seccomp allow-list). Every request names nodes by handle;
// the server resolves each name with openat2(RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) or an *at call with
// AT_SYMLINK_NOFOLLOW relative to a node it holds open, so no request can
// reach outside the root. docs/gofer.md describes the design.
//
// Lock order: Server.mu is a leaf lock; no system call that may block is
// made while holding it (only close(2) of descriptors being dropped).
package gofer

import (
	"errors"
	"sync"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
	"moat/internal/unet"
)

// Config configures a gofer.
type Config struct {
	// Root is the host path of the tree to serve.
	Root string
	// ReadOnly refuses every change with EROFS (and Setup makes the
	// host kernel enforce it too).
	ReadOnly bool
	// Workers is the number of requests served at once; 0 means
	// DefaultWorkers. More than one helps only when the tree is on a file
	// system whose calls can block for long (network, FUSE).
	Workers int
	// MaxHandles bounds the handles the client may hold at once; 0 means
	// DefaultMaxHandles. Past it, requests that would make a handle fail
	// with ENFILE before creating anything, so a client cannot grow the
	// gofer without bound.
	MaxHandles int
}

// DefaultMaxHandles is Config.MaxHandles when it is 0.
const DefaultMaxHandles = 1 << 20

// DefaultWorkers is the number of requests a server handles at once when
// Config.Workers is 0. One is fastest, also for concurrent clients: each
// worker blocks a thread in recvmsg(2), and with more of them than the Go
// runtime has Ps, a woken worker often finds its P taken and pays further
// wake-ups to get one (measured in docs/gofer.md).
const DefaultWorkers = 1

// Server serves one connection.
type Server struct {
	cfg Config

	// scratch recycles the 32 KiB buffers of Getdents and the xattr
	// calls (*[]byte of scratchSize).
	scratch sync.Pool

	// mu guards handles, nextHandle, root and the tree fields of every
	// node (see node).
	mu         sync.Mutex
	handles    map[proto.Handle]*node
	nextHandle uint64
	root       *node
}

// NewServer returns a server for the tree open as rootFD and takes
// ownership of rootFD. The root is normally a directory (any descriptor of
// it; O_PATH is enough). A regular file is served as a tree of one node
// (a file bind mount); its descriptor must not be O_PATH, as OpenMount
// makes it.
func NewServer(rootFD int, cfg Config) (*Server, error) {
	var st unix.Stat_t
	if err := unix.Fstat(rootFD, &st); err != nil {
		return nil, err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
	case unix.S_IFREG:
		fl, err := unix.FcntlInt(uintptr(rootFD), unix.F_GETFL, 0)
		if err != nil {
			return nil, err
		}
		if fl&unix.O_PATH != 0 {
			return nil, unix.EBADF
		}
	default:
		return nil, unix.ENOTDIR
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.MaxHandles <= 0 {
		cfg.MaxHandles = DefaultMaxHandles
	}
	s := &Server{
		cfg:     cfg,
		handles: make(map[proto.Handle]*node),
		root:    &node{fd: rootFD, dev: st.Dev, ino: st.Ino, mode: st.Mode & unix.S_IFMT, refs: 1},
	}
	s.scratch.New = func() any {
		b := make([]byte, scratchSize)
		return &b
	}
	return s, nil
}

// scratchSize is the size of Server.scratch buffers.
const scratchSize = max(proto.MaxGetdents, proto.MaxXattrValue)

// OpenRoot opens path as a root for NewServer or Serve, without the
// confinement of Setup (for tests and unprivileged use).
func OpenRoot(path string) (int, error) {
	return unix.Open(path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
}

// Serve serves conn from the directory open as rootFD until the peer closes
// the connection, then releases every handle. It takes ownership of conn
// and rootFD. A closed connection is a clean end (nil error).
func Serve(conn *unet.Conn, rootFD int, cfg Config) error {
	s, err := NewServer(rootFD, cfg)
	if err != nil {
		unix.Close(rootFD)
		conn.Close()
		return err
	}
	return s.Serve(conn)
}

// Serve serves conn until the peer closes it, then releases every handle.
// It takes ownership of conn and must be called at most once.
func (s *Server) Serve(conn *unet.Conn) error {
	errs := make(chan error, s.cfg.Workers)
	for range s.cfg.Workers {
		go func() { errs <- s.work(conn) }()
	}
	var first error
	for range s.cfg.Workers {
		err := <-errs
		if first == nil && err != nil {
			first = err
			conn.Shutdown() // stop the other workers too
		}
	}
	conn.Close()
	s.mu.Lock()
	s.closeAllLocked()
	s.mu.Unlock()
	return first
}

// work receives and answers requests until the connection ends.
func (s *Server) work(conn *unet.Conn) error {
	buf := make([]byte, proto.MaxMessageSize)
	fds := make([]int, 0, unet.MaxFDs)
	out := proto.Encoder{B: make([]byte, 0, proto.MaxMessageSize)}
	dec := new(proto.Decoder)
	for {
		n, got, err := conn.Recv(buf, fds)
		switch {
		case errors.Is(err, unet.ErrClosed):
			return nil
		case errors.Is(err, unet.ErrTruncated):
			// Too long to be a request; the tag is lost with it.
			out.Response(0, unix.EINVAL)
			if err := conn.Send(out.B, nil); err != nil {
				return ignoreClosed(err)
			}
			continue
		case err != nil:
			return err
		}
		// Requests never carry descriptors.
		for _, fd := range got {
			unix.Close(fd)
		}
		fd := s.handle(buf[:n], dec, &out)
		var sendFDs []int
		if fd >= 0 {
			sendFDs = append(fds[:0], fd)
		}
		err = conn.Send(out.B, sendFDs)
		if fd >= 0 {
			unix.Close(fd)
		}
		if err != nil {
			return ignoreClosed(err)
		}
	}
}

func ignoreClosed(err error) error {
	if errors.Is(err, unet.ErrClosed) {
		return nil
	}
	return err
}

// handler serves one request type: it decodes the body from d, acts, and
// appends the response body to e. It returns a descriptor to pass with the
// response (or -1) and an errno; on a non-zero errno the body is discarded.
type handler func(s *Server, d *proto.Decoder, e *proto.Encoder) (int, unix.Errno)

var handlers = [...]handler{
	proto.MsgAttach:      (*Server).attach,
	proto.MsgWalk:        (*Server).walk,
	proto.MsgStat:        (*Server).stat,
	proto.MsgOpen:        (*Server).open,
	proto.MsgClose:       (*Server).close,
	proto.MsgReadlink:    (*Server).readlink,
	proto.MsgGetdents:    (*Server).getdents,
	proto.MsgStatfs:      (*Server).statfs,
	proto.MsgCreate:      (*Server).create,
	proto.MsgMkdir:       (*Server).mkdir,
	proto.MsgSymlink:     (*Server).symlink,
	proto.MsgLink:        (*Server).link,
	proto.MsgMknod:       (*Server).mknod,
	proto.MsgUnlink:      (*Server).unlink,
	proto.MsgRename:      (*Server).rename,
	proto.MsgSetattr:     (*Server).setattr,
	proto.MsgGetxattr:    (*Server).getxattr,
	proto.MsgSetxattr:    (*Server).setxattr,
	proto.MsgListxattr:   (*Server).listxattr,
	proto.MsgRemovexattr: (*Server).removexattr,
	proto.MsgWalkOpen:    (*Server).walkOpen,
	proto.MsgLookup:      (*Server).lookupMany,
}

// handle answers the request msg into out and returns a descriptor to send
// with the answer, or -1. d is scratch space for decoding.
func (s *Server) handle(msg []byte, d *proto.Decoder, out *proto.Encoder) int {
	*d = proto.NewDecoder(msg)
	tag, t := d.Header()
	if !d.Ok() {
		// Not even a header: answer on whatever tag could be read.
		out.Response(tag, unix.EINVAL)
		return -1
	}
	if !t.Valid() {
		out.Response(tag, unix.EINVAL)
		return -1
	}
	out.Response(tag, 0)
	fd, errno := handlers[t](s, d, out)
	if errno != 0 {
		if fd >= 0 {
			unix.Close(fd)
		}
		out.Response(tag, errno)
		return -1
	}
	return fd
}

// errnoOf converts a host error to an errno for the wire.
func errnoOf(err error) unix.Errno {
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return unix.EIO
}
