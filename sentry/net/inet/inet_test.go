package inet

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/net/nettest"
	"moat/sentry/vfs"
)

func newSock(t *testing.T, st *Stack, family, typ int32) *Socket {
	t.Helper()
	f, err := New(nettest.NewCtx(), st, &nettest.SockFS{}, family, typ, 0, false)
	if err != 0 {
		t.Fatalf("socket: %v", err)
	}
	t.Cleanup(f.DecRef)
	return f.Impl().(*Socket)
}

func sockaddr(family int32, s string) []byte {
	return encodeAddr(family, netip.MustParseAddrPort(s))
}

func TestRoute(t *testing.T) {
	for _, tc := range []struct {
		dst, to string
		err     linux.Errno
	}{
		{"127.0.0.1", "127.0.0.1", 0},
		{"127.1.2.3", "127.1.2.3", 0},
		{"0.0.0.0", "127.0.0.1", 0},
		{"::", "::1", 0},
		{"::1", "::1", 0},
		{"10.0.0.1", "", linux.ENETUNREACH},
		{"255.255.255.255", "", linux.ENETUNREACH},
		{"224.0.0.1", "", linux.ENETUNREACH},
		{"2001:db8::1", "", linux.ENETUNREACH},
		{"fe80::1", "", linux.ENETUNREACH},
	} {
		to, _, err := route(netip.MustParseAddr(tc.dst))
		if err != tc.err || (err == 0 && to.String() != tc.to) {
			t.Errorf("route(%s) = %v, %v; want %s, %v", tc.dst, to, err, tc.to, tc.err)
		}
	}
}

func TestUnreachable(t *testing.T) {
	st := NewStack()
	ctx := nettest.NewCtx()
	for _, tc := range []struct {
		family, typ int32
		to          string
	}{
		{unix.AF_INET, unix.SOCK_STREAM, "10.1.2.3:80"},
		{unix.AF_INET, unix.SOCK_DGRAM, "192.0.2.1:53"},
		{unix.AF_INET6, unix.SOCK_STREAM, "[2001:db8::1]:80"},
		{unix.AF_INET6, unix.SOCK_DGRAM, "[::ffff:10.0.0.1]:53"},
	} {
		s := newSock(t, st, tc.family, tc.typ)
		if err := s.Connect(ctx, sockaddr(tc.family, tc.to), false); err != linux.ENETUNREACH {
			t.Errorf("connect %s: %v, want ENETUNREACH", tc.to, err)
		}
		if tc.typ == unix.SOCK_DGRAM {
			if _, err := s.SendMsg(ctx, []byte("x"), net.SendOptions{To: sockaddr(tc.family, tc.to)}); err != linux.ENETUNREACH {
				t.Errorf("sendto %s: %v, want ENETUNREACH", tc.to, err)
			}
		}
	}
}

func TestBindConflicts(t *testing.T) {
	type sock struct {
		family           int32
		addr             string
		v6only, reuse    bool
		listen, reusePrt bool
	}
	for _, tc := range []struct {
		name   string
		first  sock
		second sock
		tcp    bool
		want   linux.Errno
	}{
		{"same address", sock{family: unix.AF_INET, addr: "127.0.0.1"}, sock{family: unix.AF_INET, addr: "127.0.0.1"}, true, linux.EADDRINUSE},
		{"different loopback addresses", sock{family: unix.AF_INET, addr: "127.0.0.1"}, sock{family: unix.AF_INET, addr: "127.0.0.2"}, true, 0},
		{"wildcard over specific", sock{family: unix.AF_INET, addr: "127.0.0.1"}, sock{family: unix.AF_INET, addr: "0.0.0.0"}, true, linux.EADDRINUSE},
		{"v6 dual stack over v4", sock{family: unix.AF_INET, addr: "127.0.0.1"}, sock{family: unix.AF_INET6, addr: "::"}, true, linux.EADDRINUSE},
		{"v6only beside v4", sock{family: unix.AF_INET, addr: "0.0.0.0"}, sock{family: unix.AF_INET6, addr: "::", v6only: true}, true, 0},
		{"v6 loopback beside v4", sock{family: unix.AF_INET, addr: "0.0.0.0"}, sock{family: unix.AF_INET6, addr: "::1"}, true, 0},
		{"reuseaddr, not listening", sock{family: unix.AF_INET, addr: "127.0.0.1", reuse: true}, sock{family: unix.AF_INET, addr: "127.0.0.1", reuse: true}, true, 0},
		{"reuseaddr, listening", sock{family: unix.AF_INET, addr: "127.0.0.1", reuse: true, listen: true}, sock{family: unix.AF_INET, addr: "127.0.0.1", reuse: true}, true, linux.EADDRINUSE},
		{"reuseport, listening", sock{family: unix.AF_INET, addr: "127.0.0.1", reusePrt: true, listen: true}, sock{family: unix.AF_INET, addr: "127.0.0.1", reusePrt: true}, true, 0},
		{"udp reuseaddr", sock{family: unix.AF_INET, addr: "127.0.0.1", reuse: true}, sock{family: unix.AF_INET, addr: "0.0.0.0", reuse: true}, false, 0},
		{"udp without", sock{family: unix.AF_INET6, addr: "::1"}, sock{family: unix.AF_INET6, addr: "::"}, false, linux.EADDRINUSE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := NewStack()
			ctx := nettest.NewCtx()
			typ := int32(unix.SOCK_DGRAM)
			if tc.tcp {
				typ = unix.SOCK_STREAM
			}
			var port uint16
			for i, sk := range []sock{tc.first, tc.second} {
				s := newSock(t, st, sk.family, typ)
				one := net.EncodeBool(true)
				if sk.v6only {
					s.SetSockOpt(ctx, unix.SOL_IPV6, unix.IPV6_V6ONLY, one)
				}
				if sk.reuse {
					s.SetSockOpt(ctx, unix.SOL_SOCKET, unix.SO_REUSEADDR, one)
				}
				if sk.reusePrt {
					s.SetSockOpt(ctx, unix.SOL_SOCKET, unix.SO_REUSEPORT, one)
				}
				a := netip.AddrPortFrom(netip.MustParseAddr(sk.addr), port)
				err := s.Bind(ctx, encodeAddr(sk.family, a))
				if i == 1 {
					if err != tc.want {
						t.Fatalf("second bind: %v, want %v", err, tc.want)
					}
					return
				}
				if err != 0 {
					t.Fatalf("first bind: %v", err)
				}
				port = binary.BigEndian.Uint16(s.LocalAddress()[2:])
				if port < ephemeralLow || port > ephemeralHigh {
					t.Fatalf("ephemeral port %d out of range", port)
				}
				if sk.listen {
					if err := s.Listen(ctx, 1); err != 0 {
						t.Fatalf("listen: %v", err)
					}
				}
			}
		})
	}
}

func TestStreamBlockingRead(t *testing.T) {
	st := NewStack()
	ctx := nettest.NewCtx()
	l := newSock(t, st, unix.AF_INET6, unix.SOCK_STREAM)
	if err := l.Bind(ctx, sockaddr(unix.AF_INET6, "[::1]:0")); err != 0 {
		t.Fatal(err)
	}
	if err := l.Listen(ctx, 0); err != 0 {
		t.Fatal(err)
	}
	c := newSock(t, st, unix.AF_INET6, unix.SOCK_STREAM)
	if err := c.Connect(ctx, l.LocalAddress(), false); err != 0 {
		t.Fatal(err)
	}
	s, err := l.Accept(ctx, true)
	if err != 0 {
		t.Fatal(err)
	}
	f := NewFile(s, false)
	defer f.DecRef()
	got := make(chan string)
	go func() {
		b := make([]byte, 10)
		r, _ := s.RecvMsg(ctx, b, net.RecvOptions{WaitAll: true})
		got <- string(b[:r.N])
	}()
	for _, p := range []string{"01234", "56789"} {
		if n, err := c.SendMsg(ctx, []byte(p), net.SendOptions{}); n != 5 || err != 0 {
			t.Fatalf("send: %d, %v", n, err)
		}
	}
	if g := <-got; g != "0123456789" {
		t.Fatalf("MSG_WAITALL read %q", g)
	}
	if r := s.Readiness(ctx, vfs.EventReadable|vfs.EventWritable); r != vfs.EventWritable {
		t.Fatalf("readiness %#x, want writable only", r)
	}
}

func TestSysctls(t *testing.T) {
	st := NewStack()
	ctx := nettest.NewCtx()
	if err := st.SetSysctls(map[string]string{"ipv4.ip_local_port_range": "50000\t50001", "ipv4.ip_forward": "1"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		s := newSock(t, st, unix.AF_INET, unix.SOCK_DGRAM)
		if err := s.Bind(ctx, sockaddr(unix.AF_INET, "127.0.0.1:0")); err != 0 {
			t.Fatalf("bind %d: %v", i, err)
		}
		if p := binary.BigEndian.Uint16(s.LocalAddress()[2:]); p != 50000 && p != 50001 {
			t.Fatalf("ephemeral port %d outside the range", p)
		}
	}
	s := newSock(t, st, unix.AF_INET, unix.SOCK_DGRAM)
	if err := s.Bind(ctx, sockaddr(unix.AF_INET, "127.0.0.1:0")); err != linux.EADDRNOTAVAIL {
		t.Fatalf("bind with the range used up: %v, want EADDRNOTAVAIL", err)
	}
	if err := s.Bind(ctx, sockaddr(unix.AF_INET, "127.0.0.1:80")); err != linux.EACCES {
		t.Fatalf("bind port 80 without CAP_NET_BIND_SERVICE: %v, want EACCES", err)
	}
	if err := st.SetSysctls(map[string]string{"ipv4.ip_unprivileged_port_start": "0"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Bind(ctx, sockaddr(unix.AF_INET, "127.0.0.1:80")); err != 0 {
		t.Fatalf("bind port 80 with ip_unprivileged_port_start=0: %v", err)
	}
	for _, bad := range []map[string]string{
		{"ipv4.ip_local_port_range": "5000 4000"},
		{"ipv4.ip_local_port_range": "1"},
		{"ipv4.ping_group_range": "x y"},
		{"core.somaxconn": "-1"},
	} {
		if err := st.SetSysctls(bad); err == nil {
			t.Errorf("SetSysctls(%v) succeeded", bad)
		}
	}
}
