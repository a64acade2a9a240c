// Package pidfd implements process file descriptors (pidfd_open(2),
// clone's CLONE_PIDFD): a file that names one process for
// pidfd_send_signal(2), waitid(P_PIDFD) and pidfd_getfd(2), and polls
// readable once every thread of the process has exited. It cannot be read
// or written.
//
// Lock order: none of its own; readiness asks the kernel (Kernel.mu).
package pidfd

import (
	"golang.org/x/sys/unix"

	"moat/sentry/fs/anon"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// PIDFD is a pidfd file.
type PIDFD struct {
	anon.File

	// tg is set once, before the file is shared (New, or Bind for
	// CLONE_PIDFD before the child runs).
	tg *kernel.ThreadGroup
}

// New returns a pidfd for tg (nil: Bind comes later); flags may hold
// O_NONBLOCK (PIDFD_NONBLOCK: waitid(P_PIDFD) fails with EAGAIN instead of
// blocking).
func New(tg *kernel.ThreadGroup, flags uint32) *vfs.FileDescription {
	return vfs.NewFileDescription(&PIDFD{tg: tg}, vfs.VirtualDentry{}, unix.O_RDWR|flags&unix.O_NONBLOCK)
}

// FromFile returns the pidfd fd is, or nil.
func FromFile(fd *vfs.FileDescription) *PIDFD {
	p, _ := fd.Impl().(*PIDFD)
	return p
}

// Bind names the process of a pidfd made by New(nil, ...).
//
// Preconditions:
// - Nothing else uses the file yet.
func (p *PIDFD) Bind(tg *kernel.ThreadGroup) { p.tg = tg }

// ThreadGroup returns the process the file names.
func (p *PIDFD) ThreadGroup() *kernel.ThreadGroup { return p.tg }

// Readiness implements vfs.Waitable.Readiness: readable once the process
// has exited.
func (p *PIDFD) Readiness(_ vfs.Context, mask uint32) uint32 {
	if p.tg != nil && p.tg.Exited() {
		return vfs.EventReadable & mask
	}
	return 0
}

// EventRegister implements vfs.Waitable.EventRegister.
func (p *PIDFD) EventRegister(w *vfs.Waiter) func() {
	if p.tg == nil {
		return func() {}
	}
	return p.tg.EventRegister(w)
}

// AnonInodeName names the file in /proc/PID/fd ("anon_inode:[pidfd]").
func (*PIDFD) AnonInodeName() string { return "[pidfd]" }
