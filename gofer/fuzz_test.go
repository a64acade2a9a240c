package gofer

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
)

// FuzzHandle feeds arbitrary requests to the server's dispatcher: every one
// must get a well-formed answer, and nothing may panic. The tree is
// read-only so that fuzzing cannot fill the disk; the write paths still
// decode and validate their input first.
//
//	go test -run '^$' -fuzz FuzzHandle -fuzztime 30s ./gofer/
func FuzzHandle(f *testing.F) {
	seed := func(t proto.MsgType, body func(e *proto.Encoder)) {
		var e proto.Encoder
		e.Request(t)
		if body != nil {
			body(&e)
		}
		f.Add(e.B)
	}
	seed(proto.MsgAttach, nil)
	seed(proto.MsgWalk, func(e *proto.Encoder) { e.Handle(1); e.U16(2); e.Str("dir"); e.Str("sub") })
	seed(proto.MsgStat, func(e *proto.Encoder) { e.Handle(1) })
	seed(proto.MsgOpen, func(e *proto.Encoder) { e.Handle(2); e.U32(0) })
	seed(proto.MsgGetdents, func(e *proto.Encoder) { e.Handle(1); e.U64(0); e.U32(4096) })
	seed(proto.MsgClose, func(e *proto.Encoder) { e.U16(1); e.Handle(2) })
	seed(proto.MsgCreate, func(e *proto.Encoder) {
		e.Handle(1)
		e.Str("x")
		e.U32(unix.O_RDWR)
		e.U32(0644)
		e.U32(0)
		e.U32(0)
	})
	seed(proto.MsgSetattr, func(e *proto.Encoder) { e.Handle(1); e.Setattr(&proto.SetattrReq{Mask: proto.SetattrMode}) })
	seed(proto.MsgWalkOpen, func(e *proto.Encoder) { e.Handle(2); e.Str("sub"); e.U32(0) })
	seed(proto.MsgLookup, func(e *proto.Encoder) { e.Handle(1); e.U16(2); e.Str("file"); e.Str("..") })
	seed(proto.MsgGetxattr, func(e *proto.Encoder) { e.Handle(1); e.Str("user.x"); e.U32(0) })

	fd, err := OpenRoot(makeTree(f))
	if err != nil {
		f.Fatal(err)
	}
	s, err := NewServer(fd, Config{ReadOnly: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		s.mu.Lock()
		s.closeAllLocked()
		s.mu.Unlock()
	})
	// Handle 1 is the root, 2 and 3 are dir and dir/sub.
	var out proto.Encoder
	var d proto.Decoder
	s.handle(mustReq(proto.MsgAttach, nil), &d, &out)
	s.handle(mustReq(proto.MsgWalk, func(e *proto.Encoder) { e.Handle(1); e.U16(2); e.Str("dir"); e.Str("sub") }), &d, &out)

	f.Fuzz(func(t *testing.T, msg []byte) {
		var out proto.Encoder
		var d proto.Decoder
		rfd := s.handle(msg, &d, &out)
		if rfd >= 0 {
			unix.Close(rfd)
		}
		if len(out.B) < proto.HeaderSize {
			t.Fatalf("answer of %d bytes", len(out.B))
		}
		if len(msg) >= 4 && binary.LittleEndian.Uint32(out.B) != binary.LittleEndian.Uint32(msg) {
			t.Fatalf("answer tag %d for request tag %d", binary.LittleEndian.Uint32(out.B), binary.LittleEndian.Uint32(msg))
		}
		if errno := binary.LittleEndian.Uint32(out.B[4:]); errno != 0 && len(out.B) != proto.HeaderSize {
			t.Fatalf("error answer with a body")
		}
		if len(out.B) > proto.MaxMessageSize {
			t.Fatalf("answer of %d bytes", len(out.B))
		}
	})
}

func mustReq(t proto.MsgType, body func(e *proto.Encoder)) []byte {
	var e proto.Encoder
	e.Request(t)
	if body != nil {
		body(&e)
	}
	return e.B
}
