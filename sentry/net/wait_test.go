package net

import "moat/sentry/kernel"

// The task must offer what sockets look for; without these methods a
// socket could not block, name its process or raise SIGPIPE.
var (
	_ Blocker   = (*kernel.Task)(nil)
	_ PIDer     = (*kernel.Task)(nil)
	_ Signaller = (*kernel.Task)(nil)
)
