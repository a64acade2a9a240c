package net

import (
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// What sockets use of the calling task beyond vfs.Context; kernel.Task
// implements all of them. A context without them cannot block (EAGAIN),
// has process ID 0 and gets no SIGPIPE.
type (
	// Blocker is a caller that can wait.
	Blocker interface {
		// BlockUntil waits until ch is ready, the deadline passes (zero:
		// none) or a signal is pending.
		BlockUntil(ch <-chan struct{}, deadline time.Time) (interrupted, timedOut bool)
	}
	// PIDer is a caller in a process.
	PIDer interface {
		// PID returns the caller's process (thread group) ID.
		PID() int32
	}
	// Signaller is a caller that can be sent a signal.
	Signaller interface {
		// SignalSelf sends sig to the caller, as from the kernel.
		SignalSelf(sig int)
	}
)

// PIDOf returns the caller's process ID, or 0.
func PIDOf(ctx vfs.Context) int32 {
	if p, ok := ctx.(PIDer); ok {
		return p.PID()
	}
	return 0
}

// Deadline returns when a wait bounded by timeout (SO_RCVTIMEO,
// SO_SNDTIMEO; zero: none) ends.
func Deadline(timeout time.Duration) time.Time {
	if timeout <= 0 {
		return time.Time{}
	}
	return time.Now().Add(timeout)
}

// Wait blocks until ch is ready. A signal interrupts it with ERESTARTSYS,
// or EINTR when a timeout is set (as Linux's sock_intr_errno); the end of
// the timeout is EAGAIN.
func Wait(ctx vfs.Context, ch <-chan struct{}, until time.Time) linux.Errno {
	b, ok := ctx.(Blocker)
	if !ok {
		return linux.EAGAIN
	}
	interrupted, timedOut := b.BlockUntil(ch, until)
	switch {
	case interrupted && until.IsZero():
		return linux.ERESTARTSYS
	case interrupted:
		return linux.EINTR
	case timedOut:
		return linux.EAGAIN
	}
	return 0
}

// SigPipe sends SIGPIPE to the caller.
func SigPipe(ctx vfs.Context) {
	if s, ok := ctx.(Signaller); ok {
		s.SignalSelf(13 /* SIGPIPE */)
	}
}

// HasCap reports whether the caller has capability c.
func HasCap(ctx vfs.Context, c int) bool {
	return ctx != nil && ctx.Credentials().HasCap(c)
}

// CapNetAdmin is CAP_NET_ADMIN.
const CapNetAdmin = 12

// Changes is a channel closed and replaced on every change of what it
// watches: blocked callers wait on the current one. The zero value is
// not ready to use; call Init.
type Changes struct{ ch chan struct{} }

// Init makes the first channel.
func (c *Changes) Init() { c.ch = make(chan struct{}) }

// C returns the channel the next change closes.
func (c *Changes) C() <-chan struct{} { return c.ch }

// Broadcast wakes everyone waiting on the current channel.
func (c *Changes) Broadcast() {
	close(c.ch)
	c.ch = make(chan struct{})
}
