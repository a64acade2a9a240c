// Package nettest holds what the socket families' unit tests share: a
// caller that can block and a sockfs that numbers inodes.
package nettest

import (
	"sync/atomic"
	"time"

	"moat/sentry/auth"
)

// Ctx is a caller that can block (without signals) and has a PID.
type Ctx struct {
	Pid   int32
	Creds *auth.Credentials
}

// NewCtx returns an unprivileged caller with process ID 42.
func NewCtx() *Ctx { return &Ctx{Pid: 42, Creds: auth.NewUser(1000, 1000, nil)} }

// Credentials implements vfs.Context.Credentials.
func (c *Ctx) Credentials() *auth.Credentials { return c.Creds }

// PID implements net.PIDer.PID.
func (c *Ctx) PID() int32 { return c.Pid }

// BlockUntil implements net.Blocker.BlockUntil.
func (c *Ctx) BlockUntil(ch <-chan struct{}, d time.Time) (bool, bool) {
	var timeout <-chan time.Time
	if !d.IsZero() {
		tm := time.NewTimer(time.Until(d))
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case <-ch:
		return false, false
	case <-timeout:
		return false, true
	}
}

// SockFS numbers inodes on device 0.
type SockFS struct{ n atomic.Uint64 }

// NextIno implements net.SockFS.NextIno.
func (f *SockFS) NextIno() uint64 { return f.n.Add(1) }

// DevMinor implements net.SockFS.DevMinor.
func (*SockFS) DevMinor() uint32 { return 0 }
