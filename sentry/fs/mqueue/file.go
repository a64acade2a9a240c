// Package mqueue makes POSIX message queues (sentry/kernel/mq) files: the
// descriptors mq_open returns, which read as the queue's status line
// ("QSIZE:... NOTIFY:... SIGNO:... NOTIFY_PID:..."), poll readable while
// messages are queued and writable while there is room, and stat as the
// queue's owner and mode.
package mqueue

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/kernel/mq"
	"moat/sentry/vfs"
)

// File is an open message queue.
type File struct {
	vfs.FileDefaults
	q *mq.Queue
}

// devMinor is the device minor of the mqueue file system.
const devMinor = 15

// New returns a file description for q, which reg names name (taking
// over the caller's reference): mq_open's descriptor. flags are the open
// flags (access mode and O_NONBLOCK). Its path is the queue's in the
// namespace's internal mqueue mount ("/name" in /proc/PID/fd, as on
// Linux), or none if the name went meanwhile.
func New(v *vfs.VirtualFilesystem, ctx vfs.Context, reg *mq.Registry, name string, q *mq.Queue, flags uint32) *vfs.FileDescription {
	vd, errno := v.GetDentryAt(ctx, internalPath(v, reg, name))
	if errno != 0 {
		vd = vfs.VirtualDentry{}
	}
	return vfs.NewFileDescription(&File{q: q}, vd, flags&(unix.O_ACCMODE|unix.O_NONBLOCK))
}

// Unlink implements mq_unlink(3): after the registry's checks, the name
// is unlinked in the internal mount, so that descriptors of the queue
// show as "/name (deleted)", as on Linux.
func Unlink(v *vfs.VirtualFilesystem, ctx vfs.Context, reg *mq.Registry, name string) linux.Errno {
	if errno := reg.MayUnlink(ctx.Credentials(), name); errno != 0 {
		return errno
	}
	return v.UnlinkAt(ctx, internalPath(v, reg, name))
}

// internalPath names name in the namespace's internal mqueue mount (made
// on first use, kept for the sandbox's life).
func internalPath(v *vfs.VirtualFilesystem, reg *mq.Registry, name string) *vfs.PathOp {
	m := v.AnonymousMount(fmt.Sprintf("mqueue:%p", reg), func() *vfs.Filesystem { return NewFilesystem(v, reg) })
	root := m.Root()
	return &vfs.PathOp{Root: root, Start: root, Path: name}
}

// Queue returns the file's queue, nil if fd is not a message queue.
func Queue(fd *vfs.FileDescription) *mq.Queue {
	if f, ok := fd.Impl().(*File); ok {
		return f.q
	}
	return nil
}

// Release implements vfs.FileImpl.Release.
func (f *File) Release() { f.q.DecRef() }

// Read implements vfs.FileImpl.Read: the status line from off.
// A notification's owner shows as its PID in the reader's namespace.
func (f *File) Read(ctx vfs.Context, _ *vfs.FileDescription, dst []byte, off int64) (int, linux.Errno) {
	s := f.q.Status(func(owner any) int32 {
		t, _ := ctx.(*kernel.Task)
		tg, _ := owner.(*kernel.ThreadGroup)
		if t == nil || tg == nil {
			return 0
		}
		return t.PIDNamespace().IDOfThreadGroup(tg)
	})
	if off >= int64(len(s)) {
		return 0, 0
	}
	return copy(dst, s[off:]), 0
}

// Write implements vfs.FileImpl.Write: queue files take no writes.
func (f *File) Write(vfs.Context, *vfs.FileDescription, []byte, int64) (int, linux.Errno) {
	return 0, linux.EINVAL
}

// Seek implements vfs.FileImpl.Seek (default_llseek; the file has no
// size).
func (f *File) Seek(_ vfs.Context, _ *vfs.FileDescription, offset int64, whence int32, cur int64) (int64, linux.Errno) {
	return vfs.GenericSeek(offset, whence, cur, 0)
}

// Stat implements vfs.FileStater.Stat.
func (f *File) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) { return stat(f.q), 0 }

// SetStat implements vfs.FileStater.SetStat: fchmod and fchown change the
// queue.
func (f *File) SetStat(ctx vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	return setStat(ctx.Credentials(), f.q, opts)
}

// stat is the queue as a regular file; its size is QSIZE.
func stat(q *mq.Queue) linux.Statx {
	st := q.Stat()
	ts := func(t time.Time) linux.StatxTimestamp {
		return linux.StatxTimestamp{Sec: t.Unix(), Nsec: uint32(t.Nanosecond())}
	}
	return linux.Statx{
		Mask: linux.STATX_BASIC_STATS, Blksize: 4096, Nlink: 1,
		Mode: uint16(unix.S_IFREG | st.Mode), UID: uint32(st.UID), GID: uint32(st.GID),
		Size: uint64(st.QSize), Ino: st.Ino, DevMinor: devMinor,
		Atime: ts(st.Atime), Mtime: ts(st.Mtime), Ctime: ts(st.Ctime), Btime: ts(st.Ctime),
	}
}

// Readiness implements vfs.Waitable.Readiness.
func (f *File) Readiness(_ vfs.Context, mask uint32) uint32 { return f.q.Readiness(mask) }

// EventRegister implements vfs.Waitable.EventRegister.
func (f *File) EventRegister(w *vfs.Waiter) func() { return f.q.EventRegister(w) }

// The interfaces the file implements.
var (
	_ vfs.FileImpl   = (*File)(nil)
	_ vfs.FileStater = (*File)(nil)
	_ vfs.Waitable   = (*File)(nil)
)
