package proc

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// Inode number spaces. Static inodes count up from 1; inodes of a task
// encode the kind, the thread ID and an index.
const (
	inoTaskDir  = 1 // n: 0 for /proc/TID, 1 for .../task/TID
	inoTaskFile = 2 // n: index in taskEntries (+ 1<<16 under task/)
	inoFDLink   = 3 // n: fd
	inoFDInfo   = 4 // n: fd
	inoNSLink   = 5 // n: index in nsTypes (+ 1<<16 under task/)
)

// taskIno returns the inode number of a task's file.
func taskIno(kind uint64, tid int32, n uint64) uint64 {
	return kind<<56 | uint64(uint32(tid))<<24 | n&0xffffff
}

// node is the part every procfs inode shares: identity, mode and, for the
// files of a task, the thread ID whose task owns them.
type node struct {
	vfs.InodeDefaults
	fs   *filesystem
	ino  uint64
	mode uint32
	// tid is the task the inode describes, or 0.
	tid int32
	// tgid, if not 0, is the process the task must belong to (under
	// /proc/PID/task/, where a reused thread ID may name another
	// process's thread).
	tgid int32
}

// child returns the identity of a file of the same task.
func (n *node) child(ino uint64, mode uint32) node {
	return node{fs: n.fs, ino: ino, mode: mode, tid: n.tid, tgid: n.tgid}
}

// task returns the task the inode describes, or nil if there is none or
// it has exited.
func (n *node) task() *kernel.Task {
	if n.tid == 0 {
		return nil
	}
	t := n.fs.ns.TaskWithID(n.tid)
	if t == nil && n.tgid == 0 {
		t = n.fs.processTask(n.tid)
	}
	if t != nil && n.tgid != 0 && n.fs.ns.IDOfThreadGroup(t.ThreadGroup()) != n.tgid {
		return nil
	}
	return t
}

// Perms implements vfs.Inode.Perms. A task's files belong to its effective
// user and group, as in Linux (for a dumpable process).
func (n *node) Perms() vfs.Perms {
	p := vfs.Perms{Mode: n.mode}
	if t := n.task(); t != nil {
		c := t.Credentials()
		p.UID, p.GID = c.EffectiveKUID, c.EffectiveKGID
	}
	return p
}

// Stat implements vfs.Inode.Stat.
func (n *node) Stat(ctx vfs.Context, mask uint32) (linux.Statx, linux.Errno) {
	ts := n.fs.created.UnixNano()
	if n.tid != 0 {
		t := n.task()
		if t == nil {
			return linux.Statx{}, linux.ENOENT
		}
		ts = t.StartTime()
	}
	p := n.Perms()
	when := linux.StatxTimestamp{Sec: ts / 1e9, Nsec: uint32(ts % 1e9)}
	nlink := uint32(1)
	if p.Type() == unix.S_IFDIR {
		nlink = 2
	}
	return linux.Statx{
		Mask:    linux.STATX_BASIC_STATS,
		Blksize: 1024,
		Nlink:   nlink,
		UID:     uint32(p.UID),
		GID:     uint32(p.GID),
		Mode:    uint16(p.Mode),
		Ino:     n.ino,
		Atime:   when,
		Ctime:   when,
		Mtime:   when,
	}, 0
}

// SetStat implements vfs.Inode.SetStat. Ownership and modes are fixed; a
// size or time change (O_TRUNC of a writable file, as in "echo 1 > file")
// is accepted and ignored, as in Linux.
func (n *node) SetStat(ctx vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	if opts.Mask&(linux.STATX_MODE|linux.STATX_UID|linux.STATX_GID) != 0 {
		return linux.EPERM
	}
	if n.tid != 0 && n.task() == nil {
		return linux.ENOENT
	}
	return 0
}

// mayAccessTask reports whether the caller may read a task's private
// files (environ, auxv, fd/, the cwd/root/exe links, maps), as Linux's
// ptrace "read" access check decides: the same user and group on every
// ID, or CAP_SYS_PTRACE. Kernel-internal callers may.
func mayAccessTask(ctx vfs.Context, t *kernel.Task) linux.Errno {
	if ct := callerTask(ctx); ct != nil && ct.ThreadGroup() == t.ThreadGroup() {
		return 0
	}
	c := ctx.Credentials()
	if c.HasCap(auth.CapSysPtrace) {
		return 0
	}
	tc := t.Credentials()
	if c.FSUID == tc.RealKUID && c.FSUID == tc.EffectiveKUID && c.FSUID == tc.SavedKUID &&
		c.FSGID == tc.RealKGID && c.FSGID == tc.EffectiveKGID && c.FSGID == tc.SavedKGID {
		return 0
	}
	return linux.EACCES
}

// symlink is a link whose target is computed at each readlink.
type symlink struct {
	node
	target func(ctx vfs.Context) (string, linux.Errno)
}

// Readlink implements vfs.Inode.Readlink.
func (l *symlink) Readlink(ctx vfs.Context) (string, linux.Errno) {
	if l.tid != 0 && l.task() == nil {
		return "", linux.ENOENT
	}
	return l.target(ctx)
}

// magicLink is a symlink that path resolution follows to an object (an
// open file, a task's cwd or root) rather than to its text, like Linux's
// /proc/PID/fd/N.
type magicLink struct {
	symlink
	resolve func(ctx vfs.Context) (vfs.VirtualDentry, linux.Errno)
}

// LinkTarget implements vfs.MagicLink.LinkTarget.
func (l *magicLink) LinkTarget(ctx vfs.Context) (vfs.VirtualDentry, linux.Errno) {
	if l.tid != 0 && l.task() == nil {
		return vfs.VirtualDentry{}, linux.ENOENT
	}
	return l.resolve(ctx)
}

// generator renders a file's contents; t is the task of a task's file
// (nil for others).
type generator func(ctx vfs.Context, t *kernel.Task) ([]byte, linux.Errno)

// writer applies a write to a writable file.
type writer func(ctx vfs.Context, t *kernel.Task, data []byte) linux.Errno

// genFile is a regular file whose contents are generated.
type genFile struct {
	node
	gen   generator
	write writer
}

// Open implements vfs.Inode.Open.
func (f *genFile) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	var t *kernel.Task
	if f.tid != 0 {
		if t = f.task(); t == nil {
			return nil, linux.ENOENT
		}
	}
	acc := flags & unix.O_ACCMODE
	if acc != unix.O_RDONLY && f.write == nil {
		return nil, linux.EACCES
	}
	sf := &seqFile{src: f}
	if acc != unix.O_WRONLY {
		data, err := f.gen(ctx, t)
		if err != 0 {
			return nil, err
		}
		sf.data = data
	}
	return sf, 0
}
