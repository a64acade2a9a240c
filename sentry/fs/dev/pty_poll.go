package dev

import (
	"golang.org/x/sys/unix"

	"moat/sentry/vfs"
)

// Readiness implements vfs.Waitable.Readiness for the master: readable
// while the replica's output waits, writable while input fits, hung up
// once every replica is closed.
func (m *masterFile) Readiness(_ vfs.Context, mask uint32) uint32 {
	p := m.p
	p.mu.Lock()
	defer p.mu.Unlock()
	var r uint32
	if len(p.out) > 0 {
		r |= vfs.EventReadable
	}
	if p.inputLenLocked() < ptyQueueMax {
		r |= vfs.EventWritable
	}
	if p.replicas == 0 && p.everOpened {
		r |= vfs.EventHUp
	}
	return r & mask
}

// EventRegister implements vfs.Waitable.EventRegister.
func (m *masterFile) EventRegister(w *vfs.Waiter) func() { return m.p.queue.EventRegister(w) }

// Readiness implements vfs.Waitable.Readiness for the replica: readable
// when a read would return (a line in canonical mode), writable while the
// master's queue has room, everything once the master is gone.
func (r *replicaFile) Readiness(_ vfs.Context, mask uint32) uint32 {
	p := r.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.masterOpen {
		return (vfs.EventReadable | vfs.EventWritable | vfs.EventHUp | vfs.EventErr) & mask
	}
	var ev uint32
	if len(p.raw) > 0 || len(p.lines) > 0 ||
		(p.termios.Lflag&unix.ICANON == 0 && p.termios.CC[unix.VMIN] == 0) {
		ev |= vfs.EventReadable
	}
	if len(p.out) < ptyQueueMax {
		ev |= vfs.EventWritable
	}
	return ev & mask
}

// EventRegister implements vfs.Waitable.EventRegister.
func (r *replicaFile) EventRegister(w *vfs.Waiter) func() { return r.p.queue.EventRegister(w) }
