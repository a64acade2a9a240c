package inet

import (
	"encoding/binary"
	"net/netip"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// parse reads an address argument for a socket of s's family: EINVAL
// when short, EAFNOSUPPORT for another family. allowUnspec lets an
// AF_INET socket take AF_UNSPEC as AF_INET (bind with INADDR_ANY, and
// sendto, as Linux does); an AF_INET6 UDP socket may name an IPv4 peer
// with a sockaddr_in (v4ok).
func (s *Socket) parse(b []byte, allowUnspec, v4ok bool) (netip.AddrPort, linux.Errno) {
	if len(b) < 2 {
		return netip.AddrPort{}, linux.EINVAL
	}
	fam := int32(binary.LittleEndian.Uint16(b))
	if s.family == unix.AF_INET6 && !(v4ok && fam == unix.AF_INET) {
		if len(b) < sin6LenRFC2133 {
			return netip.AddrPort{}, linux.EINVAL
		}
		if fam != unix.AF_INET6 {
			return netip.AddrPort{}, linux.EAFNOSUPPORT
		}
		var full [sizeofSockaddrIn6]byte
		copy(full[:], b)
		a, _ := decodeAddr(full[:])
		return a, 0
	}
	if len(b) < sizeofSockaddrIn {
		return netip.AddrPort{}, linux.EINVAL
	}
	if fam != unix.AF_INET && !(allowUnspec && fam == unix.AF_UNSPEC) {
		return netip.AddrPort{}, linux.EAFNOSUPPORT
	}
	c := append([]byte(nil), b[:sizeofSockaddrIn]...)
	binary.LittleEndian.PutUint16(c, unix.AF_INET)
	a, _ := decodeAddr(c)
	return a, 0
}

// isMapped reports whether the sockaddr_in6 in b holds an IPv4-mapped
// (or IPv4-compatible unspecified) address, as opposed to a native IPv6
// one.
func isMapped(family int32, b []byte) bool {
	return family == unix.AF_INET6 && len(b) >= 24 && binary.LittleEndian.Uint16(b) == unix.AF_INET6 &&
		netip.AddrFrom16([16]byte(b[8:24])).Is4In6()
}

// capNetBindService is CAP_NET_BIND_SERVICE.
const capNetBindService = 10

// Bind implements bind(2): the address must be one of lo's (or the
// wildcard, a multicast or broadcast address): EADDRNOTAVAIL otherwise;
// EACCES for a port below ip_unprivileged_port_start without
// CAP_NET_BIND_SERVICE; EADDRINUSE when the port is taken; EINVAL when
// already bound, or for an IPv4-mapped address on an IPV6_V6ONLY
// socket.
func (s *Socket) Bind(ctx vfs.Context, b []byte) linux.Errno {
	a, err := s.parse(b, s.family == unix.AF_INET, false)
	if err != 0 {
		return err
	}
	if s.family == unix.AF_INET && binary.LittleEndian.Uint16(b) == unix.AF_UNSPEC && !a.Addr().IsUnspecified() {
		return linux.EAFNOSUPPORT
	}
	mapped := isMapped(s.family, b)
	s.mu.Lock()
	defer s.mu.Unlock()
	if mapped && s.opts.v6only {
		return linux.EINVAL
	}
	if !isLocal(a.Addr()) {
		return linux.EADDRNOTAVAIL
	}
	if p := a.Port(); p != 0 && p < s.stack.Sysctls().UnprivilegedPortStart && !net.HasCap(ctx, capNetBindService) {
		return linux.EACCES
	}
	if s.bound != nil {
		return linux.EINVAL
	}
	if err := s.bindLocked(ctx, a); err != 0 {
		return err
	}
	s.addrLocked, s.portLocked = !a.Addr().IsUnspecified(), a.Port() != 0
	return 0
}

// bindLocked claims a (port 0: an ephemeral port) and names s with it.
//
// Preconditions:
// - s.mu is held; s is not bound.
func (s *Socket) bindLocked(ctx vfs.Context, a netip.AddrPort) linux.Errno {
	bd := &binding{
		sock: s, addr: a.Addr(), port: a.Port(),
		v6: s.family == unix.AF_INET6, v6only: s.opts.v6only,
		reuseaddr: s.opts.ReuseAddr, reuseport: s.opts.reuseport,
		uid: uint32(ctx.Credentials().EffectiveKUID),
	}
	if err := s.stack.bind(s.typ, bd); err != 0 {
		return err
	}
	s.bound = bd
	s.local = netip.AddrPortFrom(a.Addr(), bd.port)
	return 0
}

// autobindLocked binds an unbound socket to the wildcard address and
// an ephemeral port, as connect, listen and a first send do.
//
// Preconditions:
// - s.mu is held.
func (s *Socket) autobindLocked(ctx vfs.Context) linux.Errno {
	if s.bound != nil {
		return 0
	}
	return s.bindLocked(ctx, netip.AddrPortFrom(anyAddr(s.family), 0))
}

// sourceLocked returns the local address a packet to dst leaves from:
// the bound address, or the route's source for a wildcard.
//
// Preconditions:
// - s.mu is held; s is bound.
func (s *Socket) sourceLocked(src netip.Addr) netip.AddrPort {
	a := s.local.Addr()
	if a.IsUnspecified() || a.IsMulticast() || (a.Is4() && a.As4() == [4]byte{255, 255, 255, 255}) {
		a = src
	}
	return netip.AddrPortFrom(a, s.local.Port())
}

// destination checks a connect or sendto address for s (s.mu held): ENETUNREACH off
// the loopback network (and for IPv4 on an IPV6_V6ONLY socket); EINVAL
// for port 0 where a port is needed. It returns the destination and the
// source address the route gives.
func (s *Socket) destination(a netip.AddrPort, v6only bool) (dst netip.AddrPort, src netip.Addr, err linux.Errno) {
	if v6only && a.Addr().Is4() {
		return netip.AddrPort{}, netip.Addr{}, linux.ENETUNREACH
	}
	to, src, err := route(a.Addr())
	if l := s.local.Addr(); err == 0 && l.IsValid() && !l.IsUnspecified() && l.Is4() != to.Is4() {
		// A socket bound to an address of one version cannot reach the
		// other.
		err = linux.ENETUNREACH
	}
	if err != 0 {
		return netip.AddrPort{}, netip.Addr{}, err
	}
	return netip.AddrPortFrom(to, a.Port()), src, 0
}

// LocalAddress returns the encoded name getsockname reports.
func (s *Socket) LocalAddress() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return encodeAddr(s.family, s.local)
}

// PeerAddress returns the encoded name getpeername reports: ENOTCONN
// without a peer, or once a TCP connection is closed.
func (s *Socket) PeerAddress() ([]byte, linux.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.remote.IsValid() || (s.typ == unix.SOCK_STREAM && (s.state == stateClosed || s.state == stateListen)) {
		return nil, linux.ENOTCONN
	}
	return encodeAddr(s.family, s.remote), 0
}
