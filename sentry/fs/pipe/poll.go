package pipe

import "moat/sentry/vfs"

// Readiness implements vfs.Waitable.Readiness. The read end is readable
// while data is buffered and hung up (EOF) once no writer is left; the
// write end is writable while PIPE_BUF bytes fit and in error once no
// reader is left, as on Linux.
func (e *end) Readiness(_ vfs.Context, mask uint32) uint32 {
	p := e.p
	p.mu.Lock()
	defer p.mu.Unlock()
	var r uint32
	if e.reader {
		if len(p.data) > 0 {
			r |= vfs.EventReadable
		}
		if p.writers == 0 && p.writerOpens != e.writerOpensAtOpen {
			r |= vfs.EventHUp
		}
	}
	if e.writer {
		if p.capacity-len(p.data) >= AtomicWrite {
			r |= vfs.EventWritable
		}
		if p.readers == 0 {
			r |= vfs.EventErr
		}
	}
	return r & mask
}

// EventRegister implements vfs.Waitable.EventRegister.
func (e *end) EventRegister(w *vfs.Waiter) func() {
	return e.p.queue.EventRegister(w)
}

var _ vfs.Waitable = (*end)(nil)
