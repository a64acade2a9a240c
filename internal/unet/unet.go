// Package unet wraps connected SOCK_SEQPACKET Unix sockets: one call sends or
// receives one whole message, optionally carrying file descriptors
// (SCM_RIGHTS).
//
// A Conn may be used by many goroutines at once: the kernel keeps each
// SOCK_SEQPACKET message whole, so concurrent Send calls never interleave and
// concurrent Recv calls each get a whole message. Close shuts the socket down
// first, which wakes every goroutine waiting in Recv, and the descriptor is
// released only once no call is using it (os.File's reference counting), so
// a descriptor number is never reused under a running call.
package unet

import (
	"encoding/binary"
	"errors"
	"os"
	"sync"
	"syscall"

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

// Conn is a connected SOCK_SEQPACKET socket. It is non-blocking underneath
// and waits through the Go runtime's network poller, so a goroutine waiting
// for a message parks instead of holding an OS thread in recvmsg(2).
type Conn struct {
	fd   int
	file *os.File
	raw  syscall.RawConn
	// ops recycles the state of Send and Recv calls, so the callbacks
	// handed to the poller need no allocation per call.
	ops sync.Pool
}

// op is the state of one Send or Recv, with its poller callbacks bound
// once.
type op struct {
	b, oob         []byte
	n, oobn, flags int
	err            error
	oobBuf         [oobSpace]byte
	sendFn, recvFn func(fd uintptr) bool
}

func newOp() any {
	o := &op{}
	o.sendFn = o.send
	o.recvFn = o.recv
	return o
}

// send is the poller callback of Send: false means "wait and retry".
func (o *op) send(fd uintptr) bool {
	for {
		o.n, o.err = sendmsg(int(fd), o.b, o.oob)
		if o.err != unix.EINTR {
			return o.err != unix.EAGAIN
		}
	}
}

// recv is the poller callback of Recv.
func (o *op) recv(fd uintptr) bool {
	for {
		o.n, o.oobn, o.flags, o.err = recvmsg(int(fd), o.b, o.oob)
		if o.err != unix.EINTR {
			return o.err != unix.EAGAIN
		}
	}
}

func (c *Conn) getOp() *op {
	return c.ops.Get().(*op)
}

func (c *Conn) putOp(o *op) {
	o.b, o.oob, o.err = nil, nil, nil
	c.ops.Put(o)
}

// NewConn wraps fd, a connected SOCK_SEQPACKET socket, and puts it in
// non-blocking mode. The Conn owns fd.
func NewConn(fd int) (*Conn, error) {
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "unet")
	raw, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	c := &Conn{fd: fd, file: f, raw: raw}
	c.ops.New = newOp
	return c, nil
}

// SocketPair returns the two ends of a new connected SOCK_SEQPACKET socket
// pair, both close-on-exec.
func SocketPair() (*Conn, *Conn, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	a, err := NewConn(fds[0])
	if err != nil {
		unix.Close(fds[1])
		return nil, nil, err
	}
	b, err := NewConn(fds[1])
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, b, nil
}

// FD returns the socket descriptor, for passing it to a child process. It
// stays owned by the Conn and is in non-blocking mode.
func (c *Conn) FD() int {
	return c.fd
}

// Shutdown shuts the socket down in both directions without releasing the
// descriptor: blocked and future Recv calls, here and at the peer, return
// ErrClosed.
func (c *Conn) Shutdown() error {
	var err error
	if cerr := c.raw.Control(func(fd uintptr) {
		err = unix.Shutdown(int(fd), unix.SHUT_RDWR)
	}); cerr != nil {
		return ErrClosed
	}
	return err
}

// Close shuts the socket down, wakes calls in flight (they return
// ErrClosed) and closes the descriptor once they are done.
func (c *Conn) Close() error {
	c.Shutdown()
	if err := c.file.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return err
	}
	return nil
}

// Send sends b as one message, with fds attached when fds is not empty. The
// caller keeps ownership of fds.
func (c *Conn) Send(b []byte, fds []int) error {
	if len(fds) > MaxFDs {
		return unix.EINVAL
	}
	o := c.getOp()
	defer c.putOp(o)
	o.b, o.oob = b, nil
	if len(fds) > 0 {
		cm := o.oobBuf[:unix.CmsgSpace(4*len(fds))]
		clear(cm)
		h := unix.CmsgLen(4 * len(fds))
		binary.NativeEndian.PutUint64(cm[0:8], uint64(h))
		binary.NativeEndian.PutUint32(cm[8:12], unix.SOL_SOCKET)
		binary.NativeEndian.PutUint32(cm[12:16], unix.SCM_RIGHTS)
		for i, fd := range fds {
			binary.NativeEndian.PutUint32(cm[unix.CmsgLen(0)+4*i:], uint32(fd))
		}
		o.oob = cm
	}
	werr := c.raw.Write(o.sendFn)
	switch {
	case werr != nil:
		return ErrClosed
	case o.err == unix.EPIPE || o.err == unix.ECONNRESET:
		return ErrClosed
	case o.err != nil:
		return o.err
	case o.n != len(b):
		return unix.EMSGSIZE
	}
	return nil
}

// oobSpace is the control buffer size for MaxFDs descriptors.
const oobSpace = 16 + 4*MaxFDs

// Recv receives one message into b and returns its length. Descriptors that
// came with it are appended to fds[:0] (so a caller can reuse one slice) and
// are close-on-exec; the caller owns them. A message with no bytes is
// reported as ErrClosed, since it is also what a peer's close looks like.
func (c *Conn) Recv(b []byte, fds []int) (int, []int, error) {
	o := c.getOp()
	defer c.putOp(o)
	o.b, o.oob = b, o.oobBuf[:]
	rerr := c.raw.Read(o.recvFn)
	fds = fds[:0]
	if rerr != nil {
		return 0, fds, ErrClosed
	}
	if o.err != nil {
		if o.err == unix.ECONNRESET {
			return 0, fds, ErrClosed
		}
		return 0, fds, o.err
	}
	fds = parseRights(o.oobBuf[:o.oobn], fds)
	if o.flags&(unix.MSG_TRUNC|unix.MSG_CTRUNC) != 0 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return 0, fds[:0], ErrTruncated
	}
	if o.n == 0 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return 0, fds[:0], ErrClosed
	}
	return o.n, fds, nil
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
