package sys

import (
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// node is what every inode here shares: identity, mode, and whether it
// still exists.
type node struct {
	vfs.InodeDefaults
	fs   *filesystem
	ino  uint64
	mode uint32
	// exists, if not nil, reports whether the inode is still there.
	exists func() bool
}

// newNode returns a node with the next inode number.
func (fs *filesystem) newNode(mode uint32, exists func() bool) node {
	return node{fs: fs, ino: fs.lastIno.Add(1), mode: mode, exists: exists}
}

// gone reports whether the inode has disappeared.
func (n *node) gone() bool { return n.exists != nil && !n.exists() }

// Perms implements vfs.Inode.Perms: everything belongs to root.
func (n *node) Perms() vfs.Perms { return vfs.Perms{Mode: n.mode} }

// Stat implements vfs.Inode.Stat.
func (n *node) Stat(ctx vfs.Context, mask uint32) (linux.Statx, linux.Errno) {
	if n.gone() {
		return linux.Statx{}, linux.ENOENT
	}
	ts := n.fs.created.UnixNano()
	when := linux.StatxTimestamp{Sec: ts / 1e9, Nsec: uint32(ts % 1e9)}
	st := linux.Statx{
		Mask:    linux.STATX_BASIC_STATS,
		Blksize: 4096,
		Nlink:   1,
		Mode:    uint16(n.mode),
		Ino:     n.ino,
		Atime:   when,
		Ctime:   when,
		Mtime:   when,
	}
	switch n.mode & unix.S_IFMT {
	case unix.S_IFDIR:
		st.Nlink = 2
	case unix.S_IFREG:
		st.Size = uint64(n.fs.fileSize)
	}
	return st, 0
}

// SetStat implements vfs.Inode.SetStat: nothing here changes.
func (n *node) SetStat(ctx vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	return linux.EPERM
}

// entry is a named child of a directory.
type entry struct {
	name  string
	inode vfs.Inode
}

// dir is a directory: fixed children, then those more lists (the cpuN
// directories of the CPUs the sandbox has now).
type dir struct {
	node
	fixed []entry
	more  func() []entry
}

// newDir returns an empty directory.
func (fs *filesystem) newDir(exists func() bool) *dir {
	return &dir{node: fs.newNode(unix.S_IFDIR|0o755, exists)}
}

// add adds a child.
func (d *dir) add(name string, in vfs.Inode) { d.fixed = append(d.fixed, entry{name, in}) }

// dirAt returns the directory at the slash-separated path p below d,
// creating what is missing.
func (d *dir) dirAt(p string) *dir {
	for _, name := range strings.Split(p, "/") {
		var next *dir
		for _, e := range d.fixed {
			if sub, ok := e.inode.(*dir); ok && e.name == name {
				next = sub
			}
		}
		if next == nil {
			next = d.fs.newDir(nil)
			d.add(name, next)
		}
		d = next
	}
	return d
}

// entries returns the current children.
func (d *dir) entries() []entry {
	if d.more == nil {
		return d.fixed
	}
	return append(d.fixed[:len(d.fixed):len(d.fixed)], d.more()...)
}

// Lookup implements vfs.Inode.Lookup.
func (d *dir) Lookup(ctx vfs.Context, name string) (vfs.Inode, linux.Errno) {
	if d.gone() {
		return nil, linux.ENOENT
	}
	for _, e := range d.entries() {
		if e.name == name {
			return e.inode, 0
		}
	}
	return nil, linux.ENOENT
}

// Open implements vfs.Inode.Open.
func (d *dir) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	if d.gone() {
		return nil, linux.ENOENT
	}
	return &dirFile{d: d}, 0
}

// dirFile is an open directory.
type dirFile struct {
	vfs.FileDefaults
	d *dir
}

// ReadDir implements vfs.FileImpl.ReadDir. Entry i is at offset i+2.
func (f *dirFile) ReadDir(ctx vfs.Context, fd *vfs.FileDescription, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	ents := f.d.entries()
	for i := off - 2; i >= 0 && i < int64(len(ents)); i++ {
		e := ents[i]
		p := e.inode.Perms()
		var ino uint64
		if n, ok := e.inode.(interface{ inoOf() uint64 }); ok {
			ino = n.inoOf()
		}
		if !emit(vfs.Dirent{Name: e.name, Ino: ino, Type: vfs.DirentType(p.Type()), NextOff: i + 3}) {
			break
		}
	}
	return 0
}

// Seek implements vfs.FileImpl.Seek.
func (f *dirFile) Seek(ctx vfs.Context, fd *vfs.FileDescription, offset int64, whence int32, cur int64) (int64, linux.Errno) {
	return vfs.GenericSeek(offset, whence, cur, 0)
}

// inoOf returns the inode number (for directory listings).
func (n *node) inoOf() uint64 { return n.ino }

// symlink is a symbolic link with a fixed target.
type symlink struct {
	node
	target string
}

// newSymlink returns a link to target.
func (fs *filesystem) newSymlink(target string) *symlink {
	return &symlink{node: fs.newNode(unix.S_IFLNK|0o777, nil), target: target}
}

// Readlink implements vfs.Inode.Readlink.
func (l *symlink) Readlink(ctx vfs.Context) (string, linux.Errno) { return l.target, 0 }

// file is a read-only regular file whose contents gen renders for the
// reader ctx.
type file struct {
	node
	gen func(ctx vfs.Context) string
}

// newFile returns a file with the permission bits perm.
func (fs *filesystem) newFile(perm uint32, gen func(ctx vfs.Context) string) *file {
	return &file{node: fs.newNode(unix.S_IFREG|perm, nil), gen: gen}
}

// Open implements vfs.Inode.Open. Nothing here is writable: on a
// read-only mount the vfs refuses a write open first (EROFS).
func (f *file) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	if f.gone() {
		return nil, linux.ENOENT
	}
	if flags&unix.O_ACCMODE != unix.O_RDONLY {
		return nil, linux.EACCES
	}
	return &seqFile{f: f, data: f.gen(ctx)}, 0
}

// seqFile is an open file: the contents rendered at open, rendered again
// when a reader that has read comes back to offset 0.
type seqFile struct {
	vfs.FileDefaults
	f *file

	// mu guards the fields below.
	mu   sync.Mutex
	data string
	read bool
}

// Read implements vfs.FileImpl.Read.
func (s *seqFile) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, off int64) (int, linux.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if off == 0 && s.read {
		s.data = s.f.gen(ctx)
	}
	s.read = true
	if off >= int64(len(s.data)) {
		return 0, 0
	}
	return copy(dst, s.data[off:]), 0
}

// Seek implements vfs.FileImpl.Seek.
func (s *seqFile) Seek(ctx vfs.Context, fd *vfs.FileDescription, offset int64, whence int32, cur int64) (int64, linux.Errno) {
	s.mu.Lock()
	size := int64(len(s.data))
	s.mu.Unlock()
	return vfs.GenericSeek(offset, whence, cur, size)
}
