package netlink

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/net/inet"
	"moat/sentry/net/nettest"
)

// exchange sends one request and returns the headers and bodies of the
// messages of the answer.
func exchange(t *testing.T, s *Socket, typ, flags uint16, payload []byte) ([]header, [][]byte) {
	t.Helper()
	ctx := nettest.NewCtx()
	req := make([]byte, sizeofNlmsghdr+len(payload))
	header{Len: uint32(len(req)), Type: typ, Flags: flags, Seq: 7}.encode(req)
	copy(req[sizeofNlmsghdr:], payload)
	if n, err := s.SendMsg(ctx, req, net.SendOptions{}); n != len(req) || err != 0 {
		t.Fatalf("send: %d, %v", n, err)
	}
	buf := make([]byte, 8192)
	r, err := s.RecvMsg(ctx, buf, net.RecvOptions{Nonblock: true})
	if err != 0 {
		t.Fatalf("recv: %v", err)
	}
	var out []header
	var bodies [][]byte
	for b := buf[:r.N]; len(b) >= sizeofNlmsghdr; {
		h := decodeHeader(b)
		if h.Seq != 7 || h.PID != 42 {
			t.Fatalf("answer seq %d pid %d, want 7 and the port ID 42", h.Seq, h.PID)
		}
		out = append(out, h)
		bodies = append(bodies, b[sizeofNlmsghdr:h.Len])
		b = b[align(int(h.Len)):]
	}
	return out, bodies
}

func newSocket(t *testing.T) *Socket {
	f, err := New(nettest.NewCtx(), inet.NewStack(), &nettest.SockFS{}, unix.SOCK_RAW, unix.NETLINK_ROUTE, false)
	if err != 0 {
		t.Fatal(err)
	}
	t.Cleanup(f.DecRef)
	return f.Impl().(*Socket)
}

func TestDumps(t *testing.T) {
	s := newSocket(t)
	for _, tc := range []struct {
		typ    uint16
		family byte
		want   []uint16
	}{
		{unix.RTM_GETLINK, unix.AF_UNSPEC, []uint16{unix.RTM_NEWLINK, nlmsgDone}},
		{unix.RTM_GETADDR, unix.AF_UNSPEC, []uint16{unix.RTM_NEWADDR, unix.RTM_NEWADDR, nlmsgDone}},
		{unix.RTM_GETADDR, unix.AF_INET6, []uint16{unix.RTM_NEWADDR, nlmsgDone}},
		{unix.RTM_GETROUTE, unix.AF_INET, []uint16{unix.RTM_NEWROUTE, unix.RTM_NEWROUTE, unix.RTM_NEWROUTE, nlmsgDone}},
		{unix.RTM_GETROUTE, unix.AF_INET6, []uint16{unix.RTM_NEWROUTE, nlmsgDone}},
	} {
		got, _ := exchange(t, s, tc.typ, flagRequest|flagDump, []byte{tc.family, 0, 0, 0})
		if len(got) != len(tc.want) {
			t.Fatalf("type %d family %d: %d messages, want %d", tc.typ, tc.family, len(got), len(tc.want))
		}
		for i, h := range got {
			if h.Type != tc.want[i] || h.Flags&flagMulti == 0 {
				t.Errorf("message %d: type %d flags %#x, want type %d, multi", i, h.Type, h.Flags, tc.want[i])
			}
		}
	}
}

func TestErrors(t *testing.T) {
	s := newSocket(t)
	for _, tc := range []struct {
		typ   uint16
		flags uint16
		want  linux.Errno
	}{
		{unix.RTM_NEWADDR, flagRequest, linux.EPERM},
		{unix.RTM_GETROUTE, flagRequest, linux.EINVAL},
		{unix.RTM_GETADDR, flagRequest, linux.EOPNOTSUPP},
		{unix.RTM_GETLINK, flagRequest | flagAck, 0},
	} {
		payload := make([]byte, sizeofIfinfomsg)
		binary.LittleEndian.PutUint32(payload[4:], 1)
		got, bodies := exchange(t, s, tc.typ, tc.flags, payload)
		last, body := got[len(got)-1], bodies[len(got)-1]
		if last.Type != nlmsgError {
			t.Fatalf("type %d: last answer %d, want NLMSG_ERROR", tc.typ, last.Type)
		}
		if e := linux.Errno(-int32(binary.LittleEndian.Uint32(body))); e != tc.want {
			t.Errorf("type %d: error %v, want %v", tc.typ, e, tc.want)
		}
	}
	if _, err := s.SendMsg(nettest.NewCtx(), make([]byte, 16), net.SendOptions{To: encode(1, 0)}); err != linux.ECONNREFUSED {
		t.Errorf("send to another port: %v, want ECONNREFUSED", err)
	}
}
