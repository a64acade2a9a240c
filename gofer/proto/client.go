package proto

import (
	"encoding/binary"
	"errors"
	"sync"

	"golang.org/x/sys/unix"

	"moat/internal/unet"
)

// ErrClosed is returned by every call once the connection to the gofer is
// gone (Close was called, or the gofer closed its end). The sentry reports it
// to applications as EIO.
var ErrClosed = errors.New("gofer connection closed")

// Client is the sentry's end of a gofer connection. It is safe for
// concurrent use; each operation is one request and one response.
//
// Calls do not need a reader goroutine: after sending its request, a call
// either becomes the receiver (if no other call is receiving) and reads
// responses, handing each one that belongs to another call over to it,
// until its own arrives; or it waits until another receiver hands it its
// response or steps down. An uncontended call thus sends and receives on
// its own goroutine, with no scheduling in between.
type Client struct {
	conn *unet.Conn

	// recvTok holds a single token; the call holding it is the only one
	// reading from conn.
	recvTok chan struct{}

	// calls recycles call buffers.
	calls sync.Pool

	// mu guards pending, nextTag and err.
	mu      sync.Mutex
	pending map[uint32]*call
	nextTag uint32
	err     error
}

// call is one request in flight with its buffers.
type call struct {
	tag  uint32
	enc  Encoder // request
	resp []byte  // response buffer, MaxMessageSize long
	n    int     // response length
	fds  []int   // descriptors that came with the response
	err  error   // set when the connection failed before the response came
	dec  Decoder // over the response body, once it has come
	done chan struct{}
}

// NewClient returns a Client speaking on fd, a connected SOCK_SEQPACKET
// socket whose other end is served by the gofer. The Client owns fd (also
// on error).
func NewClient(fd int) (*Client, error) {
	conn, err := unet.NewConn(fd)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return NewClientConn(conn), nil
}

// NewClientConn is NewClient on a unet.Conn, which the Client then owns.
func NewClientConn(conn *unet.Conn) *Client {
	c := &Client{
		conn:    conn,
		recvTok: make(chan struct{}, 1),
		pending: make(map[uint32]*call),
	}
	c.recvTok <- struct{}{}
	c.calls.New = func() any {
		return &call{
			enc:  Encoder{B: make([]byte, 0, 256)},
			resp: make([]byte, MaxMessageSize),
			fds:  make([]int, 0, unet.MaxFDs),
			done: make(chan struct{}, 1),
		}
	}
	return c
}

// Close closes the connection. Calls in flight and later calls fail with
// ErrClosed; handles need not be closed first (the gofer drops them when the
// connection ends).
func (c *Client) Close() error {
	return c.conn.Close()
}

// newCall returns a call with an empty request of type t.
func (c *Client) newCall(t MsgType) *call {
	cl := c.calls.Get().(*call)
	cl.enc.Request(t)
	return cl
}

// free recycles cl; descriptors it still holds are closed.
func (c *Client) free(cl *call) {
	for _, fd := range cl.fds {
		unix.Close(fd)
	}
	cl.fds = cl.fds[:0]
	cl.err = nil
	cl.n = 0
	// A call whose send failed after the connection died may still have
	// been woken by fail.
	select {
	case <-cl.done:
	default:
	}
	if cap(cl.enc.B) > 4096 {
		cl.enc.B = make([]byte, 0, 256)
	}
	c.calls.Put(cl)
}

// roundTrip sends cl's request and waits for its response. On success
// cl.dec reads the response body and cl.fds holds any descriptors. A
// non-zero errno from the server is returned as a unix.Errno.
func (c *Client) roundTrip(cl *call) error {
	if len(cl.enc.B) > MaxMessageSize {
		return unix.ENAMETOOLONG
	}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.err
	}
	for {
		c.nextTag++
		if _, busy := c.pending[c.nextTag]; c.nextTag != 0 && !busy {
			break
		}
	}
	cl.tag = c.nextTag
	c.pending[cl.tag] = cl
	c.mu.Unlock()

	binary.LittleEndian.PutUint32(cl.enc.B, cl.tag)
	if err := c.conn.Send(cl.enc.B, nil); err != nil {
		c.mu.Lock()
		delete(c.pending, cl.tag)
		c.mu.Unlock()
		if err == unet.ErrClosed {
			err = ErrClosed
		}
		return err
	}
	if err := c.wait(cl); err != nil {
		return err
	}
	cl.dec = NewDecoder(cl.resp[:cl.n])
	cl.dec.U32() // tag
	if errno := cl.dec.U32(); errno != 0 {
		return unix.Errno(errno)
	}
	return nil
}

// wait blocks until cl's response has arrived, receiving responses itself
// when no other call is.
func (c *Client) wait(cl *call) error {
	select {
	case <-cl.done:
		return cl.err
	case <-c.recvTok:
	}
	// We are the receiver. Our response may have been handed to us just
	// before the previous receiver stepped down.
	select {
	case <-cl.done:
		c.recvTok <- struct{}{}
		return cl.err
	default:
	}
	err := c.receive(cl)
	c.recvTok <- struct{}{}
	return err
}

// receive reads responses until cl's arrives, handing others to their calls.
//
// Preconditions:
//   - The caller holds the receive token.
func (c *Client) receive(cl *call) error {
	for {
		n, fds, err := c.conn.Recv(cl.resp, cl.fds[:0])
		if err != nil {
			cl.fds = fds[:0]
			c.fail(cl)
			return ErrClosed
		}
		if n < HeaderSize {
			closeAll(fds)
			cl.fds = fds[:0]
			continue
		}
		tag := binary.LittleEndian.Uint32(cl.resp)
		c.mu.Lock()
		other := c.pending[tag]
		delete(c.pending, tag)
		c.mu.Unlock()
		switch other {
		case cl:
			cl.n, cl.fds = n, fds
			return nil
		case nil:
			// A response nobody waits for (or to a malformed
			// request): drop it.
			closeAll(fds)
			cl.fds = fds[:0]
		default:
			// Hand the buffers over instead of copying.
			cl.resp, other.resp = other.resp, cl.resp
			cl.fds, other.fds = other.fds[:0], fds
			other.n = n
			other.done <- struct{}{}
		}
	}
}

// fail marks the connection dead and wakes every waiting call except self.
func (c *Client) fail(self *call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.err = ErrClosed
	for tag, cl := range c.pending {
		delete(c.pending, tag)
		if cl != self {
			cl.err = ErrClosed
			cl.done <- struct{}{}
		}
	}
}

func closeAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// takeFD removes and returns the single descriptor of cl's response, or
// EBADMSG if it carried none.
func takeFD(cl *call) (int, error) {
	if len(cl.fds) != 1 {
		return -1, unix.EBADMSG
	}
	fd := cl.fds[0]
	cl.fds = cl.fds[:0]
	return fd, nil
}
