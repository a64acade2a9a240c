package unix

import (
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// What sockets use of the calling task beyond vfs.Context; kernel.Task
// implements all of them. A context without them cannot block (EAGAIN),
// has process ID 0 and gets no SIGPIPE.
type (
	blocker interface {
		// BlockUntil waits until ch is ready, the deadline passes (zero:
		// none) or a signal is pending.
		BlockUntil(ch <-chan struct{}, deadline time.Time) (interrupted, timedOut bool)
	}
	pider interface {
		// PID returns the caller's process (thread group) ID.
		PID() int32
	}
	signaller interface {
		// SignalSelf sends sig to the caller, as from the kernel.
		SignalSelf(sig int)
	}
)

// credOf returns the caller's credentials: effective IDs for SO_PEERCRED,
// real IDs for SCM_CREDENTIALS (as Linux reports each).
func credOf(ctx vfs.Context, effective bool) Cred {
	var c Cred
	if p, ok := ctx.(pider); ok {
		c.PID = p.PID()
	}
	cr := ctx.Credentials()
	if effective {
		c.UID, c.GID = uint32(cr.EffectiveKUID), uint32(cr.EffectiveKGID)
	} else {
		c.UID, c.GID = uint32(cr.RealKUID), uint32(cr.RealKGID)
	}
	return c
}

// deadline returns when a wait bounded by timeout (SO_RCVTIMEO,
// SO_SNDTIMEO; zero: none) ends.
func deadline(timeout time.Duration) time.Time {
	if timeout <= 0 {
		return time.Time{}
	}
	return time.Now().Add(timeout)
}

// wait blocks until ch is ready. A signal interrupts it with ERESTARTSYS,
// or EINTR when a timeout is set (as Linux's sock_intr_errno); the end of
// the timeout is EAGAIN.
func wait(ctx vfs.Context, ch <-chan struct{}, until time.Time) linux.Errno {
	b, ok := ctx.(blocker)
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

// sigpipe sends SIGPIPE to the caller.
func sigpipe(ctx vfs.Context) {
	if s, ok := ctx.(signaller); ok {
		s.SignalSelf(13 /* SIGPIPE */)
	}
}
