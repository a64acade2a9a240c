// Package syscalls implements the Linux system call table of the sentry:
// table.go maps syscall numbers to handlers, and sys_<family>.go files hold
// the handlers. Every handler has the kernel.SyscallFn signature and returns
// a linux.Errno, never a Go error.
package syscalls
