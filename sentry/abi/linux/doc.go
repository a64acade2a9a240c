// Package linux defines the Linux ABI the sentry implements: typed errno
// values, syscall numbers, flags and the binary layout of structures that
// cross the user/kernel boundary. It is a leaf package: it imports nothing
// from Moat.
package linux
