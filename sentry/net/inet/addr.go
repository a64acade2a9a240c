package inet

import (
	"encoding/binary"
	"net/netip"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// Sizes of the socket addresses.
const (
	sizeofSockaddrIn  = 16
	sizeofSockaddrIn6 = 28
	// sin6LenRFC2133 is SIN6_LEN_RFC2133: the shortest sockaddr_in6
	// Linux accepts (without sin6_scope_id).
	sin6LenRFC2133 = 24
)

// decodeAddr reads a sockaddr_in or sockaddr_in6 (by its family field).
// The address comes back unmapped: an IPv4-mapped IPv6 address is an
// IPv4 address. The caller has checked the length for its family.
func decodeAddr(b []byte) (netip.AddrPort, uint16) {
	fam := binary.LittleEndian.Uint16(b)
	port := binary.BigEndian.Uint16(b[2:])
	if fam == unix.AF_INET6 {
		a := netip.AddrFrom16([16]byte(b[8:24])).Unmap()
		return netip.AddrPortFrom(a, port), fam
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port), fam
}

// encodeAddr returns a as a socket of family reports it: sockaddr_in,
// or sockaddr_in6 with IPv4 addresses mapped.
func encodeAddr(family int32, a netip.AddrPort) []byte {
	ip := a.Addr()
	if family == unix.AF_INET {
		b := make([]byte, sizeofSockaddrIn)
		binary.LittleEndian.PutUint16(b, unix.AF_INET)
		binary.BigEndian.PutUint16(b[2:], a.Port())
		if ip.Is4() {
			a4 := ip.As4()
			copy(b[4:], a4[:])
		}
		return b
	}
	b := make([]byte, sizeofSockaddrIn6)
	binary.LittleEndian.PutUint16(b, unix.AF_INET6)
	binary.BigEndian.PutUint16(b[2:], a.Port())
	if ip.IsValid() {
		a16 := ip.As16()
		copy(b[8:], a16[:])
	}
	return b
}

// anyAddr is the wildcard address of family.
func anyAddr(family int32) netip.Addr {
	if family == unix.AF_INET {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// isLocal reports whether a (unmapped) is an address of the loopback
// interface or one a socket may bind without owning it (the wildcard,
// multicast and IPv4 broadcast), as Linux's inet_bind and inet6_bind
// accept them.
func isLocal(a netip.Addr) bool {
	switch {
	case a.IsUnspecified(), a.IsMulticast():
		return true
	case a.Is4():
		return a.IsLoopback() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255})
	}
	return a == netip.IPv6Loopback()
}

// route returns where a packet for dst goes on the loopback network: the
// destination itself (the wildcard meaning the loopback address, as
// Linux's routing treats it) and the source address a socket without
// one uses. Anything else is ENETUNREACH.
func route(dst netip.Addr) (to, src netip.Addr, err linux.Errno) {
	switch {
	case dst == netip.IPv4Unspecified():
		dst = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	case dst == netip.IPv6Unspecified():
		dst = netip.IPv6Loopback()
	}
	switch {
	case dst.Is4() && dst.IsLoopback():
		return dst, netip.AddrFrom4([4]byte{127, 0, 0, 1}), 0
	case dst == netip.IPv6Loopback():
		return dst, dst, 0
	}
	return netip.Addr{}, netip.Addr{}, linux.ENETUNREACH
}
