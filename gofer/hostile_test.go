package gofer

import (
	"encoding/binary"
	"math/rand"
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
	"moat/internal/unet"
)

// rawCall sends msg on conn (with fds) and returns the response's tag,
// errno and descriptors.
func rawCall(t *testing.T, conn *unet.Conn, msg []byte, fds []int) (uint32, unix.Errno, []int) {
	t.Helper()
	if err := conn.Send(msg, fds); err != nil {
		t.Fatalf("send: %v", err)
	}
	buf := make([]byte, proto.MaxMessageSize)
	n, got, err := conn.Recv(buf, nil)
	if err != nil {
		t.Fatalf("recv: %v", err)
	}
	if n < proto.HeaderSize {
		t.Fatalf("short response: %d bytes", n)
	}
	return binary.LittleEndian.Uint32(buf), unix.Errno(binary.LittleEndian.Uint32(buf[4:])), got
}

// req builds a request with tag 7.
func req(t proto.MsgType, body func(e *proto.Encoder)) []byte {
	var e proto.Encoder
	e.Request(t)
	binary.LittleEndian.PutUint32(e.B, 7)
	if body != nil {
		body(&e)
	}
	return e.B
}

func TestMalformed(t *testing.T) {
	root := makeTree(t)
	_, conn := serveConn(t, root, Config{})
	// A root handle to aim at.
	tag, errno, _ := rawCall(t, conn, req(proto.MsgAttach, nil), nil)
	if tag != 7 || errno != 0 {
		t.Fatalf("attach: tag %d errno %v", tag, errno)
	}
	const rootH = 1
	tests := []struct {
		name string
		msg  []byte
		tag  uint32
		err  unix.Errno
	}{
		{"one byte", []byte{1}, 0, unix.EINVAL},
		{"tag only", []byte{9, 0, 0, 0}, 9, unix.EINVAL},
		{"short header", []byte{9, 0, 0, 0, 2, 0}, 9, unix.EINVAL},
		{"type 0", req(0, nil), 7, unix.EINVAL},
		{"unknown type", req(999, nil), 7, unix.EINVAL},
		{"attach with body", req(proto.MsgAttach, func(e *proto.Encoder) { e.U8(1) }), 7, unix.EINVAL},
		{"stat short", req(proto.MsgStat, func(e *proto.Encoder) { e.U32(rootH) }), 7, unix.EINVAL},
		{"stat trailing", req(proto.MsgStat, func(e *proto.Encoder) { e.Handle(rootH); e.U8(0) }), 7, unix.EINVAL},
		{"stat bad handle", req(proto.MsgStat, func(e *proto.Encoder) { e.Handle(12345) }), 7, unix.EBADF},
		{"stat handle 0", req(proto.MsgStat, func(e *proto.Encoder) { e.Handle(0) }), 7, unix.EBADF},
		{"walk zero names", req(proto.MsgWalk, func(e *proto.Encoder) { e.Handle(rootH); e.U16(0) }), 7, unix.EINVAL},
		{"walk too many", req(proto.MsgWalk, func(e *proto.Encoder) { e.Handle(rootH); e.U16(proto.MaxWalk + 1) }), 7, unix.EINVAL},
		{"walk missing name", req(proto.MsgWalk, func(e *proto.Encoder) { e.Handle(rootH); e.U16(2); e.Str("dir") }), 7, unix.EINVAL},
		{"walk huge length", req(proto.MsgWalk, func(e *proto.Encoder) { e.Handle(rootH); e.U16(1); e.U32(1 << 31) }), 7, unix.EINVAL},
		{"walk length past end", req(proto.MsgWalk, func(e *proto.Encoder) { e.Handle(rootH); e.U16(1); e.U32(10); e.U8('a') }), 7, unix.EINVAL},
		{"walk bad handle", req(proto.MsgWalk, func(e *proto.Encoder) { e.Handle(99); e.U16(1); e.Str("dir") }), 7, unix.EBADF},
		{"walk slash", req(proto.MsgWalk, func(e *proto.Encoder) { e.Handle(rootH); e.U16(1); e.Str("/etc") }), 7, unix.EINVAL},
		{"walk dotdot", req(proto.MsgWalk, func(e *proto.Encoder) { e.Handle(rootH); e.U16(1); e.Str("..") }), 7, unix.EINVAL},
		{"open bad flags", req(proto.MsgOpen, func(e *proto.Encoder) { e.Handle(rootH); e.U32(unix.O_PATH) }), 7, unix.EINVAL},
		{"open creat", req(proto.MsgOpen, func(e *proto.Encoder) { e.Handle(rootH); e.U32(unix.O_CREAT) }), 7, unix.EINVAL},
		{"close count mismatch", req(proto.MsgClose, func(e *proto.Encoder) { e.U16(3); e.Handle(rootH) }), 7, unix.EINVAL},
		{"close unknown", req(proto.MsgClose, func(e *proto.Encoder) { e.U16(1); e.Handle(777) }), 7, unix.EBADF},
		{"getdents short", req(proto.MsgGetdents, func(e *proto.Encoder) { e.Handle(rootH) }), 7, unix.EINVAL},
		{"setattr short", req(proto.MsgSetattr, func(e *proto.Encoder) { e.Handle(rootH); e.U32(1) }), 7, unix.EINVAL},
		{"create on bad handle", req(proto.MsgCreate, func(e *proto.Encoder) {
			e.Handle(31337)
			e.Str("x")
			e.U32(unix.O_RDWR)
			e.U32(0644)
			e.U32(proto.NoID)
			e.U32(proto.NoID)
		}), 7, unix.EBADF},
		{"mkdir dotdot", req(proto.MsgMkdir, func(e *proto.Encoder) {
			e.Handle(rootH)
			e.Str("..")
			e.U32(0755)
			e.U32(proto.NoID)
			e.U32(proto.NoID)
		}), 7, unix.EINVAL},
		{"symlink NUL", req(proto.MsgSymlink, func(e *proto.Encoder) {
			e.Handle(rootH)
			e.Str("s")
			e.Str("a\x00b")
			e.U32(proto.NoID)
			e.U32(proto.NoID)
		}), 7, unix.EINVAL},
		{"oversized", make([]byte, proto.MaxMessageSize+1), 0, unix.EINVAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tag, errno, fds := rawCall(t, conn, tt.msg, nil)
			if tag != tt.tag || errno != tt.err || len(fds) != 0 {
				t.Fatalf("got tag %d errno %v fds %v, want tag %d errno %v", tag, errno, fds, tt.tag, tt.err)
			}
		})
	}
	// Descriptors sent to the server are dropped, and the request served.
	fd, _ := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	defer unix.Close(fd)
	if tag, errno, _ := rawCall(t, conn, req(proto.MsgStat, func(e *proto.Encoder) { e.Handle(rootH) }), []int{fd}); tag != 7 || errno != 0 {
		t.Fatalf("stat with an fd attached: tag %d errno %v", tag, errno)
	}
}

// TestGarbage throws random messages at the server: each gets an answer
// and the server keeps serving.
func TestGarbage(t *testing.T) {
	root := makeTree(t)
	_, conn := serveConn(t, root, Config{})
	rawCall(t, conn, req(proto.MsgAttach, nil), nil)
	rng := rand.New(rand.NewSource(42))
	for i := range 3000 {
		msg := make([]byte, rng.Intn(80))
		rng.Read(msg)
		if len(msg) >= 6 && i%2 == 0 {
			// Mostly valid types with random bodies, some with the
			// real root handle, to get past the first checks.
			binary.LittleEndian.PutUint16(msg[4:], uint16(1+rng.Intn(20)))
			if len(msg) >= 16 && i%4 == 0 {
				binary.LittleEndian.PutUint64(msg[8:], 1)
			}
		}
		if len(msg) == 0 {
			continue
		}
		_, _, fds := rawCall(t, conn, msg, nil)
		for _, fd := range fds {
			unix.Close(fd)
		}
	}
	if tag, errno, _ := rawCall(t, conn, req(proto.MsgStat, func(e *proto.Encoder) { e.Handle(1) }), nil); tag != 7 || errno != 0 {
		t.Fatalf("stat after garbage: tag %d errno %v", tag, errno)
	}
}

// TestClientClose checks that closing the client ends Serve cleanly and
// fails later calls.
func TestClientClose(t *testing.T) {
	root := makeTree(t)
	before := countFDs(t)
	fd, err := OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	cli, srv, err := unet.SocketPair()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Serve(srv, fd, Config{}) }()
	c := proto.NewClientConn(cli)
	h := attach(t, c)
	walk(t, c, h, "dir/sub") // handles left open on purpose
	c.Close()
	if err := <-done; err != nil {
		t.Fatalf("Serve after client close: %v", err)
	}
	if _, err := c.Stat(h); err != proto.ErrClosed {
		t.Fatalf("Stat after Close: %v, want ErrClosed", err)
	}
	if after := countFDs(t); after != before {
		t.Fatalf("%d descriptors open before the session, %d after", before, after)
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

// TestServerGone checks that calls fail with ErrClosed when the server
// end goes away.
func TestServerGone(t *testing.T) {
	cli, srv, err := unet.SocketPair()
	if err != nil {
		t.Fatal(err)
	}
	c := proto.NewClientConn(cli)
	defer c.Close()
	srv.Close()
	if _, _, err := c.Attach(); err != proto.ErrClosed {
		t.Fatalf("Attach with no server: %v, want ErrClosed", err)
	}
}

// TestNoLeaks runs a session of every kind of operation and checks that
// once Serve has returned every descriptor the server opened is closed
// (so no node reference was leaked).
func TestNoLeaks(t *testing.T) {
	session := func() {
		root := makeTree(t)
		fd, err := OpenRoot(root)
		if err != nil {
			t.Fatal(err)
		}
		cli, srv, err := unet.SocketPair()
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- Serve(srv, fd, Config{}) }()
		c := proto.NewClientConn(cli)
		r := attach(t, c)
		walk(t, c, r, "dir/sub")
		c.Walk(r, []string{"link", "x"})
		c.Walk(r, []string{"dir", "missing"})
		h, _, ffd, err := c.Create(r, "new", unix.O_RDWR, 0644, proto.NoID, proto.NoID)
		if err != nil {
			t.Fatal(err)
		}
		unix.Close(ffd)
		_, _, ffd, _ = c.Create(r, "new", unix.O_RDWR, 0644, proto.NoID, proto.NoID)
		unix.Close(ffd)
		c.Link(r, "hard", h)
		d, _, _ := c.Mkdir(r, "d", 0755, proto.NoID, proto.NoID)
		c.Symlink(d, "s", "x", proto.NoID, proto.NoID)
		c.Rename(r, "new", d, "moved", 0)
		c.Rename(r, "d", r, "d2", 0)
		ofd, _ := c.Open(h, unix.O_RDONLY)
		unix.Close(ofd)
		c.Setattr(h, &proto.SetattrReq{Mask: proto.SetattrSize, Size: 10})
		c.Getdents(r)
		c.Unlink(r, "hard", 0)
		c.Close()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	session() // warm up: the runtime opens descriptors of its own once
	before := countFDs(t)
	session()
	if after := countFDs(t); after != before {
		t.Fatalf("%d descriptors open before the session, %d after", before, after)
	}
}

// TestMaxHandles checks that a client cannot hold more handles than the
// limit, and that closing some makes room again.
func TestMaxHandles(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{MaxHandles: 4})
	r := attach(t, c)
	hs, _, err := c.Walk(r, []string{"dir", "inner"})
	if err != nil || len(hs) != 2 {
		t.Fatalf("Walk: %d, %v", len(hs), err)
	}
	h3, _, err := c.WalkOne(r, "file")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		op   func() error
	}{
		{"walk", func() error { _, _, err := c.WalkOne(r, "link"); return err }},
		{"attach", func() error { _, _, err := c.Attach(); return err }},
		{"mkdir", func() error { _, _, err := c.Mkdir(r, "m", 0755, proto.NoID, proto.NoID); return err }},
		{"create", func() error {
			_, _, _, err := c.Create(r, "n", unix.O_RDWR, 0644, proto.NoID, proto.NoID)
			return err
		}},
	}
	for _, tt := range tests {
		if err := tt.op(); err != unix.ENFILE {
			t.Errorf("%s at the limit: %v, want ENFILE", tt.name, err)
		}
	}
	if _, err := os.Stat(root + "/m"); err == nil {
		t.Errorf("mkdir at the limit created the directory")
	}
	if err := c.Unlink(r, "fifo", 0); err != nil {
		t.Errorf("unlink at the limit: %v", err)
	}
	c.CloseHandle(h3)
	if _, _, err := c.WalkOne(r, "link"); err != nil {
		t.Errorf("walk after a close: %v", err)
	}
}
