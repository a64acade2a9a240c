package dev

import (
	"sort"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

// Device numbers of pseudo-terminals.
const (
	ptmxMajor    = 5
	ptmxMinor    = 2
	replicaMajor = 136
	// maxPtys bounds the pseudo-terminals of a sandbox.
	maxPtys = 1024
	// ttyGID is the group of replica nodes (Debian's "tty").
	ttyGID = 5
)

// ptsFS is a devpts instance: /dev/pts with "ptmx" and one node per open
// pseudo-terminal. Its directory is computed from the pty table, and
// revalidated, so nodes come and go with the ptys.
type ptsFS struct {
	v       *vfs.VirtualFilesystem
	created int64

	// mu guards ptys.
	mu   sync.Mutex
	ptys map[uint32]*pty
}

// NewPts returns a devpts file system for /dev/pts and registers /dev/ptmx
// (5:2) and the replicas (major 136) in v. Mount it at /dev/pts; /dev/ptmx
// in the file system from New is a symlink to pts/ptmx.
func NewPts(v *vfs.VirtualFilesystem) *vfs.Filesystem {
	pf := &ptsFS{v: v, created: time.Now().UnixNano(), ptys: make(map[uint32]*pty)}
	v.RegisterDevice(vfs.CharDevice, ptmxMajor, ptmxMinor, ptmxDevice{pf})
	v.RegisterDeviceMajor(vfs.CharDevice, replicaMajor, replicaDevice{pf})
	return v.NewFilesystem(pf, &ptsDir{pf: pf})
}

// Name implements vfs.FilesystemImpl.Name.
func (pf *ptsFS) Name() string { return "devpts" }

// Release implements vfs.FilesystemImpl.Release.
func (pf *ptsFS) Release() {}

// StatFS implements vfs.FilesystemImpl.StatFS.
func (pf *ptsFS) StatFS(vfs.Context) (linux.Statfs, linux.Errno) {
	return linux.Statfs{Type: linux.DEVPTS_MAGIC, Bsize: 4096, Frsize: 4096, Namelen: vfs.NameMax}, 0
}

// alloc makes a pty with the lowest free index.
func (pf *ptsFS) alloc(uid uint32) (*pty, linux.Errno) {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	for i := uint32(0); i < maxPtys; i++ {
		if pf.ptys[i] == nil {
			p := newPty(i, uid)
			pf.ptys[i] = p
			return p, 0
		}
	}
	return nil, linux.ENOSPC
}

func (pf *ptsFS) get(index uint32) *pty {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	return pf.ptys[index]
}

func (pf *ptsFS) remove(index uint32) {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	delete(pf.ptys, index)
}

// ptmxDevice opens a new pty's master.
type ptmxDevice struct{ pf *ptsFS }

// Open implements vfs.Device.Open.
func (d ptmxDevice) Open(ctx vfs.Context, _ vfs.VirtualDentry, _ uint32) (vfs.FileImpl, linux.Errno) {
	p, err := d.pf.alloc(uint32(ctx.Credentials().FSUID))
	if err != 0 {
		return nil, err
	}
	return &masterFile{ptyEnd{p: p, pf: d.pf}}, 0
}

// replicaDevice opens /dev/pts/N (or any 136:N node).
type replicaDevice struct{ pf *ptsFS }

// Open implements vfs.Device.Open.
func (d replicaDevice) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	st, err := vd.Dentry().Inode().Stat(ctx, linux.STATX_TYPE)
	if err != 0 {
		return nil, err
	}
	p := d.pf.get(st.RdevMinor)
	if p == nil {
		return nil, linux.EIO
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.locked || !p.masterOpen {
		return nil, linux.EIO
	}
	p.replicas++
	p.everOpened = true
	if flags&unix.O_NOCTTY == 0 {
		defer vfs.AcquireControllingTerminal(ctx, p)
	}
	return &replicaFile{ptyEnd{p: p, pf: d.pf}}, 0
}

// OpenTTY implements vfs.Terminal.OpenTTY: /dev/tty of a session whose
// controlling terminal is this pty opens its replica.
func (p *pty) OpenTTY(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.masterOpen {
		return nil, linux.EIO
	}
	p.replicas++
	p.everOpened = true
	return &replicaFile{ptyEnd{p: p}}, 0
}

// ptsDir is the root of devpts.
type ptsDir struct {
	vfs.InodeDefaults
	pf *ptsFS
}

// Perms implements vfs.Inode.Perms.
func (d *ptsDir) Perms() vfs.Perms { return vfs.Perms{Mode: unix.S_IFDIR | 0o755} }

// Stat implements vfs.Inode.Stat.
func (d *ptsDir) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	ts := linux.NsecToStatxTimestamp(d.pf.created)
	return linux.Statx{
		Mask: linux.STATX_BASIC_STATS, Mode: unix.S_IFDIR | 0o755, Nlink: 2, Ino: 1,
		Blksize: 4096, Atime: ts, Mtime: ts, Ctime: ts,
	}, 0
}

// Lookup implements vfs.Inode.Lookup.
func (d *ptsDir) Lookup(_ vfs.Context, name string) (vfs.Inode, linux.Errno) {
	if name == "ptmx" {
		return &ptsNode{pf: d.pf, minor: ptmxMinor, ptmx: true}, 0
	}
	i, err := strconv.ParseUint(name, 10, 32)
	if err != nil || strconv.FormatUint(i, 10) != name {
		return nil, linux.ENOENT
	}
	p := d.pf.get(uint32(i))
	if p == nil {
		return nil, linux.ENOENT
	}
	return &ptsNode{pf: d.pf, minor: uint32(i), p: p}, 0
}

// Revalidate implements vfs.Revalidator: a node is valid while its pty
// lives.
func (d *ptsDir) Revalidate(_ vfs.Context, name string, child vfs.Inode) bool {
	n, ok := child.(*ptsNode)
	if !ok {
		return false // never cache failed lookups
	}
	return n.ptmx || d.pf.get(n.minor) == n.p
}

// Open implements vfs.Inode.Open.
func (d *ptsDir) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	return &ptsDirFile{pf: d.pf}, 0
}

// ptsDirFile lists devpts: ptmx, then the ptys by index.
type ptsDirFile struct {
	vfs.FileDefaults
	pf *ptsFS
}

// ReadDir implements vfs.FileImpl.ReadDir. Offsets: 2 is ptmx, 3+N is
// pty N.
func (f *ptsDirFile) ReadDir(_ vfs.Context, _ *vfs.FileDescription, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	if off <= 2 {
		if !emit(vfs.Dirent{Name: "ptmx", Ino: 2, Type: unix.DT_CHR, NextOff: 3}) {
			return 0
		}
	}
	f.pf.mu.Lock()
	var idx []uint32
	for i := range f.pf.ptys {
		if int64(i)+3 >= off {
			idx = append(idx, i)
		}
	}
	f.pf.mu.Unlock()
	sort.Slice(idx, func(a, b int) bool { return idx[a] < idx[b] })
	for _, i := range idx {
		if !emit(vfs.Dirent{Name: strconv.FormatUint(uint64(i), 10), Ino: uint64(i) + 3, Type: unix.DT_CHR, NextOff: int64(i) + 4}) {
			return 0
		}
	}
	return 0
}

// Seek implements vfs.FileImpl.Seek.
func (f *ptsDirFile) Seek(_ vfs.Context, _ *vfs.FileDescription, off int64, whence int32, cur int64) (int64, linux.Errno) {
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

// ptsNode is /dev/pts/ptmx or /dev/pts/N.
type ptsNode struct {
	vfs.InodeDefaults
	pf    *ptsFS
	minor uint32
	ptmx  bool
	p     *pty
}

func (n *ptsNode) dev() uint64 {
	if n.ptmx {
		return linux.MakeDev(ptmxMajor, ptmxMinor)
	}
	return linux.MakeDev(replicaMajor, n.minor)
}

// Perms implements vfs.Inode.Perms.
func (n *ptsNode) Perms() vfs.Perms {
	if n.ptmx {
		return vfs.Perms{Mode: unix.S_IFCHR | 0o666}
	}
	return vfs.Perms{Mode: unix.S_IFCHR | 0o620, UID: auth.KUID(n.p.uid), GID: ttyGID}
}

// Stat implements vfs.Inode.Stat.
func (n *ptsNode) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	p := n.Perms()
	ts := linux.NsecToStatxTimestamp(n.pf.created)
	ino := uint64(2)
	if !n.ptmx {
		ino = uint64(n.minor) + 3
	}
	d := n.dev()
	return linux.Statx{
		Mask: linux.STATX_BASIC_STATS, Mode: uint16(p.Mode), Nlink: 1, Ino: ino,
		UID: uint32(p.UID), GID: uint32(p.GID), Blksize: 1024,
		Atime: ts, Mtime: ts, Ctime: ts,
		RdevMajor: linux.DevMajor(d), RdevMinor: linux.DevMinor(d),
	}, 0
}

// Open implements vfs.Inode.Open through the device registry.
func (n *ptsNode) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	return n.pf.v.OpenDevice(ctx, vfs.CharDevice, n.dev(), vd, flags)
}
