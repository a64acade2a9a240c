package pipe

import (
	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// What splice(2) needs of a pipe it reads from: the bytes without taking
// them, so that what the destination refuses stays in the pipe.

// IsReadEnd reports whether fd reads from a pipe or FIFO.
func IsReadEnd(fd *vfs.FileDescription) bool {
	e := endOf(fd)
	return e != nil && e.reader
}

// Peek copies up to len(dst) of the bytes buffered in the pipe fd reads
// from, oldest first, without consuming them. It waits for data like read
// (0 at end of file), or fails with EAGAIN when nonblock.
//
// Preconditions:
// - IsReadEnd(fd).
func Peek(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, nonblock bool) (int, linux.Errno) {
	p := endOf(fd).p
	for {
		p.mu.Lock()
		if len(p.data) > 0 {
			n := copy(dst, p.data)
			p.mu.Unlock()
			return n, 0
		}
		if p.writers == 0 {
			p.mu.Unlock()
			return 0, 0
		}
		ch := p.changed
		p.mu.Unlock()
		if nonblock {
			return 0, linux.EAGAIN
		}
		if errno := p.wait(ctx, ch); errno != 0 {
			return 0, errno
		}
	}
}

// Consume drops the first n bytes buffered in the pipe fd reads from
// (after a Peek of at least n).
//
// Preconditions:
// - IsReadEnd(fd).
func Consume(fd *vfs.FileDescription, n int) {
	p := endOf(fd).p
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropLocked(min(n, len(p.data)))
	p.notifyLocked(vfs.EventWritable)
}
