// Package proto is the wire protocol between the sentry and the gofer, and
// the client the sentry uses to speak it.
//
// The sentry walks a path once and gets back handles (Handle, a uint64) for
// the nodes it reached; every later operation names a handle, never a path.
// Open and Create answer with a host file descriptor passed over the socket
// (SCM_RIGHTS), so file data never goes through the gofer.
//
// # Wire format
//
// Each request and each response is one SOCK_SEQPACKET message, at most
// MaxMessageSize bytes, little-endian throughout:
//
//	request:  tag u32 | type u16 | reserved u16 (zero) | body
//	response: tag u32 | errno u32 | body (only when errno is 0)
//
// The tag is chosen by the client and echoed by the server, so responses may
// come back in any order and one connection can carry many calls at once. A
// non-zero errno is a Linux errno number; the response then has no body. The
// body of each message type is listed beside its constant in msg.go; strings
// and byte strings are a u32 length followed by the bytes, lists a u16 count
// followed by the elements. A message too short for its type, with bytes
// left over, with an unknown type or naming an unknown handle is answered
// with EINVAL or EBADF.
package proto
