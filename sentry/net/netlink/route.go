package netlink

import (
	"bytes"
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net/inet"
)

// Fixed headers of the route messages.
const (
	sizeofIfinfomsg = 16
	sizeofIfaddrmsg = 8
	// rtScopeHost is RT_SCOPE_HOST, the scope of lo's addresses.
	rtScopeHost = 254
	// ifOperUnknown is IF_OPER_UNKNOWN: lo has no carrier to report.
	ifOperUnknown = 0
	// forever is an address lifetime that never ends.
	forever = 0xffffffff
)

// route answers one NETLINK_ROUTE request into w: nonzero errno for an
// error message.
func route(st *inet.Stack, w *writer, h header, payload []byte, admin bool) linux.Errno {
	switch h.Type {
	case unix.RTM_GETLINK:
		return getLink(st, w, h, payload)
	case unix.RTM_GETADDR:
		if h.Flags&flagDump != flagDump {
			return linux.EOPNOTSUPP
		}
		family := uint8(unix.AF_UNSPEC)
		if len(payload) > 0 {
			family = payload[0]
		}
		for _, f := range st.Interfaces() {
			for _, a := range f.Addrs {
				v4 := a.Addr().Is4()
				if family == unix.AF_UNSPEC || (family == unix.AF_INET && v4) || (family == unix.AF_INET6 && !v4) {
					putAddr(w, h, f, v4, a.Addr().AsSlice(), uint8(a.Bits()))
				}
			}
		}
		putDone(w, h)
		return 0
	case unix.RTM_GETROUTE:
		if h.Flags&flagDump != flagDump {
			return getRoute(st, w, h, payload)
		}
		family := byte(unix.AF_UNSPEC)
		if len(payload) > 0 {
			family = payload[0]
		}
		dumpRoutes(st, w, h, family)
		return 0
	case unix.RTM_NEWLINK, unix.RTM_DELLINK, unix.RTM_SETLINK, unix.RTM_NEWADDR, unix.RTM_DELADDR,
		unix.RTM_NEWROUTE, unix.RTM_DELROUTE, unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH, unix.RTM_NEWRULE, unix.RTM_DELRULE:
		if !admin {
			return linux.EPERM
		}
	}
	return linux.EOPNOTSUPP
}

// getLink answers RTM_GETLINK: every interface for a dump, else the one
// the request names by index or IFLA_IFNAME (ENODEV if none).
func getLink(st *inet.Stack, w *writer, h header, payload []byte) linux.Errno {
	if h.Flags&flagDump == flagDump {
		for _, f := range st.Interfaces() {
			putLink(w, h, f)
		}
		putDone(w, h)
		return 0
	}
	if len(payload) < sizeofIfinfomsg {
		return linux.EINVAL
	}
	index := int32(binary.LittleEndian.Uint32(payload[4:]))
	var f inet.Interface
	var ok bool
	if index > 0 {
		f, ok = st.InterfaceByIndex(index)
	} else if name, has := attrs(payload[sizeofIfinfomsg:])[unix.IFLA_IFNAME]; has {
		n, _, _ := bytes.Cut(name, []byte{0})
		f, ok = st.InterfaceByName(string(n))
	} else {
		return linux.EINVAL
	}
	if !ok {
		return linux.ENODEV
	}
	putLink(w, h, f)
	return 0
}

// putLink adds RTM_NEWLINK for f, with the attributes ip link shows.
func putLink(w *writer, req header, f inet.Interface) {
	var m [sizeofIfinfomsg]byte
	le := binary.LittleEndian
	le.PutUint16(m[2:], f.Type)
	le.PutUint32(m[4:], uint32(f.Index))
	le.PutUint32(m[8:], f.Flags)
	w.begin(reply(req, unix.RTM_NEWLINK), m[:])
	w.attrString(unix.IFLA_IFNAME, f.Name)
	w.attrU32(unix.IFLA_TXQLEN, f.TxQueueLen)
	w.attr(unix.IFLA_OPERSTATE, []byte{ifOperUnknown})
	w.attr(unix.IFLA_LINKMODE, []byte{0})
	w.attrU32(unix.IFLA_MTU, f.MTU)
	w.attrU32(unix.IFLA_GROUP, 0)
	w.attrU32(unix.IFLA_PROMISCUITY, 0)
	w.attrU32(unix.IFLA_NUM_TX_QUEUES, 1)
	w.attrU32(unix.IFLA_NUM_RX_QUEUES, 1)
	w.attr(unix.IFLA_CARRIER, []byte{1})
	w.attrString(unix.IFLA_QDISC, "noqueue")
	w.attr(unix.IFLA_ADDRESS, make([]byte, 6))
	w.attr(unix.IFLA_BROADCAST, make([]byte, 6))
	w.end()
}

// putAddr adds RTM_NEWADDR for an address of f, with the attributes in
// Linux's order (Go's parser takes the first address attribute it
// meets after IFA_LOCAL's rule).
func putAddr(w *writer, req header, f inet.Interface, v4 bool, addr []byte, bits uint8) {
	m := [sizeofIfaddrmsg]byte{unix.AF_INET6, bits, unix.IFA_F_PERMANENT, rtScopeHost}
	if v4 {
		m[0] = unix.AF_INET
	}
	binary.LittleEndian.PutUint32(m[4:], uint32(f.Index))
	w.begin(reply(req, unix.RTM_NEWADDR), m[:])
	w.attr(unix.IFA_ADDRESS, addr)
	if v4 {
		w.attr(unix.IFA_LOCAL, addr)
		w.attrString(unix.IFA_LABEL, f.Name)
	}
	w.attrU32(unix.IFA_FLAGS, unix.IFA_F_PERMANENT)
	var ci [16]byte
	binary.LittleEndian.PutUint32(ci[0:], forever)
	binary.LittleEndian.PutUint32(ci[4:], forever)
	w.attr(unix.IFA_CACHEINFO, ci[:])
	w.end()
}

// reply is the header of a dump's part answering req.
func reply(req header, typ uint16) header {
	h := header{Type: typ, Seq: req.Seq, PID: req.PID}
	if req.Flags&flagDump == flagDump {
		h.Flags = flagMulti
	}
	return h
}

// putDone ends a dump.
func putDone(w *writer, req header) {
	w.begin(header{Type: nlmsgDone, Flags: flagMulti, Seq: req.Seq, PID: req.PID}, []byte{0, 0, 0, 0})
	w.end()
}

// putError adds NLMSG_ERROR for req with errno err (0: an
// acknowledgement). An error carries the request's payload unless
// capped (NETLINK_CAP_ACK); an acknowledgement never does.
func putError(w *writer, req header, raw []byte, err linux.Errno, capAck bool) {
	h := header{Type: nlmsgError, Seq: req.Seq, PID: req.PID}
	body := raw[:sizeofNlmsghdr]
	if err == 0 || capAck {
		h.Flags = flagCapped
	} else {
		body = raw
	}
	var e [4]byte
	binary.LittleEndian.PutUint32(e[:], uint32(-int32(err)))
	w.begin(h, e[:])
	w.put(body)
	w.end()
}
