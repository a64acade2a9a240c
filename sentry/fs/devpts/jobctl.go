package devpts

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// This file holds job control: background groups (SIGTTIN, SIGTTOU), the
// session leader's exit, and what /proc shows.

// jobController is implemented by callers subject to job control
// (kernel.Task.TerminalAccess).
type jobController interface {
	TerminalAccess(fg int32, sig int) (wait bool, err linux.Errno)
}

// checkAccess applies job control to an access by the caller: when p is
// its controlling terminal and its process group is in the background, a
// read (SIGTTIN) or a write or settings change (SIGTTOU) signals the group
// or fails (see kernel.Task.TerminalAccess), or waits until the group is
// in the foreground.
//
// Preconditions:
// - p.mu is not held.
func (p *pty) checkAccess(ctx vfs.Context, sig unix.Signal) linux.Errno {
	c, ok := ctx.(caller)
	if !ok {
		return 0
	}
	j, ok := ctx.(jobController)
	if !ok {
		return 0
	}
	for {
		if !p.isControlling(c.SessionID()) {
			return 0
		}
		p.mu.Lock()
		fg, ch := p.fg, p.changed
		p.mu.Unlock()
		wait, err := j.TerminalAccess(fg, int(sig))
		if !wait {
			return err
		}
		// Like a stopped job: on until the group is in the foreground
		// (setForeground wakes us) or a signal comes.
		if i, ok := ctx.(vfs.Interruptible); ok {
			if err := i.Block(ch); err != 0 {
				return err
			}
		} else {
			<-ch
		}
	}
}

// DeviceNumber implements kernel.TerminalReporter.DeviceNumber: the
// replica's, 136:N.
func (p *pty) DeviceNumber() (major, minor uint32) { return replicaMajor, p.index }

// ForegroundProcessGroup implements
// kernel.TerminalReporter.ForegroundProcessGroup (0: none).
func (p *pty) ForegroundProcessGroup() int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fg
}

// SessionLeaderExited implements kernel.SessionLeaderExitHandler: the
// foreground process group gets SIGHUP and the pty has none any more.
func (p *pty) SessionLeaderExited(int32) {
	p.mu.Lock()
	fg := p.fg
	p.fg = 0
	p.notifyLocked()
	p.mu.Unlock()
	if fg > 0 {
		p.send([]groupSignal{{fg, int(unix.SIGHUP)}})
	}
}

var (
	_ Kernel                          = (*kernel.Kernel)(nil)
	_ jobController                   = (*kernel.Task)(nil)
	_ caller                          = (*kernel.Task)(nil)
	_ kernel.SessionLeaderExitHandler = (*pty)(nil)
	_ kernel.TerminalReporter         = (*pty)(nil)
	_ vfs.Terminal                    = (*pty)(nil)
	_ vfs.Waitable                    = (*masterFile)(nil)
	_ vfs.Waitable                    = (*replicaFile)(nil)
)
