package devpts

import "moat/sentry/vfs"

// Process groups and sessions are kept here as the kernel names them (IDs
// in the sandbox's root PID namespace); TIOCGPGRP, TIOCSPGRP and TIOCGSID
// translate them from and to the caller's PID namespace (a pod container
// with its own, kernel/pidns.go).

// pidTranslator is implemented by callers that live in a PID namespace
// (kernel.Task).
type pidTranslator interface {
	IDToUser(id int32) int32
	IDFromUser(id int32) int32
}

// userID is the kernel's process group or session id as the caller
// names it (0: it cannot see it).
func userID(ctx vfs.Context, id int32) int32 {
	if t, ok := ctx.(pidTranslator); ok {
		return t.IDToUser(id)
	}
	return id
}

// kernelID is the caller's process group id as the kernel names it (0:
// none visible to the caller).
func kernelID(ctx vfs.Context, id int32) int32 {
	if t, ok := ctx.(pidTranslator); ok {
		return t.IDFromUser(id)
	}
	return id
}
