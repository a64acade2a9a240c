// Package mqueue makes POSIX message queues (sentry/kernel/mq) files: the
// descriptors mq_open returns, which read as the queue's status line
// ("QSIZE:... NOTIFY:... SIGNO:... NOTIFY_PID:..."), poll readable while
// messages are queued and writable while there is room, and stat as the
// queue's owner and mode.
package mqueue

import (
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel/mq"
	"moat/sentry/vfs"
)

// File is an open message queue.
type File struct {
	vfs.FileDefaults
	q     *mq.Queue
	pidOf func(owner any) int32
}

// devMinor is the device minor of the mqueue file system.
const devMinor = 15

// Options say how a queue's file shows process IDs and who owns it.
type Options struct {
	// PIDOf renders a notification owner's PID for the reader.
	PIDOf func(owner any) int32
}

// New returns a file description for q (taking over the caller's
// reference). flags are the open flags (access mode and O_NONBLOCK).
func New(q *mq.Queue, flags uint32, o Options) *vfs.FileDescription {
	f := &File{q: q, pidOf: o.PIDOf}
	return vfs.NewFileDescription(f, vfs.VirtualDentry{}, flags&(unix.O_ACCMODE|unix.O_NONBLOCK))
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
func (f *File) Read(_ vfs.Context, _ *vfs.FileDescription, dst []byte, off int64) (int, linux.Errno) {
	s := f.q.Status(f.pidOf)
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
func (f *File) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	st := f.q.Stat()
	ts := func(t time.Time) linux.StatxTimestamp {
		return linux.StatxTimestamp{Sec: t.Unix(), Nsec: uint32(t.Nanosecond())}
	}
	return linux.Statx{
		Mask: linux.STATX_BASIC_STATS, Blksize: 4096, Nlink: 1,
		Mode: uint16(unix.S_IFREG | st.Mode), UID: uint32(st.UID), GID: uint32(st.GID),
		Size: uint64(st.QSize), Ino: st.Ino, DevMinor: devMinor,
		Atime: ts(st.Atime), Mtime: ts(st.Mtime), Ctime: ts(st.Ctime), Btime: ts(st.Ctime),
	}, 0
}

// SetStat implements vfs.FileStater.SetStat: fchmod and fchown change the
// queue.
func (f *File) SetStat(ctx vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	if opts.Mask&^(linux.STATX_MODE|linux.STATX_UID|linux.STATX_GID) != 0 {
		return linux.EPERM
	}
	return f.q.SetOwnerMode(ctx.Credentials(), opts.Mask, opts.Mode, opts.UID, opts.GID)
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
