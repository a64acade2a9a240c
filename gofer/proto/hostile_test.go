package proto

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"moat/internal/unet"
)

// fakeServer answers every request with reply(tag, type), sending fds with
// it, until the connection closes.
func fakeServer(t *testing.T, reply func(e *Encoder, tag uint32, typ MsgType) []int) *Client {
	t.Helper()
	cli, srv, err := unet.SocketPair()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer srv.Close()
		buf := make([]byte, MaxMessageSize)
		for {
			n, _, err := srv.Recv(buf, nil)
			if err != nil {
				return
			}
			d := NewDecoder(buf[:n])
			tag, typ := d.Header()
			var e Encoder
			fds := reply(&e, tag, typ)
			srv.Send(e.B, fds)
		}
	}()
	c := NewClientConn(cli)
	t.Cleanup(func() {
		c.Close()
		<-done
	})
	return c
}

// TestHostileServer checks that answers that do not fit the request are
// refused with EBADMSG and leak no descriptor.
func TestHostileServer(t *testing.T) {
	devnull, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(devnull)
	tests := []struct {
		name  string
		reply func(e *Encoder, tag uint32)
		fds   bool
		call  func(c *Client) error
	}{
		{"walk with too many nodes", func(e *Encoder, tag uint32) {
			e.Response(tag, 0)
			e.U32(0)
			e.U16(5)
		}, false, func(c *Client) error { _, _, err := c.Walk(1, []string{"a"}); return err }},
		{"open without a descriptor", func(e *Encoder, tag uint32) {
			e.Response(tag, 0)
		}, false, func(c *Client) error { _, err := c.Open(1, unix.O_RDONLY); return err }},
		{"stat with a descriptor", func(e *Encoder, tag uint32) {
			e.Response(tag, 0)
			e.U8(1) // and a short body
		}, true, func(c *Client) error { _, err := c.Stat(1); return err }},
		{"readlink past the end", func(e *Encoder, tag uint32) {
			e.Response(tag, 0)
			e.U32(1000)
		}, false, func(c *Client) error { _, err := c.Readlink(1); return err }},
		{"getdents trailing bytes", func(e *Encoder, tag uint32) {
			e.Response(tag, 0)
			e.U16(0)
			e.U8(9)
		}, false, func(c *Client) error { _, err := c.Getdents(1); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fakeServer(t, func(e *Encoder, tag uint32, _ MsgType) []int {
				tt.reply(e, tag)
				if tt.fds {
					return []int{devnull}
				}
				return nil
			})
			before := countFDs(t)
			if err := tt.call(c); err != unix.EBADMSG {
				t.Fatalf("got %v, want EBADMSG", err)
			}
			if after := countFDs(t); after != before {
				t.Fatalf("%d descriptors before the call, %d after", before, after)
			}
		})
	}
}

func countFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}
