//go:build cgo

package main

// runsc drops capabilities and sets no_new_privs on every thread with
// syscall.AllThreadsSyscall, which does not work in a cgo binary; and the
// sentry, gofer and runsc are never to use cgo. Build with CGO_ENABLED=0
// (make build does).
var _ = runsc_must_be_built_with_CGO_ENABLED_0
