package proto

import (
	"encoding/binary"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"moat/internal/unet"
)

func TestStatRoundTrip(t *testing.T) {
	tests := []Stat{
		{},
		{Dev: 1, Ino: 2, Nlink: 3, Mode: unix.S_IFREG | 0644, UID: 4, GID: 5, Rdev: 6, Size: 7, Blksize: 8, Blocks: 9,
			Atime: unix.Timespec{Sec: 10, Nsec: 11}, Mtime: unix.Timespec{Sec: 12, Nsec: 13}, Ctime: unix.Timespec{Sec: -14, Nsec: 999999999}},
		{Dev: ^uint64(0), Ino: ^uint64(0), Nlink: ^uint64(0), Mode: ^uint32(0), UID: ^uint32(0), GID: ^uint32(0), Size: -1},
	}
	for _, want := range tests {
		var e Encoder
		e.Stat(&want)
		if len(e.B) != statSize {
			t.Fatalf("encoded Stat is %d bytes, want %d", len(e.B), statSize)
		}
		d := NewDecoder(e.B)
		var got Stat
		d.Stat(&got)
		if !d.Done() || got != want {
			t.Fatalf("round trip: got %+v, want %+v", got, want)
		}
	}
}

func TestDecoderBounds(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		read func(d *Decoder)
		ok   bool
	}{
		{"u32 of 3 bytes", []byte{1, 2, 3}, func(d *Decoder) { d.U32() }, false},
		{"u64 exact", make([]byte, 8), func(d *Decoder) { d.U64() }, true},
		{"string past end", []byte{5, 0, 0, 0, 'a'}, func(d *Decoder) { d.Str() }, false},
		{"huge string", []byte{0xff, 0xff, 0xff, 0xff}, func(d *Decoder) { d.Str() }, false},
		{"stat short", make([]byte, statSize-1), func(d *Decoder) { var s Stat; d.Stat(&s) }, false},
		{"sticky", []byte{1}, func(d *Decoder) { d.U16(); d.U8() }, false},
	}
	for _, tt := range tests {
		d := NewDecoder(tt.b)
		tt.read(&d)
		if d.Ok() != tt.ok {
			t.Errorf("%s: Ok() = %v, want %v", tt.name, d.Ok(), tt.ok)
		}
	}
}

// TestOutOfOrder answers a batch of concurrent calls in reverse order:
// each caller must get its own answer.
func TestOutOfOrder(t *testing.T) {
	cli, srv, err := unet.SocketPair()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := NewClientConn(cli)
	defer c.Close()
	const n = 32
	go func() {
		type req struct {
			tag uint32
			h   uint64
		}
		var reqs []req
		buf := make([]byte, MaxMessageSize)
		for len(reqs) < n {
			l, _, err := srv.Recv(buf, nil)
			if err != nil {
				return
			}
			d := NewDecoder(buf[:l])
			tag, _ := d.Header()
			reqs = append(reqs, req{tag, d.U64()})
		}
		for i := len(reqs) - 1; i >= 0; i-- {
			var e Encoder
			e.Response(reqs[i].tag, 0)
			// Answer with a Stat whose Ino is the handle asked about.
			e.Stat(&Stat{Ino: reqs[i].h})
			srv.Send(e.B, nil)
		}
	}()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := c.Stat(Handle(i + 100))
			if err != nil || st.Ino != uint64(i+100) {
				t.Errorf("Stat(%d) = ino %d, %v", i+100, st.Ino, err)
			}
		}()
	}
	wg.Wait()
}

// TestErrnoAndJunk checks that server errnos come back as unix.Errno, and
// that stray responses (unknown tags, short messages) are ignored.
func TestErrnoAndJunk(t *testing.T) {
	cli, srv, err := unet.SocketPair()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := NewClientConn(cli)
	defer c.Close()
	go func() {
		buf := make([]byte, MaxMessageSize)
		l, _, err := srv.Recv(buf, nil)
		if err != nil {
			return
		}
		tag := binary.LittleEndian.Uint32(buf[:l])
		srv.Send([]byte{1, 2}, nil)
		var e Encoder
		e.Response(tag+1000, 0)
		srv.Send(e.B, nil)
		e.Response(tag, unix.ENOENT)
		srv.Send(e.B, nil)
	}()
	if _, err := c.Stat(1); err != unix.ENOENT {
		t.Fatalf("Stat = %v, want ENOENT", err)
	}
}

func TestMsgTypeString(t *testing.T) {
	for typ := MsgType(1); typ < msgTypeCount; typ++ {
		if typ.String() == "unknown" || typ.String() == "" {
			t.Errorf("type %d has no name", typ)
		}
	}
	if MsgType(0).Valid() || msgTypeCount.Valid() {
		t.Errorf("invalid types reported valid")
	}
}
