package devpts

import (
	"sort"
	"strconv"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

// Inode numbers as on Linux: the root is 1, ptmx 2, pty N is N+3.
const (
	rootIno = 1
	ptmxIno = 2
)

// dir is the root of devpts. Its entries are computed from the pty table
// and revalidated, so nodes come and go with the ptys.
type dir struct {
	vfs.InodeDefaults
	fs *filesystem
}

// Perms implements vfs.Inode.Perms.
func (d *dir) Perms() vfs.Perms { return vfs.Perms{Mode: unix.S_IFDIR | 0o755} }

// Stat implements vfs.Inode.Stat.
func (d *dir) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	ts := linux.NsecToStatxTimestamp(d.fs.created)
	return linux.Statx{
		Mask: linux.STATX_BASIC_STATS, Mode: unix.S_IFDIR | 0o755, Nlink: 2, Ino: rootIno,
		Blksize: 4096, Atime: ts, Mtime: ts, Ctime: ts,
	}, 0
}

// Lookup implements vfs.Inode.Lookup.
func (d *dir) Lookup(_ vfs.Context, name string) (vfs.Inode, linux.Errno) {
	if name == "ptmx" {
		return &node{fs: d.fs}, 0
	}
	i, err := strconv.ParseUint(name, 10, 32)
	if err != nil || strconv.FormatUint(i, 10) != name {
		return nil, linux.ENOENT
	}
	p := d.fs.get(uint32(i))
	if p == nil {
		return nil, linux.ENOENT
	}
	return &node{fs: d.fs, p: p}, 0
}

// Revalidate implements vfs.Revalidator: a node is valid while its pty
// lives.
func (d *dir) Revalidate(_ vfs.Context, _ string, child vfs.Inode) bool {
	n, ok := child.(*node)
	if !ok {
		return false // never cache failed lookups
	}
	return n.p == nil || d.fs.get(n.p.index) == n.p
}

// Open implements vfs.Inode.Open.
func (d *dir) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	return &dirFile{fs: d.fs}, 0
}

// dirFile lists devpts: ptmx, then the ptys by index.
type dirFile struct {
	vfs.FileDefaults
	fs *filesystem
}

// ReadDir implements vfs.FileImpl.ReadDir. The offset of an entry is its
// inode number: 2 is ptmx, N+3 is pty N.
func (f *dirFile) ReadDir(_ vfs.Context, _ *vfs.FileDescription, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	if off <= ptmxIno {
		if !emit(vfs.Dirent{Name: "ptmx", Ino: ptmxIno, Type: unix.DT_CHR, NextOff: ptmxIno + 1}) {
			return 0
		}
	}
	f.fs.mu.Lock()
	var idx []uint32
	for i := range f.fs.ptys {
		if int64(i)+3 >= off {
			idx = append(idx, i)
		}
	}
	f.fs.mu.Unlock()
	sort.Slice(idx, func(a, b int) bool { return idx[a] < idx[b] })
	for _, i := range idx {
		if !emit(vfs.Dirent{Name: strconv.FormatUint(uint64(i), 10), Ino: uint64(i) + 3, Type: unix.DT_CHR, NextOff: int64(i) + 4}) {
			return 0
		}
	}
	return 0
}

// Seek implements vfs.FileImpl.Seek.
func (f *dirFile) Seek(_ vfs.Context, _ *vfs.FileDescription, off int64, whence int32, cur int64) (int64, linux.Errno) {
	if whence == unix.SEEK_CUR {
		off += cur
	} else if whence != unix.SEEK_SET {
		return 0, linux.EINVAL
	}
	if off < 0 {
		return 0, linux.EINVAL
	}
	return off, 0
}

// node is /dev/pts/ptmx (p is nil) or /dev/pts/N.
type node struct {
	vfs.InodeDefaults
	fs *filesystem
	p  *pty
}

func (n *node) dev() uint64 {
	if n.p == nil {
		return linux.MakeDev(ptmxMajor, ptmxMinor)
	}
	return linux.MakeDev(replicaMajor, n.p.index)
}

// Perms implements vfs.Inode.Perms.
func (n *node) Perms() vfs.Perms {
	if n.p == nil {
		return vfs.Perms{Mode: unix.S_IFCHR | n.fs.opts.PtmxMode}
	}
	n.p.mu.Lock()
	defer n.p.mu.Unlock()
	return vfs.Perms{Mode: unix.S_IFCHR | n.p.mode, UID: auth.KUID(n.p.uid), GID: auth.KGID(n.p.gid)}
}

// Stat implements vfs.Inode.Stat.
func (n *node) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	p := n.Perms()
	ts := linux.NsecToStatxTimestamp(n.fs.created)
	ino := uint64(ptmxIno)
	if n.p != nil {
		ino = uint64(n.p.index) + 3
	}
	d := n.dev()
	return linux.Statx{
		Mask: linux.STATX_BASIC_STATS, Mode: uint16(p.Mode), Nlink: 1, Ino: ino,
		UID: uint32(p.UID), GID: uint32(p.GID), Blksize: 1024,
		Atime: ts, Mtime: ts, Ctime: ts,
		RdevMajor: linux.DevMajor(d), RdevMinor: linux.DevMinor(d),
	}, 0
}

// SetStat implements vfs.Inode.SetStat: a replica's mode and owner can
// change (grantpt(3) on old C libraries); the vfs has checked the caller's
// right to. Times are not kept (EPERM).
func (n *node) SetStat(_ vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	if n.p == nil || opts.Mask&^(linux.STATX_MODE|linux.STATX_UID|linux.STATX_GID) != 0 {
		return linux.EPERM
	}
	p := n.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if opts.Mask&linux.STATX_MODE != 0 {
		p.mode = opts.Mode & 0o7777
	}
	if opts.Mask&linux.STATX_UID != 0 {
		p.uid = uint32(opts.UID)
	}
	if opts.Mask&linux.STATX_GID != 0 {
		p.gid = uint32(opts.GID)
	}
	return 0
}

// Open implements vfs.Inode.Open through the device registry.
func (n *node) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	return n.fs.v.OpenDevice(ctx, vfs.CharDevice, n.dev(), vd, flags)
}
