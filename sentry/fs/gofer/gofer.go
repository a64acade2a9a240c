// Package gofer is the sentry's file system backed by a gofer: every inode
// holds a handle (proto.Handle) on a node of the tree the gofer serves, and
// file data is read and written through host descriptors the gofer donates,
// never through the gofer itself. docs/fs-gofer.md describes the design.
//
// # Caching
//
// Attributes come with every walk, so Perms never blocks and, on a
// read-only file system (Options.ReadOnly), Stat never asks the gofer: the
// tree cannot change under a read-only root. A read-only file system also
// remembers names found missing and directory listings. A writable file
// system re-reads attributes on every Stat but the one right after the
// walk, since the host may change the tree: by fstat of a host descriptor
// for files and directories (opened by the first such Stat if the inode
// has none), by a gofer Stat otherwise.
//
// A regular file's inode opens at most one host descriptor per access
// (O_RDONLY, O_RDWR) and keeps it while the file is open and, after that,
// while it is among the Options.MaxIdleFiles most recently closed files:
// reopening costs no round trip. Every file description reads and writes
// it with pread/pwrite at its own offset; the host descriptor's offset is
// never used.
//
// # Lifetime
//
// The vfs never evicts dentries and has no hook for a dropped inode. The
// file system keeps only Options.MaxHandles handles and walks to a node
// again, by a name it knows (names.go), when it needs a dropped one
// (handle_cache.go). An inode lives until it is unreachable (unlinked and
// no longer open); a runtime cleanup then closes its host descriptors and
// queues its handle for a batched gofer Close.
//
// # Lock order
//
//	vfs Dentry.mu (held by the vfs around directory methods)
//	  dirInode.mu, symlinkInode.mu (held across gofer calls: Getdents,
//	                                Readlink, walks to dropped handles)
//	    hostRes.mu (never held across a gofer call, nor two at once)
//	vfs FileDescription.offMu
//	  regularInode.appendMu
//	Filesystem.idleMu, Filesystem.handleMu, inode.attrMu, Filesystem.inoMu,
//	Filesystem.closeMu: leaves (hostRes.mu is never taken with idleMu or
//	handleMu held, nor they with it)
package gofer

import (
	"fmt"
	"sync"
	"time"

	"moat/gofer/proto"
	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Options configure a gofer-backed file system.
type Options struct {
	// ReadOnly refuses every change with EROFS and lets the file system
	// cache attributes, directory listings and missing names for good.
	// Mount the file system with vfs.MountFlags{ReadOnly: true} as well,
	// so the vfs reports EROFS in Linux's order.
	ReadOnly bool
	// MaxNegative bounds the missing names remembered per directory on a
	// read-only file system (0: DefaultMaxNegative; negative: none).
	MaxNegative int
	// MaxIdleFiles bounds the regular files that keep their host
	// descriptors once no file description uses them, most recently
	// closed first (0: DefaultMaxIdleFiles; negative: none).
	MaxIdleFiles int
	// MaxHandles bounds the gofer handles (each a descriptor in the
	// gofer) kept for nodes not in use, most recently used first (0 or
	// negative: DefaultMaxHandles).
	MaxHandles int
}

// Defaults of Options.
const (
	DefaultMaxNegative  = 1024
	DefaultMaxIdleFiles = 1024
	DefaultMaxHandles   = 4096
)

// Filesystem is one gofer-backed file system: one attach of a gofer
// connection.
type Filesystem struct {
	vfsfs      *vfs.Filesystem
	client     *proto.Client
	opts       Options
	ownsClient bool
	root       goferInode // a directory, or a regular file (file bind mount)

	// idleMu guards the idle list and its links in every hostRes.
	idleMu sync.Mutex
	// idleHead and idleTail are the ends of the idle list: the regular
	// files with host descriptors and no open file description, least
	// recently closed first. idleLen is its length.
	idleHead, idleTail *hostRes
	idleLen            int

	// handleMu guards the handle list (see handle_cache.go) and its
	// links in every hostRes.
	handleMu sync.Mutex
	// hHead and hTail are the ends of the handle list: the inodes holding
	// a handle they do not use right now, least recently used first. hLen
	// is its length.
	hHead, hTail *hostRes
	hLen         int

	// freshWindow is defaultFreshWindow (tests change it).
	freshWindow time.Duration

	// rootDev is the host device of the root.
	rootDev uint64
	// inoMu guards inos, the inode numbers given to files of other host
	// devices (see sentryIno).
	inoMu sync.Mutex
	inos  map[inoKey]uint64

	// closeMu guards closeQueue and flushing.
	closeMu sync.Mutex
	// closeQueue holds handles of dropped inodes waiting for a Close.
	closeQueue []proto.Handle
	// flushing is set while a goroutine sends closeQueue to the gofer.
	flushing bool
}

// New attaches to the gofer client serves and returns the file system,
// registered with v, ready for v.MountRoot or v.Mount. Its root is a
// directory, or a regular file when the gofer serves a file bind mount.
// The caller keeps ownership of client and must keep it open while the
// file system is in use.
func New(v *vfs.VirtualFilesystem, client *proto.Client, opts Options) (*vfs.Filesystem, error) {
	if opts.MaxNegative == 0 {
		opts.MaxNegative = DefaultMaxNegative
	}
	if opts.MaxIdleFiles == 0 {
		opts.MaxIdleFiles = DefaultMaxIdleFiles
	}
	if opts.MaxHandles <= 0 {
		opts.MaxHandles = DefaultMaxHandles
	}
	h, st, err := client.Attach()
	if err != nil {
		return nil, fmt.Errorf("attaching to the gofer: %w", err)
	}
	if t := st.Mode & sIFMT; t != sIFDIR && t != sIFREG {
		client.CloseHandles([]proto.Handle{h})
		return nil, fmt.Errorf("attaching to the gofer: root has mode %#o: %w", st.Mode, linux.ENOTDIR)
	}
	fs := &Filesystem{client: client, opts: opts, rootDev: st.Dev, freshWindow: defaultFreshWindow}
	fs.root = fs.newInode(h, &st)
	fs.vfsfs = v.NewFilesystem(fs, fs.root)
	return fs.vfsfs, nil
}

// NewFromFD is New over a connected SOCK_SEQPACKET socket to the gofer. The
// file system owns fd (also on error) and closes the connection in Release.
func NewFromFD(v *vfs.VirtualFilesystem, fd int, opts Options) (*vfs.Filesystem, error) {
	c, err := proto.NewClient(fd)
	if err != nil {
		return nil, fmt.Errorf("connecting to the gofer: %w", err)
	}
	vfsfs, err := New(v, c, opts)
	if err != nil {
		c.Close()
		return nil, err
	}
	vfsfs.Impl().(*Filesystem).ownsClient = true
	return vfsfs, nil
}

// Name implements vfs.FilesystemImpl.Name. The type is reported as "9p",
// like gVisor's gofer file system, so tools reading /proc/mounts see what
// they see there.
func (fs *Filesystem) Name() string { return "9p" }

// StatFS implements vfs.FilesystemImpl.StatFS with the host file system's
// figures and the 9p magic number.
func (fs *Filesystem) StatFS(vfs.Context) (linux.Statfs, linux.Errno) {
	st, err := fs.client.Statfs(fs.root.base().res.h) // never dropped
	if err != nil {
		return linux.Statfs{}, errno(err)
	}
	return linux.Statfs{
		Type:    linux.V9FS_MAGIC,
		Bsize:   st.Bsize,
		Blocks:  st.Blocks,
		Bfree:   st.Bfree,
		Bavail:  st.Bavail,
		Files:   st.Files,
		Ffree:   st.Ffree,
		Namelen: st.Namelen,
		Frsize:  st.Frsize,
	}, 0
}

// Release implements vfs.FilesystemImpl.Release. It closes the gofer
// connection if the file system owns it (NewFromFD).
func (fs *Filesystem) Release() {
	if fs.ownsClient {
		fs.client.Close()
	}
}

// ReadOnly reports whether the file system was made with Options.ReadOnly.
func (fs *Filesystem) ReadOnly() bool { return fs.opts.ReadOnly }

// errno translates an error of the gofer client to the errno the
// application sees: the one boundary where host errors are translated. A
// lost connection (proto.ErrClosed) is EIO.
func errno(err error) linux.Errno { return linux.FromHost(err) }
