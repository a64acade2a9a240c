package pipe

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// fifo is a named pipe: one Pipe per FIFO inode, shared by every open.
type fifo struct {
	p *Pipe
}

// NewFIFO returns a named pipe for a FIFO inode (vfs.SetFIFOFactory).
func NewFIFO() vfs.FIFO {
	return &fifo{p: &Pipe{ino: nextIno.Add(1), capacity: DefaultCapacity, changed: make(chan struct{})}}
}

// Open implements vfs.FIFO.Open with fifo(7)'s rules: a reader waits for a
// writer and a writer for a reader, unless O_NONBLOCK (a non-blocking
// writer with no reader gets ENXIO); O_RDWR never waits.
func (f *fifo) Open(ctx vfs.Context, _ vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	return openEnd(ctx, f.p, flags, false)
}

// openEnd opens a new end of p. For an anonymous pipe reopened by path
// (isPipe), nothing waits for the other side and a writer never gets
// ENXIO, as on Linux.
func openEnd(ctx vfs.Context, p *Pipe, flags uint32, isPipe bool) (vfs.FileImpl, linux.Errno) {
	e := &end{p: p}
	switch flags & unix.O_ACCMODE {
	case unix.O_RDONLY:
		e.reader = true
	case unix.O_WRONLY:
		e.writer = true
	default:
		e.reader, e.writer = true, true
	}
	nonblock := flags&unix.O_NONBLOCK != 0
	p.mu.Lock()
	if e.writer && !e.reader && nonblock && p.readers == 0 && !isPipe {
		p.mu.Unlock()
		return nil, linux.ENXIO
	}
	// A non-blocking reader that finds no writer reports no POLLHUP
	// until a writer has come (and gone); any other end reports it
	// whenever the pipe has no writer (Linux's f_version).
	if e.reader && !e.writer && nonblock && p.writers == 0 && !isPipe {
		e.writerOpensAtOpen = p.writerOpens
	}
	writerOpensAtOpen, readerOpensAtOpen := p.writerOpens, p.readerOpens
	if e.reader {
		p.readers++
		p.readerOpens++
	}
	if e.writer {
		p.writers++
		p.writerOpens++
	}
	p.notifyLocked(vfs.EventReadable | vfs.EventWritable)
	for !nonblock && !isPipe && !(e.reader && e.writer) {
		// The other side is open now, or was opened (and maybe closed
		// already) since this open began: Linux's pipe open counters.
		if e.reader && (p.writers > 0 || p.writerOpens != writerOpensAtOpen) {
			break
		}
		if e.writer && (p.readers > 0 || p.readerOpens != readerOpensAtOpen) {
			break
		}
		ch := p.changed
		p.mu.Unlock()
		if errno := p.wait(ctx, ch); errno != 0 {
			e.Release()
			return nil, errno
		}
		p.mu.Lock()
	}
	p.mu.Unlock()
	return e, 0
}
