package inet

import (
	"math/rand/v2"
	"net/netip"
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// Ephemeral ports: /proc/sys/net/ipv4/ip_local_port_range's default
// (Sysctls).
const (
	ephemeralLow  = 32768
	ephemeralHigh = 60999
)

// Stack is one network namespace: its loopback interface and the ports
// its TCP and UDP sockets hold.
type Stack struct {
	// mu guards the port tables and every binding in them.
	mu  sync.Mutex
	tcp ports
	udp ports
	// seq orders bindings: among equal UDP receivers the newest wins.
	seq uint64
	// netlinkPorts are the port IDs netlink sockets hold.
	netlinkPorts map[uint32]bool
	// nextNetlinkPort counts down from -4096 for autobind, as Linux's
	// rover does when a process's own ID is taken.
	nextNetlinkPort int32
	sysctls         Sysctls
	// lo counts the traffic of the loopback interface.
	lo counters
}

// NewStack returns a network namespace with only the loopback interface.
func NewStack() *Stack {
	return &Stack{tcp: ports{}, udp: ports{}, netlinkPorts: map[uint32]bool{}, nextNetlinkPort: -4096,
		sysctls: DefaultSysctls()}
}

// ports maps a port to the sockets bound to it.
type ports map[uint16][]*binding

// binding is a socket's claim on a local address and port: what bind
// conflicts and lookups look at. The stack's mu guards it.
type binding struct {
	sock *Socket
	addr netip.Addr // unmapped; the wildcard of the socket's family
	port uint16
	// v6 is set for AF_INET6 sockets; v6only is IPV6_V6ONLY.
	v6, v6only           bool
	reuseaddr, reuseport bool
	uid                  uint32
	listening            bool
	// peer is a connected UDP socket's peer (invalid otherwise): it
	// hears only that one.
	peer netip.AddrPort
	seq  uint64
}

// covers reports whether b, bound to a wildcard address, takes in a.
func (b *binding) covers(a netip.Addr) bool {
	if !b.addr.IsUnspecified() {
		return false
	}
	if b.addr.Is4() {
		return a.Is4()
	}
	return a.Is6() || !b.v6only
}

// overlaps reports whether b and o claim a common address.
func (b *binding) overlaps(o *binding) bool {
	return b.addr == o.addr || b.covers(o.addr) || o.covers(b.addr)
}

// conflicts reports whether b may not share its port with o, by
// Linux's rules: TCP sockets share when both set SO_REUSEADDR and o is
// not listening; UDP sockets when both set SO_REUSEADDR; either when
// both set SO_REUSEPORT with the same owner.
func (b *binding) conflicts(o *binding, tcp bool) bool {
	if b.sock == o.sock || !b.overlaps(o) {
		return false
	}
	if b.reuseaddr && o.reuseaddr && (!tcp || !o.listening) {
		return false
	}
	return !(b.reuseport && o.reuseport && b.uid == o.uid)
}

func (st *Stack) table(typ int32) ports {
	if typ == unix.SOCK_STREAM {
		return st.tcp
	}
	return st.udp
}

// bind claims b's address and port, choosing a free ephemeral port when
// b.port is 0: EADDRINUSE on a conflict, EADDRNOTAVAIL when no port is
// free.
func (st *Stack) bind(typ int32, b *binding) linux.Errno {
	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.table(typ)
	if b.port == 0 {
		low := uint32(st.sysctls.PortLow)
		n := uint32(st.sysctls.PortHigh) - low + 1
		start := rand.N(n)
		for i := uint32(0); i < n; i++ {
			p := uint16(low + (start+i)%n)
			if len(t[p]) == 0 {
				b.port = p
				break
			}
		}
		if b.port == 0 {
			return linux.EADDRNOTAVAIL
		}
	} else if st.conflictLocked(t, b, typ == unix.SOCK_STREAM) {
		return linux.EADDRINUSE
	}
	st.seq++
	b.seq = st.seq
	t[b.port] = append(t[b.port], b)
	return 0
}

func (st *Stack) conflictLocked(t ports, b *binding, tcp bool) bool {
	for _, o := range t[b.port] {
		if b.conflicts(o, tcp) {
			return true
		}
	}
	return false
}

// hold adds the binding of an accepted connection, which shares its
// listener's port without a check.
func (st *Stack) hold(b *binding) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.seq++
	b.seq = st.seq
	st.tcp[b.port] = append(st.tcp[b.port], b)
}

// listen marks b listening: EADDRINUSE if another socket sharing its
// port (through SO_REUSEADDR) listens already.
func (st *Stack) listen(b *binding) linux.Errno {
	st.mu.Lock()
	defer st.mu.Unlock()
	b.listening = true
	if st.conflictLocked(st.tcp, b, true) {
		b.listening = false
		return linux.EADDRINUSE
	}
	return 0
}

// setListening changes b's listening mark without checks.
func (st *Stack) setListening(b *binding, on bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	b.listening = on
}

// rebind changes the address b claims (a UDP socket's wildcard becomes
// its source address on connect, and back on disconnect).
func (st *Stack) rebind(b *binding, a netip.Addr) {
	st.mu.Lock()
	defer st.mu.Unlock()
	b.addr = a
}

// setReuse updates b's SO_REUSEADDR and SO_REUSEPORT marks.
func (st *Stack) setReuse(b *binding, addr, port bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	b.reuseaddr, b.reuseport = addr, port
}

// setPeer records a UDP socket's peer (invalid: none).
func (st *Stack) setPeer(b *binding, peer netip.AddrPort) {
	st.mu.Lock()
	defer st.mu.Unlock()
	b.peer = peer
}

// unbind gives b's port back.
func (st *Stack) unbind(typ int32, b *binding) {
	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.table(typ)
	list := t[b.port]
	for i, o := range list {
		if o == b {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(t, b.port)
	} else {
		t[b.port] = list
	}
}

// accepts scores how well b takes a packet for dst from src: 0 not at
// all; an exact address beats a wildcard, a connected UDP socket beats
// an unconnected one, and an IPv4 socket beats an IPv6 one for IPv4.
func (b *binding) accepts(dst, src netip.AddrPort) int {
	score := 1
	switch {
	case b.addr == dst.Addr():
		score += 4
	case !b.covers(dst.Addr()):
		return 0
	}
	if b.peer.IsValid() {
		if b.peer != src {
			return 0
		}
		score += 8
	}
	if !b.v6 {
		score += 2
	}
	return score
}

// lookup returns the socket that takes a packet (a connection request
// when listening) for dst from src, or nil. Among equals, SO_REUSEPORT
// sockets share by the source's port; otherwise the newest binding wins.
func (st *Stack) lookup(typ int32, dst, src netip.AddrPort) *Socket {
	st.mu.Lock()
	defer st.mu.Unlock()
	var best []*binding
	bestScore := 0
	for _, b := range st.table(typ)[dst.Port()] {
		if typ == unix.SOCK_STREAM && !b.listening {
			continue
		}
		s := b.accepts(dst, src)
		switch {
		case s > bestScore:
			best, bestScore = []*binding{b}, s
		case s == bestScore && s > 0:
			best = append(best, b)
		}
	}
	if len(best) == 0 {
		return nil
	}
	pick := best[0]
	for _, b := range best {
		if b.seq > pick.seq {
			pick = b
		}
	}
	if pick.reuseport {
		var group []*binding
		for _, b := range best {
			if b.reuseport {
				group = append(group, b)
			}
		}
		pick = group[int(src.Port())%len(group)]
	}
	return pick.sock
}

// ClaimNetlinkPort takes port ID want for a netlink socket; with auto,
// when want is taken, a free negative ID instead. It reports whether it
// got one (EADDRINUSE otherwise).
func (st *Stack) ClaimNetlinkPort(want uint32, auto bool) (uint32, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.netlinkPorts[want] && want != 0 {
		st.netlinkPorts[want] = true
		return want, true
	}
	if !auto {
		return 0, false
	}
	for st.netlinkPorts[uint32(st.nextNetlinkPort)] {
		st.nextNetlinkPort--
	}
	p := uint32(st.nextNetlinkPort)
	st.nextNetlinkPort--
	st.netlinkPorts[p] = true
	return p, true
}

// ReleaseNetlinkPort gives a netlink port ID back.
func (st *Stack) ReleaseNetlinkPort(p uint32) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.netlinkPorts, p)
}
