package vfs

import (
	"moat/sentry/abi/linux"
	"moat/sentry/auth"
)

// Context is what the vfs needs from its caller, normally a kernel.Task.
type Context interface {
	// Credentials returns the caller's credentials; they decide
	// permission checks and the owner of new files.
	Credentials() *auth.Credentials
}

// UserMemory gives access to the caller's address space, for ioctls whose
// argument is a pointer. kernel.Task implements it.
type UserMemory interface {
	CopyIn(addr uintptr, dst []byte) linux.Errno
	CopyOut(addr uintptr, src []byte) linux.Errno
}

// rootContext is a Context with root credentials, for kernel-internal
// operations such as assembling the mount tree at boot.
type rootContext struct{ creds *auth.Credentials }

// Credentials implements Context.Credentials.
func (c rootContext) Credentials() *auth.Credentials { return c.creds }

// RootContext returns a Context with full root credentials.
func RootContext() Context { return rootContext{auth.NewRoot()} }

// Interruptible is implemented by contexts whose blocking operations a
// signal or an exit may cut short (kernel.Task). Blocking vfs and file
// system code uses it when the context offers it.
type Interruptible interface {
	// Interrupted reports whether a blocking operation must give way now.
	Interrupted() bool
	// Block waits until ch is closed or ready, or until the caller is
	// interrupted, in which case it returns ERESTARTSYS.
	Block(ch <-chan struct{}) linux.Errno
}
