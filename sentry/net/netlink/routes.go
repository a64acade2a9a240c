package netlink

import (
	"encoding/binary"
	"net/netip"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net/inet"
)

// routeEntry is a route of the loopback network, as Linux installs them
// for lo's addresses in a network namespace of its own.
type routeEntry struct {
	dst      netip.Prefix
	table    uint8
	typ      uint8
	scope    uint8
	src      netip.Addr // preferred source (IPv4), or invalid
	priority uint32     // IPv6 metric
}

// sizeofRtmsg is sizeof(struct rtmsg).
const sizeofRtmsg = 12

// routes returns the routes of the stack's interface addresses, as a
// new namespace's lo has them: for 127.0.0.1/8 the local table's local
// and broadcast routes, for ::1 a local route; the main table is empty.
func routes(f inet.Interface) []routeEntry {
	var out []routeEntry
	for _, p := range f.Addrs {
		a := p.Addr()
		if a.Is4() {
			bcast := p.Masked().Addr().As4()
			binary.BigEndian.PutUint32(bcast[:], binary.BigEndian.Uint32(bcast[:])|^uint32(0)>>p.Bits())
			out = append(out,
				routeEntry{dst: p.Masked(), table: unix.RT_TABLE_LOCAL, typ: unix.RTN_LOCAL, scope: unix.RT_SCOPE_HOST, src: a},
				routeEntry{dst: netip.PrefixFrom(a, 32), table: unix.RT_TABLE_LOCAL, typ: unix.RTN_LOCAL, scope: unix.RT_SCOPE_HOST, src: a},
				routeEntry{dst: netip.PrefixFrom(netip.AddrFrom4(bcast), 32), table: unix.RT_TABLE_LOCAL, typ: unix.RTN_BROADCAST, scope: unix.RT_SCOPE_LINK, src: a})
			continue
		}
		out = append(out, routeEntry{dst: netip.PrefixFrom(a, 128), table: unix.RT_TABLE_LOCAL, typ: unix.RTN_LOCAL})
	}
	return out
}

// dumpRoutes answers an RTM_GETROUTE dump for family (AF_UNSPEC: both).
func dumpRoutes(st *inet.Stack, w *writer, h header, family byte) {
	for _, f := range st.Interfaces() {
		for _, r := range routes(f) {
			v4 := r.dst.Addr().Is4()
			if family == unix.AF_INET && !v4 || family == unix.AF_INET6 && v4 {
				continue
			}
			putRoute(w, h, f, r)
		}
	}
	putDone(w, h)
}

// getRoute answers RTM_GETROUTE for one destination (ip route get):
// the local route a loopback address takes; ENETUNREACH for others.
func getRoute(st *inet.Stack, w *writer, h header, payload []byte) linux.Errno {
	if len(payload) < sizeofRtmsg {
		return linux.EINVAL
	}
	dst, ok := netip.AddrFromSlice(attrs(payload[sizeofRtmsg:])[unix.RTA_DST])
	if !ok {
		return linux.EINVAL
	}
	for _, f := range st.Interfaces() {
		for _, p := range f.Addrs {
			if p.Contains(dst) {
				// Linux answers as its route cache does: IPv4 in the
				// main table, IPv6 in the local one.
				r := routeEntry{dst: netip.PrefixFrom(dst, dst.BitLen()), table: unix.RT_TABLE_LOCAL, typ: unix.RTN_LOCAL, src: p.Addr()}
				if dst.Is4() {
					r.table = unix.RT_TABLE_MAIN
				}
				putRoute(w, h, f, r)
				return 0
			}
		}
	}
	return linux.ENETUNREACH
}

// putRoute adds RTM_NEWROUTE for r through f.
func putRoute(w *writer, h header, f inet.Interface, r routeEntry) {
	v4 := r.dst.Addr().Is4()
	m := [sizeofRtmsg]byte{unix.AF_INET6, byte(r.dst.Bits()), 0, 0, r.table, unix.RTPROT_KERNEL, r.scope, r.typ}
	if v4 {
		m[0] = unix.AF_INET
	}
	w.begin(reply(h, unix.RTM_NEWROUTE), m[:])
	w.attrU32(unix.RTA_TABLE, uint32(r.table))
	w.attr(unix.RTA_DST, r.dst.Addr().AsSlice())
	if !v4 {
		w.attrU32(unix.RTA_PRIORITY, r.priority)
	}
	if r.src.IsValid() {
		w.attr(unix.RTA_PREFSRC, r.src.AsSlice())
	}
	w.attrU32(unix.RTA_OIF, uint32(f.Index))
	if !v4 {
		w.attr(unix.RTA_PREF, []byte{0})
	}
	w.end()
}
