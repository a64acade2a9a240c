package gofer

import "moat/gofer/proto"

// queueClose schedules a gofer Close of h. It runs in runtime cleanups,
// which must not block, so the Close itself is sent by a short-lived
// goroutine that takes every handle queued until the queue is empty.
func (fs *Filesystem) queueClose(h proto.Handle) {
	fs.closeMu.Lock()
	fs.closeQueue = append(fs.closeQueue, h)
	start := !fs.flushing
	fs.flushing = true
	fs.closeMu.Unlock()
	if start {
		go fs.flushCloses()
	}
}

// flushCloses sends queued handles to the gofer in batches until none is
// left. Errors are ignored: a handle the gofer no longer knows is gone
// anyway, and a lost connection drops them all.
func (fs *Filesystem) flushCloses() {
	for {
		fs.closeMu.Lock()
		hs := fs.closeQueue
		fs.closeQueue = nil
		if len(hs) == 0 {
			fs.flushing = false
			fs.closeMu.Unlock()
			return
		}
		fs.closeMu.Unlock()
		fs.client.CloseHandles(hs)
	}
}

// pendingCloses returns the number of handles waiting for a Close (tests).
func (fs *Filesystem) pendingCloses() int {
	fs.closeMu.Lock()
	defer fs.closeMu.Unlock()
	return len(fs.closeQueue)
}
