// Package pipe implements anonymous pipes (pipe(2), pipe2(2)): a bounded
// byte buffer with blocking, non-blocking and signal-interruptible reads and
// writes, PIPE_BUF atomicity, EOF and EPIPE/SIGPIPE.
//
// Lock order: Pipe.mu, then the leaf locks that pollers' callbacks take
// (vfs.Queue.Notify runs them with Pipe.mu held).
package pipe

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// Sizes, as Linux's defaults.
const (
	// DefaultCapacity is a new pipe's buffer size (16 pages).
	DefaultCapacity = 65536
	// AtomicWrite is PIPE_BUF: writes up to this size are never split.
	AtomicWrite = 4096
)

var nextIno atomic.Uint64

// Pipe is the shared state of both ends.
type Pipe struct {
	ino     uint64
	created time.Time
	uid     uint32
	gid     uint32

	// mu guards the fields below.
	mu       sync.Mutex
	data     []byte // buffered bytes, oldest first
	capacity int
	readers  int
	writers  int
	// writerOpens counts opens of the write side (a FIFO's read end
	// reports POLLHUP only once a writer has come and gone).
	writerOpens uint64
	// readerOpens counts opens of the read side (a FIFO's blocking
	// open returns once the other side has been opened since it began,
	// even if that end is already closed again).
	readerOpens uint64
	// segs are data's packets and plain runs while it holds a packet
	// (packet.go), else nil.
	segs []seg
	// changed is closed (and replaced) whenever data, readers or writers
	// change, waking every blocked reader and writer.
	changed chan struct{}
	// queue tells pollers and epoll instances of the same changes.
	queue vfs.Queue
}

// New returns the read and write ends of a new pipe. flags may hold
// O_NONBLOCK, and O_DIRECT, which puts the write end in packet mode
// (packet.go; the read end does not show it, as on Linux).
func New(ctx vfs.Context, flags uint32) (r, w *vfs.FileDescription) {
	c := ctx.Credentials()
	p := &Pipe{
		ino: nextIno.Add(1), created: time.Now(), capacity: DefaultCapacity,
		uid: uint32(c.EffectiveKUID), gid: uint32(c.EffectiveKGID),
		readers: 1, writers: 1, writerOpens: 1, changed: make(chan struct{}),
	}
	keep := flags & unix.O_NONBLOCK
	r = vfs.NewFileDescription(anonEnd{&end{p: p, reader: true}}, vfs.VirtualDentry{}, unix.O_RDONLY|keep)
	w = vfs.NewFileDescription(anonEnd{&end{p: p, writer: true}}, vfs.VirtualDentry{}, unix.O_WRONLY|keep|flags&unix.O_DIRECT)
	return r, w
}

// notifyLocked wakes every blocked reader and writer, and tells pollers
// that events may have become ready.
//
// Preconditions:
// - p.mu is held.
func (p *Pipe) notifyLocked(events uint32) {
	close(p.changed)
	p.changed = make(chan struct{})
	p.queue.Notify(events)
}

// queueBlocker is implemented by kernel.Task: it waits for ch or a
// signal, told of ch's closes by the Notify that follows each of them on
// q (notifyLocked), which spares a hand-over through Go's scheduler.
type queueBlocker interface {
	BlockOnQueue(q *vfs.Queue, ch <-chan struct{}) (interrupted bool)
}

// wait blocks ctx until ch, p.changed as it was under p.mu, is closed; it
// returns ERESTARTSYS when a signal interrupts the wait (or EAGAIN if ctx
// cannot block at all).
func (p *Pipe) wait(ctx vfs.Context, ch <-chan struct{}) linux.Errno {
	b, ok := ctx.(queueBlocker)
	if !ok {
		return linux.EAGAIN
	}
	if b.BlockOnQueue(&p.queue, ch) {
		return linux.ERESTARTSYS
	}
	return 0
}

// end is one end of a pipe as a vfs.FileImpl.
type end struct {
	vfs.FileDefaults
	p *Pipe
	// reader and writer say which ends this description holds (both for a
	// FIFO opened O_RDWR).
	reader, writer bool
	// writerOpensAtOpen is Pipe.writerOpens when a FIFO was opened for
	// reading with O_NONBLOCK and no writer, else 0: the read end
	// reports POLLHUP only while writerOpens differs.
	writerOpensAtOpen uint64
}

// IsStream implements vfs.StreamFile.IsStream.
func (*end) IsStream() bool { return true }

// Release implements vfs.FileImpl.Release.
func (e *end) Release() {
	p := e.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.reader {
		p.readers--
		p.notifyLocked(vfs.EventErr | vfs.EventWritable)
	}
	if e.writer {
		p.writers--
		p.notifyLocked(vfs.EventHUp | vfs.EventReadable)
	}
}

// Read implements vfs.FileImpl.Read.
func (e *end) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, _ int64) (int, linux.Errno) {
	if !e.reader {
		return 0, linux.EBADF
	}
	if len(dst) == 0 {
		return 0, 0
	}
	p := e.p
	for {
		p.mu.Lock()
		if len(p.data) > 0 {
			n := p.readLocked(dst)
			p.notifyLocked(vfs.EventWritable)
			p.mu.Unlock()
			return n, 0
		}
		if p.writers == 0 {
			p.mu.Unlock()
			return 0, 0
		}
		ch := p.changed
		p.mu.Unlock()
		if fd.StatusFlags()&unix.O_NONBLOCK != 0 {
			return 0, linux.EAGAIN
		}
		if errno := p.wait(ctx, ch); errno != 0 {
			return 0, errno
		}
	}
}

// Write implements vfs.FileImpl.Write.
func (e *end) Write(ctx vfs.Context, fd *vfs.FileDescription, src []byte, _ int64) (int, linux.Errno) {
	if !e.writer {
		return 0, linux.EBADF
	}
	p := e.p
	packet := fd.StatusFlags()&unix.O_DIRECT != 0
	done := 0
	for {
		p.mu.Lock()
		if p.readers == 0 {
			p.mu.Unlock()
			if t, ok := ctx.(*kernel.Task); ok {
				t.SendSignal(linux.NewSignalInfo(int(unix.SIGPIPE), linux.SI_USER), kernel.FromKernel)
			}
			if done > 0 {
				return done, 0
			}
			return 0, linux.EPIPE
		}
		space := p.spaceLocked(packet)
		rest := src[done:]
		// Small writes go in whole or not at all.
		if space > 0 && (len(rest) > AtomicWrite || space >= len(rest)) {
			n := min(space, len(rest))
			p.appendLocked(rest[:n], packet)
			done += n
			p.notifyLocked(vfs.EventReadable)
		}
		if done == len(src) {
			p.mu.Unlock()
			return done, 0
		}
		ch := p.changed
		p.mu.Unlock()
		if fd.StatusFlags()&unix.O_NONBLOCK != 0 {
			if done > 0 {
				return done, 0
			}
			return 0, linux.EAGAIN
		}
		if errno := p.wait(ctx, ch); errno != 0 {
			if done > 0 {
				return done, 0
			}
			return 0, errno
		}
	}
}

// Seek implements vfs.FileImpl.Seek.
func (*end) Seek(vfs.Context, *vfs.FileDescription, int64, int32, int64) (int64, linux.Errno) {
	return 0, linux.ESPIPE
}

// Ioctl implements vfs.FileImpl.Ioctl: FIONREAD.
func (e *end) Ioctl(ctx vfs.Context, fd *vfs.FileDescription, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	if cmd != fionread {
		return 0, linux.ENOTTY
	}
	e.p.mu.Lock()
	n := len(e.p.data)
	e.p.mu.Unlock()
	b := []byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}
	return 0, mem.CopyOut(arg, b)
}

// Sync implements vfs.FileImpl.Sync: fsync of a pipe is EINVAL.
func (*end) Sync(vfs.Context) linux.Errno { return linux.EINVAL }

// anonEnd is an end of an anonymous pipe: it has no inode, so it reports
// its own attributes (a named FIFO's come from its inode).
type anonEnd struct{ *end }

// Stat implements vfs.FileStater.Stat.
func (e anonEnd) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	p := e.p
	ts := linux.StatxTimestamp{Sec: p.created.Unix(), Nsec: uint32(p.created.Nanosecond())}
	return linux.Statx{
		Mask:    linux.STATX_BASIC_STATS,
		Blksize: 4096,
		Nlink:   1,
		UID:     p.uid,
		GID:     p.gid,
		Mode:    uint16(unix.S_IFIFO | 0o600),
		Ino:     p.ino,
		Atime:   ts, Mtime: ts, Ctime: ts,
		DevMajor: 0, DevMinor: pipefsMinor,
	}, 0
}

// SetStat implements vfs.FileStater.SetStat.
func (anonEnd) SetStat(vfs.Context, *vfs.SetStatOptions) linux.Errno { return linux.EPERM }

// pipefsMinor is the device minor pipes report (pipefs is an internal
// mount on Linux).
const pipefsMinor = 12

// fionread is FIONREAD (TIOCINQ) on x86-64.
const fionread = 0x541b

// MaxSize is /proc/sys/fs/pipe-max-size: the largest size F_SETPIPE_SZ
// grants without CAP_SYS_RESOURCE.
const MaxSize = 1 << 20

// PipeSize implements F_GETPIPE_SZ.
func (e *end) PipeSize() int64 {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	return int64(e.p.capacity)
}

// SetPipeSize implements F_SETPIPE_SZ: the size is rounded up to a power
// of two of at least a page.
func (e *end) SetPipeSize(size int64) (int64, linux.Errno) {
	if size < 0 || size > 1<<31 {
		return 0, linux.EINVAL
	}
	n := int64(4096)
	for n < size {
		n <<= 1
	}
	if n > MaxSize {
		// Linux lets CAP_SYS_RESOURCE go past pipe-max-size; Moat caps
		// every pipe there (F_SETPIPE_SZ has no caller context here).
		return 0, linux.EPERM
	}
	p := e.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if int64(p.occupiedLocked()) > n {
		return 0, linux.EBUSY
	}
	p.capacity = int(n)
	p.notifyLocked(vfs.EventWritable)
	return n, 0
}
