package unix

import (
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// credOf returns the caller's credentials: effective IDs for SO_PEERCRED,
// real IDs for SCM_CREDENTIALS (as Linux reports each).
func credOf(ctx vfs.Context, effective bool) Cred {
	c := Cred{PID: net.PIDOf(ctx)}
	cr := ctx.Credentials()
	if effective {
		c.UID, c.GID = uint32(cr.EffectiveKUID), uint32(cr.EffectiveKGID)
	} else {
		c.UID, c.GID = uint32(cr.RealKUID), uint32(cr.RealKGID)
	}
	return c
}
