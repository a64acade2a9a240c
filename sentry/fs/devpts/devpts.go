// Package devpts is the devpts file system (/dev/pts) and the
// pseudo-terminals behind it. Opening /dev/ptmx (char 5:2, or
// /dev/pts/ptmx) makes a pty: a master file and a replica node
// /dev/pts/N (char 136:N) that appears in the directory while the master
// is open. Bytes written to the master go through the replica's line
// discipline (ldisc: input processing, canonical editing, echo, signal
// characters) and are read from the replica; bytes written to the replica
// go through output processing and are read from the master.
//
// A pty is a vfs.Terminal: a session acquires it as its controlling
// terminal (TIOCSCTTY, or a session leader opening the replica without
// O_NOCTTY) in the mount namespace's table, and /dev/tty then opens it.
// Job control signals (^C, ^\, ^Z, SIGWINCH, SIGHUP on hangup) go through
// the Kernel interface, which *kernel.Kernel implements.
//
// Lock order: pty.mu, then filesystem.mu. Neither is held while calling
// into the vfs controlling-terminal table or the Kernel.
package devpts

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Device numbers of pseudo-terminals, as on Linux.
const (
	ptmxMajor    = 5
	ptmxMinor    = 2
	replicaMajor = 136
	// maxPtys bounds the pseudo-terminals of a sandbox (Linux's
	// kernel.pty.max default is 4096).
	maxPtys = 1024
)

// Kernel is what terminals need of the kernel for job control.
// *kernel.Kernel implements it (sentry/kernel/tty.go). Its methods may be
// called from any goroutine.
type Kernel interface {
	// SendProcessGroupSignal sends sig to every process of group pgid
	// and reports whether there was one.
	SendProcessGroupSignal(pgid int32, sig int) bool
	// SendSessionLeaderSignal sends sig to the leader of session sid.
	SendSessionLeaderSignal(sid int32, sig int)
	// ProcessGroupSession returns the session of group pgid; ok is
	// false if the group has no process.
	ProcessGroupSession(pgid int32) (sid int32, ok bool)
	// SessionLeaderAlive reports whether session sid's leader lives.
	SessionLeaderAlive(sid int32) bool
}

// Options are the devpts mount options that Moat honours.
type Options struct {
	// Mode is the permission bits of new replica nodes (mode=).
	Mode uint32
	// GID is the group of new replica nodes (gid=); -1 means the
	// opener's group.
	GID int64
	// PtmxMode is the permission bits of /dev/pts/ptmx (ptmxmode=).
	PtmxMode uint32
}

// DefaultOptions are the options of the OCI runtime spec's default
// /dev/pts mount: newinstance,ptmxmode=0666,mode=0620,gid=5.
var DefaultOptions = Options{Mode: 0o620, GID: 5, PtmxMode: 0o666}

// filesystem is a devpts instance.
type filesystem struct {
	v       *vfs.VirtualFilesystem
	k       Kernel
	opts    Options
	created int64

	// mu guards ptys.
	mu   sync.Mutex
	ptys map[uint32]*pty
}

// New returns a devpts file system to mount on /dev/pts and registers
// /dev/ptmx (5:2) and the replicas (major 136) in v. k delivers the
// terminals' signals; it may be nil (no job control signals).
func New(v *vfs.VirtualFilesystem, k Kernel, opts Options) *vfs.Filesystem {
	fs := &filesystem{v: v, k: k, opts: opts, created: time.Now().UnixNano(), ptys: make(map[uint32]*pty)}
	v.RegisterDevice(vfs.CharDevice, ptmxMajor, ptmxMinor, ptmxDevice{fs})
	v.RegisterDeviceMajor(vfs.CharDevice, replicaMajor, replicaDevice{fs})
	return v.NewFilesystem(fs, &dir{fs: fs})
}

// Name implements vfs.FilesystemImpl.Name.
func (fs *filesystem) Name() string { return "devpts" }

// Release implements vfs.FilesystemImpl.Release.
func (fs *filesystem) Release() {}

// StatFS implements vfs.FilesystemImpl.StatFS.
func (fs *filesystem) StatFS(vfs.Context) (linux.Statfs, linux.Errno) {
	return linux.Statfs{Type: linux.DEVPTS_MAGIC, Bsize: 4096, Frsize: 4096, Namelen: vfs.NameMax}, 0
}

// alloc makes a pty with the lowest free index, owned by the caller.
func (fs *filesystem) alloc(ctx vfs.Context) (*pty, linux.Errno) {
	creds := ctx.Credentials()
	gid := uint32(creds.FSGID)
	if fs.opts.GID >= 0 {
		gid = uint32(fs.opts.GID)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i := uint32(0); i < maxPtys; i++ {
		if fs.ptys[i] == nil {
			p := newPty(fs, i, uint32(creds.FSUID), gid)
			fs.ptys[i] = p
			return p, 0
		}
	}
	return nil, linux.ENOSPC
}

// get returns pty index, or nil.
func (fs *filesystem) get(index uint32) *pty {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.ptys[index]
}

// remove drops p from the directory.
func (fs *filesystem) remove(p *pty) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.ptys[p.index] == p {
		delete(fs.ptys, p.index)
	}
}

// ptmxDevice opens a new pty's master.
type ptmxDevice struct{ fs *filesystem }

// Open implements vfs.Device.Open. The master never becomes a controlling
// terminal.
func (d ptmxDevice) Open(ctx vfs.Context, _ vfs.VirtualDentry, _ uint32) (vfs.FileImpl, linux.Errno) {
	p, err := d.fs.alloc(ctx)
	if err != 0 {
		return nil, err
	}
	return &masterFile{ptyFile{p: p}}, 0
}

// replicaDevice opens /dev/pts/N, or any 136:N node.
type replicaDevice struct{ fs *filesystem }

// Open implements vfs.Device.Open: EIO while the pty is locked or gone.
// A session leader without a controlling terminal that opens a replica
// without O_NOCTTY acquires it, as on Linux.
func (d replicaDevice) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	st, err := vd.Dentry().Inode().Stat(ctx, linux.STATX_TYPE)
	if err != 0 {
		return nil, err
	}
	p := d.fs.get(st.RdevMinor)
	if p == nil {
		return nil, linux.EIO
	}
	p.mu.Lock()
	switch {
	case p.locked || !p.masterOpen:
		err = linux.EIO
	case p.exclusive && !ctx.Credentials().HasCap(capSysAdmin):
		err = linux.EBUSY
	default:
		p.replicas++
		p.everOpened = true
		p.notifyLocked()
	}
	p.mu.Unlock()
	if err != 0 {
		return nil, err
	}
	if flags&unix.O_NOCTTY == 0 {
		p.acquire(ctx)
	}
	return &replicaFile{ptyFile{p: p}}, 0
}

// capSysAdmin is CAP_SYS_ADMIN.
const capSysAdmin = 21
