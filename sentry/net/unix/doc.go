// Package unix implements Unix domain sockets (AF_UNIX) inside the sentry:
// SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET, socketpair, names in the
// sandbox file system and in the abstract namespace, listen/accept/connect,
// shutdown, control messages (SCM_RIGHTS, SCM_CREDENTIALS), socket options
// and readiness for poll and epoll.
//
// Every socket owns a receive buffer. A connected stream or seqpacket
// socket writes into its peer's buffer; a datagram socket writes into the
// buffer of whichever socket its destination names. A listening socket's
// buffer holds the connections waiting for accept, as Linux keeps them on
// the listener's receive queue. Shutdown and close are states of the
// buffers: a reader that shut down (or closed) makes writers fail with
// EPIPE, a writer that did makes the reader see end of file once the data
// is read.
//
// Lock order: Namespace.connMu, then Socket.mu of a listener, then
// Socket.mu of the connecting socket, then buffer.mu, then the leaf locks
// of pollers' callbacks (vfs.Queue.Notify runs them with buffer.mu held).
// Namespace.mu is a leaf. No code holds two Socket.mu except connect,
// under connMu. A connected datagram socket's forwarding waiter runs with
// its peer's buffer.mu held and takes no lock.
package unix
