// Package inet implements the sandbox's IP network: AF_INET and AF_INET6
// sockets of type SOCK_STREAM (TCP) and SOCK_DGRAM (UDP) over a loopback
// interface, lo, with 127.0.0.0/8 and ::1, served entirely inside the
// sentry. No packets exist: a connection links two sockets' receive
// buffers directly, and a datagram is queued on the socket its
// destination names, with the results Linux's TCP and UDP give on
// loopback (readiness, errors, resets, ports). Destinations off the
// loopback network are ENETUNREACH.
//
// A Stack is one network namespace: the interface and the port tables.
// The containers of a pod share their sandbox's stack.
//
// Lock order: Socket.mu of a listener, then Socket.mu of the socket
// connecting to it, then Stack.mu, then buffer.mu, then pollers' leaf
// locks (vfs.Queue.Notify runs with buffer.mu or Socket.mu held). No
// other code holds two Socket.mu.
package inet
