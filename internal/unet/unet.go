// Package unet wraps connected SOCK_SEQPACKET Unix sockets: one call sends or
// receives one whole message, optionally carrying file descriptors
// (SCM_RIGHTS).
//
// A Conn may be used by many goroutines at once: the kernel keeps each
// SOCK_SEQPACKET message whole, so concurrent Send calls never interleave and
// concurrent Recv calls each get a whole message. Close shuts the socket down
// first, which wakes every goroutine blocked in Recv, and then waits for all
// in-flight calls to return before it releases the descriptor, so a
// descriptor number is never reused under a running call.
package unet

import (
	"encoding/binary"
	"errors"
	"sync"

	"golang.org/x/sys/unix"
)

// MaxFDs is the largest number of file descriptors one message may carry.
const MaxFDs = 16

// ErrClosed is returned by calls on a Conn after Close, and by Recv when the
// peer has closed its end.
var ErrClosed = errors.New("unet: connection closed")

// ErrTruncated is returned by Recv when a message or its control data did not
// fit in the buffers given; any descriptors that did arrive are closed.
var ErrTruncated = errors.New("unet: message truncated")

// Conn is a connected SOCK_SEQPACKET socket.
type Conn struct {
	// mu is held for reading by every Send/Recv in flight and for writing
	// by Close while it releases fd.
	mu     sync.RWMutex
	fd     int
	closed bool
}

// NewConn wraps fd, a connected SOCK_SEQPACKET socket, and puts it in
// blocking mode. The Conn owns fd.
//
// Calls block their OS thread in the kernel rather than parking in the Go
// network poller: across processes a blocked recvmsg(2) is woken directly
// by the peer's sendmsg(2), which measured twice as fast as a wake-up
// through epoll, and the sentry's task goroutines are locked to their
// threads anyway.
func NewConn(fd int) (*Conn, error) {
	if err := unix.SetNonblock(fd, false); err != nil {
		return nil, err
	}
	return &Conn{fd: fd}, nil
}

// SocketPair returns the two ends of a new connected SOCK_SEQPACKET socket
// pair, both close-on-exec.
func SocketPair() (*Conn, *Conn, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	return &Conn{fd: fds[0]}, &Conn{fd: fds[1]}, nil
}

// FD returns the socket descriptor, for passing it to a child process. It
// stays owned by the Conn.
func (c *Conn) FD() int {
	return c.fd
}

// Release gives up ownership of the descriptor and returns it; the Conn
// must not be used afterwards.
func (c *Conn) Release() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	fd := c.fd
	c.fd = -1
	return fd
}

// Shutdown shuts the socket down in both directions without releasing the
// descriptor: blocked and future Recv calls, here and at the peer, return
// ErrClosed.
func (c *Conn) Shutdown() error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return ErrClosed
	}
	return unix.Shutdown(c.fd, unix.SHUT_RDWR)
}

// Close shuts the socket down, waits for calls in flight and closes the
// descriptor.
func (c *Conn) Close() error {
	c.mu.RLock()
	if !c.closed {
		unix.Shutdown(c.fd, unix.SHUT_RDWR)
	}
	c.mu.RUnlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return unix.Close(c.fd)
}

// Send sends b as one message, with fds attached when fds is not empty. The
// caller keeps ownership of fds.
func (c *Conn) Send(b []byte, fds []int) error {
	if len(fds) > MaxFDs {
		return unix.EINVAL
	}
	var oob [oobSpace]byte
	var o []byte
	if len(fds) > 0 {
		o = oob[:unix.CmsgSpace(4*len(fds))]
		h := unix.CmsgLen(4 * len(fds))
		binary.NativeEndian.PutUint64(o[0:8], uint64(h))
		binary.NativeEndian.PutUint32(o[8:12], unix.SOL_SOCKET)
		binary.NativeEndian.PutUint32(o[12:16], unix.SCM_RIGHTS)
		for i, fd := range fds {
			binary.NativeEndian.PutUint32(o[unix.CmsgLen(0)+4*i:], uint32(fd))
		}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return ErrClosed
	}
	for {
		n, err := sendmsg(c.fd, b, o)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EPIPE || err == unix.ECONNRESET {
			return ErrClosed
		}
		if err != nil {
			return err
		}
		if n != len(b) {
			return unix.EMSGSIZE
		}
		return nil
	}
}

// oobSpace is the control buffer size for MaxFDs descriptors.
const oobSpace = 16 + 4*MaxFDs

// Recv receives one message into b and returns its length. Descriptors that
// came with it are appended to fds[:0] (so a caller can reuse one slice) and
// are close-on-exec; the caller owns them. A message with no bytes is
// reported as ErrClosed, since it is also what a peer's close looks like.
func (c *Conn) Recv(b []byte, fds []int) (int, []int, error) {
	var oob [oobSpace]byte
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return 0, fds[:0], ErrClosed
	}
	var n, oobn, flags int
	var err error
	for {
		n, oobn, flags, err = recvmsg(c.fd, b, oob[:])
		if err != unix.EINTR {
			break
		}
	}
	fds = fds[:0]
	if err != nil {
		if err == unix.ECONNRESET {
			err = ErrClosed
		}
		return 0, fds, err
	}
	fds = parseRights(oob[:oobn], fds)
	if flags&(unix.MSG_TRUNC|unix.MSG_CTRUNC) != 0 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return 0, fds[:0], ErrTruncated
	}
	if n == 0 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return 0, fds[:0], ErrClosed
	}
	return n, fds, nil
}

// parseRights appends the descriptors of every SCM_RIGHTS control message in
// oob to fds.
func parseRights(oob []byte, fds []int) []int {
	hdr := unix.CmsgLen(0)
	for len(oob) >= hdr {
		l := int(binary.NativeEndian.Uint64(oob[0:8]))
		level := int32(binary.NativeEndian.Uint32(oob[8:12]))
		typ := int32(binary.NativeEndian.Uint32(oob[12:16]))
		if l < hdr || l > len(oob) {
			break
		}
		if level == unix.SOL_SOCKET && typ == unix.SCM_RIGHTS {
			for p := hdr; p+4 <= l; p += 4 {
				fds = append(fds, int(int32(binary.NativeEndian.Uint32(oob[p:]))))
			}
		}
		next := unix.CmsgSpace(l - hdr)
		if next > len(oob) {
			break
		}
		oob = oob[next:]
	}
	return fds
}
