package unix

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/net/nettest"
	"moat/sentry/vfs"
)

// newCtx returns a caller that can block (without signals) and has a
// PID.
func newCtx() *nettest.Ctx { return nettest.NewCtx() }

func sock(f *vfs.FileDescription) *Socket { return f.Impl().(*Socket) }

func TestAddressRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want Address
		enc  int
	}{
		{"unnamed", []byte{1, 0}, Address{}, 2},
		{"path", append([]byte{1, 0}, "a/b\x00junk"...), Address{Path: "a/b"}, 6},
		{"path without NUL", append([]byte{1, 0}, "xyz"...), Address{Path: "xyz"}, 6},
		{"abstract", append([]byte{1, 0, 0}, "n\x00m"...), Address{Abstract: "n\x00m", IsAbstract: true}, 6},
	} {
		got, err := ParseAddress(tc.in)
		if err != 0 || got != tc.want {
			t.Errorf("%s: ParseAddress = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
		if n := len(got.Encode()); n != tc.enc {
			t.Errorf("%s: encoded length %d, want %d", tc.name, n, tc.enc)
		}
	}
	for _, bad := range [][]byte{{1}, {2, 0, 'x'}, make([]byte, MaxAddressLen+1)} {
		if _, err := ParseAddress(bad); err != linux.EINVAL {
			t.Errorf("ParseAddress(%v) = %v, want EINVAL", bad, err)
		}
	}
}

func TestStreamPair(t *testing.T) {
	ctx := newCtx()
	ns := NamespaceOf(vfs.New())
	fa, fb, err := Pair(ctx, ns, sysunix.SOCK_STREAM, 0, false)
	if err != 0 {
		t.Fatal(err)
	}
	a, b := sock(fa), sock(fb)
	for _, s := range []string{"ab", "cd"} {
		if n, err := a.SendMsg(ctx, []byte(s), SendOptions{}); n != 2 || err != 0 {
			t.Fatalf("send = %d, %v", n, err)
		}
	}
	buf := make([]byte, 10)
	r, err := b.RecvMsg(ctx, buf, RecvOptions{})
	if err != 0 || string(buf[:r.N]) != "abcd" {
		t.Fatalf("recv = %q, %v; want merged abcd", buf[:r.N], err)
	}
	if _, err := b.RecvMsg(ctx, buf, RecvOptions{Nonblock: true}); err != linux.EAGAIN {
		t.Errorf("empty non-blocking recv = %v, want EAGAIN", err)
	}
	a.Shutdown(sysunix.SHUT_WR)
	if r, err := b.RecvMsg(ctx, buf, RecvOptions{}); r.N != 0 || err != 0 {
		t.Errorf("recv after peer SHUT_WR = %d, %v; want EOF", r.N, err)
	}
	if _, err := a.SendMsg(ctx, []byte("x"), SendOptions{NoSignal: true}); err != linux.EPIPE {
		t.Errorf("send after SHUT_WR = %v, want EPIPE", err)
	}
	if ev := b.Readiness(ctx, vfs.EventReadable|vfs.EventRdHUp); ev != vfs.EventReadable|vfs.EventRdHUp {
		t.Errorf("readiness after peer SHUT_WR = %#x", ev)
	}
	fa.DecRef()
	fb.DecRef()
}

func TestStreamBlocksUntilRead(t *testing.T) {
	ctx := newCtx()
	fa, fb, _ := Pair(ctx, NamespaceOf(vfs.New()), sysunix.SOCK_STREAM, 0, false)
	a, b := sock(fa), sock(fb)
	a.SetSockOpt(ctx, sysunix.SOL_SOCKET, sysunix.SO_SNDBUF, binary.LittleEndian.AppendUint32(nil, 1))
	if n, err := a.SendMsg(ctx, make([]byte, net.MinSndBuf), SendOptions{Nonblock: true}); n != net.MinSndBuf || err != 0 {
		t.Fatalf("fill = %d, %v", n, err)
	}
	if _, err := a.SendMsg(ctx, []byte("x"), SendOptions{Nonblock: true}); err != linux.EAGAIN {
		t.Fatalf("send to full buffer = %v, want EAGAIN", err)
	}
	done := make(chan int)
	go func() {
		n, _ := a.SendMsg(ctx, []byte("more"), SendOptions{})
		done <- n
	}()
	buf := make([]byte, net.MinSndBuf)
	if r, _ := b.RecvMsg(ctx, buf, RecvOptions{WaitAll: true}); r.N != net.MinSndBuf {
		t.Fatalf("WAITALL recv = %d", r.N)
	}
	if n := <-done; n != 4 {
		t.Errorf("blocked send = %d, want 4", n)
	}
}

func TestDatagramsAndTimeout(t *testing.T) {
	ctx := newCtx()
	ns := NamespaceOf(vfs.New())
	fa, _ := New(ctx, ns, sysunix.SOCK_DGRAM, 0, false)
	fb, _ := New(ctx, ns, sysunix.SOCK_DGRAM, 0, false)
	a, b := sock(fa), sock(fb)
	if err := b.Bind(ctx, nil, Address{Abstract: "b", IsAbstract: true}); err != 0 {
		t.Fatal(err)
	}
	if err := a.Bind(ctx, nil, Address{}); err != 0 || !a.LocalAddress().IsAbstract {
		t.Fatalf("autobind = %v, %+v", err, a.LocalAddress())
	}
	to := &Address{Abstract: "b", IsAbstract: true}
	a.SendMsg(ctx, []byte("one"), SendOptions{To: to})
	a.SendMsg(ctx, []byte("three"), SendOptions{To: to})
	buf := make([]byte, 2)
	r, _ := b.RecvMsg(ctx, buf, RecvOptions{})
	if r.N != 2 || !r.Truncated || r.From != a.LocalAddress() {
		t.Errorf("first = %+v, want 2 bytes truncated from a", r)
	}
	r, _ = b.RecvMsg(ctx, buf, RecvOptions{Trunc: true})
	if r.N != 5 {
		t.Errorf("MSG_TRUNC = %d, want 5", r.N)
	}
	tv := make([]byte, 16)
	binary.LittleEndian.PutUint64(tv[8:], 20000) // 20 ms
	b.SetSockOpt(ctx, sysunix.SOL_SOCKET, sysunix.SO_RCVTIMEO, tv)
	start := time.Now()
	if _, err := b.RecvMsg(ctx, buf, RecvOptions{}); err != linux.EAGAIN || time.Since(start) < 20*time.Millisecond {
		t.Errorf("recv with SO_RCVTIMEO = %v after %v", err, time.Since(start))
	}
	fb.DecRef()
	if _, err := a.SendMsg(ctx, []byte("x"), SendOptions{To: to}); err != linux.ECONNREFUSED {
		t.Errorf("send to a closed name = %v, want ECONNREFUSED", err)
	}
	fa.DecRef()
}

func TestListenConnectAccept(t *testing.T) {
	ctx := newCtx()
	ns := NamespaceOf(vfs.New())
	fl, _ := New(ctx, ns, sysunix.SOCK_SEQPACKET, 0, false)
	l := sock(fl)
	name := Address{Abstract: "srv", IsAbstract: true}
	l.Bind(ctx, nil, name)
	if err := l.Listen(ctx, 0); err != 0 {
		t.Fatal(err)
	}
	fc, _ := New(ctx, ns, sysunix.SOCK_SEQPACKET, 0, true)
	c := sock(fc)
	if err := c.Connect(ctx, nil, name, true); err != 0 {
		t.Fatal(err)
	}
	fc2, _ := New(ctx, ns, sysunix.SOCK_SEQPACKET, 0, true)
	if err := sock(fc2).Connect(ctx, nil, name, true); err != linux.EAGAIN {
		t.Errorf("backlog 0 admits one connection; the second = %v, want EAGAIN", err)
	}
	fc3, _ := New(ctx, ns, sysunix.SOCK_SEQPACKET, 0, false)
	done := make(chan linux.Errno)
	go func() { done <- sock(fc3).Connect(ctx, nil, name, false) }()
	srv, err := l.Accept(ctx, true)
	if err != 0 {
		t.Fatal(err)
	}
	if err := <-done; err != 0 {
		t.Errorf("blocked connect after accept = %v", err)
	}
	cred, _ := srv.GetSockOpt(sysunix.SOL_SOCKET, sysunix.SO_PEERCRED)
	if !bytes.Equal(cred, (Cred{PID: 42, UID: 1000, GID: 1000}).encode()) {
		t.Errorf("SO_PEERCRED = %v", cred)
	}
	c.SendMsg(ctx, []byte("rec1"), SendOptions{})
	c.SendMsg(ctx, []byte("rec2"), SendOptions{})
	buf := make([]byte, 16)
	if r, _ := srv.RecvMsg(ctx, buf, RecvOptions{}); r.N != 4 {
		t.Errorf("record = %d bytes, want 4", r.N)
	}
	fs := NewFile(srv, false)
	fs.DecRef()
	// The server closed with rec2 unread: the next send reports the
	// reset, later ones EPIPE.
	for _, want := range []linux.Errno{linux.ECONNRESET, linux.EPIPE} {
		if _, err := c.SendMsg(ctx, []byte("x"), SendOptions{NoSignal: true}); err != want {
			t.Errorf("send to closed seqpacket peer = %v, want %v", err, want)
		}
	}
	fl.DecRef()
	for _, f := range []*vfs.FileDescription{fc, fc2, fc3} {
		f.DecRef()
	}
	if ns.lookupAbstract("srv") != nil {
		t.Error("name survives the listener")
	}
}

func TestControlRoundTrip(t *testing.T) {
	var w ControlBuilder
	w.Cap = CmsgSpace(credSize) + CmsgLen(4)
	w.PutCred(Cred{PID: 1, UID: 2, GID: 3})
	if w.RightsRoom() != 1 {
		t.Fatalf("RightsRoom = %d", w.RightsRoom())
	}
	w.PutRights([]int32{7}, 1)
	if !w.Truncated || len(w.Buf) != w.Cap {
		t.Errorf("built %d bytes, truncated %v", len(w.Buf), w.Truncated)
	}
	c, err := ParseControl(w.Buf, func(fd int32) (*vfs.FileDescription, linux.Errno) {
		return nil, linux.EBADF
	}, func(Cred) linux.Errno { return 0 })
	if err != linux.EBADF {
		t.Errorf("ParseControl with a bad fd = %v, want EBADF", err)
	}
	c, err = ParseControl(w.Buf[:CmsgSpace(credSize)], nil, func(Cred) linux.Errno { return 0 })
	if err != 0 || c.Cred == nil || *c.Cred != (Cred{1, 2, 3}) {
		t.Errorf("ParseControl = %+v, %v", c, err)
	}
	if _, err := ParseControl(make([]byte, 16), nil, nil); err != linux.EINVAL {
		t.Errorf("zero cmsg_len = %v, want EINVAL", err)
	}
}
