package unix

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Namespace holds the names of one sandbox's Unix sockets: the abstract
// namespace and the sockets bound to file system nodes. It is the
// implementation of "sockfs", a detached file system of the sandbox's VFS
// that also gives sockets their device number, as on Linux.
type Namespace struct {
	fs *vfs.Filesystem
	// nextIno numbers sockets for fstat and /proc/PID/fd.
	nextIno atomic.Uint64

	// connMu serializes the part of connect that links two sockets.
	connMu sync.Mutex

	// mu guards the maps below. It is a leaf.
	mu       sync.Mutex
	abstract map[string]*Socket
	// bound maps a socket node (its file system and inode number) to
	// the socket bound there.
	bound map[nodeKey]*Socket
}

// nodeKey names a file system node independently of the Inode object a
// file system happens to return for it.
type nodeKey struct {
	fs  *vfs.Filesystem
	ino uint64
}

// sockfsKey is the key of the sockfs mount in vfs.AnonymousMount.
const sockfsKey = "sockfs"

// NamespaceOf returns the socket namespace of v, making it on first use.
func NamespaceOf(v *vfs.VirtualFilesystem) *Namespace {
	m := v.AnonymousMount(sockfsKey, func() *vfs.Filesystem {
		ns := &Namespace{abstract: map[string]*Socket{}, bound: map[nodeKey]*Socket{}}
		ns.fs = v.NewFilesystem(ns, rootInode{})
		return ns.fs
	})
	return m.Filesystem().Impl().(*Namespace)
}

// Name implements vfs.FilesystemImpl.Name.
func (*Namespace) Name() string { return "sockfs" }

// StatFS implements vfs.FilesystemImpl.StatFS.
func (*Namespace) StatFS(vfs.Context) (linux.Statfs, linux.Errno) {
	return linux.Statfs{Type: sockfsMagic, Bsize: 4096, Namelen: 255}, 0
}

// Release implements vfs.FilesystemImpl.Release.
func (*Namespace) Release() {}

// sockfsMagic is SOCKFS_MAGIC.
const sockfsMagic = 0x534f434b

// rootInode is the root of sockfs, which nothing can reach by path.
type rootInode struct{ vfs.InodeDefaults }

// Perms implements vfs.Inode.Perms.
func (rootInode) Perms() vfs.Perms { return vfs.Perms{Mode: sysunix.S_IFDIR | 0o555} }

// Stat implements vfs.Inode.Stat.
func (rootInode) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{Mask: linux.STATX_BASIC_STATS, Mode: sysunix.S_IFDIR | 0o555, Nlink: 2, Ino: 1}, 0
}

// bindAbstract names s in the abstract namespace.
func (ns *Namespace) bindAbstract(name string, s *Socket) linux.Errno {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if ns.abstract[name] != nil {
		return linux.EADDRINUSE
	}
	ns.abstract[name] = s
	return 0
}

// autobind gives s a free abstract name of five hex digits, as Linux's
// autobind does.
func (ns *Namespace) autobind(s *Socket) (string, linux.Errno) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	start := rand.N(uint32(1 << 20))
	for i := uint32(0); i < 1<<20; i++ {
		name := fmt.Sprintf("%05x", (start+i)&(1<<20-1))
		if ns.abstract[name] == nil {
			ns.abstract[name] = s
			return name, 0
		}
	}
	return "", linux.ENOSPC
}

// bindNode records that s is bound to the node key.
func (ns *Namespace) bindNode(key nodeKey, s *Socket) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.bound[key] = s
}

// unbind forgets the names of s.
func (ns *Namespace) unbind(s *Socket, a Address, key nodeKey) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if a.IsAbstract && ns.abstract[a.Abstract] == s {
		delete(ns.abstract, a.Abstract)
	}
	if key.fs != nil && ns.bound[key] == s {
		delete(ns.bound, key)
	}
}

// lookupAbstract returns the socket with the abstract name, or nil.
func (ns *Namespace) lookupAbstract(name string) *Socket {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	return ns.abstract[name]
}

// lookupNode returns the socket bound to key, or nil.
func (ns *Namespace) lookupNode(key nodeKey) *Socket {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	return ns.bound[key]
}

// NextIno implements net.SockFS.NextIno.
func (ns *Namespace) NextIno() uint64 { return ns.nextIno.Add(1) }

// DevMinor implements net.SockFS.DevMinor.
func (ns *Namespace) DevMinor() uint32 { return ns.fs.DevMinor() }
