package inet

import (
	"net/netip"
	"sort"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// SocketInfo describes a socket holding a port, for /proc/net/tcp and
// friends.
type SocketInfo struct {
	Family        int32
	Local, Remote netip.AddrPort
	// State is Linux's TCP state number (UDP: established when
	// connected, else closed).
	State            uint8
	TxQueue, RxQueue int
	UID              uint32
	Ino              uint64
}

// Sockets returns the sockets of type typ (SOCK_STREAM or SOCK_DGRAM)
// that hold a port, by port.
func (st *Stack) Sockets(typ int32) []SocketInfo {
	st.mu.Lock()
	var socks []*Socket
	for _, list := range st.table(typ) {
		for _, b := range list {
			socks = append(socks, b.sock)
		}
	}
	st.mu.Unlock()
	out := make([]SocketInfo, 0, len(socks))
	for _, s := range socks {
		s.mu.Lock()
		in := SocketInfo{Family: s.family, Local: s.local, Remote: s.remote, State: s.linuxStateLocked(),
			UID: s.inode.UID, Ino: s.inode.Ino}
		if s.typ == unix.SOCK_DGRAM && s.state != stateEstablished {
			in.State = tcpClose
		}
		if s.state == stateListen {
			in.RxQueue = len(s.acceptq)
		} else {
			in.RxQueue, _ = s.rcv.pending()
		}
		if !in.Remote.IsValid() {
			in.Remote = netip.AddrPortFrom(anyAddr(s.family), 0)
		}
		s.mu.Unlock()
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Local.Port() < out[j].Local.Port() })
	return out
}

// counters are what crossed lo: each TCP send that queued data and each
// UDP datagram delivered is one packet of its payload's size (no
// headers, acknowledgements or segmentation exist here).
type counters struct {
	bytes, packets atomic.Uint64
}

func (c *counters) count(n int) {
	c.packets.Add(1)
	c.bytes.Add(uint64(n))
}

// Counters returns the bytes and packets that crossed lo; what lo sends
// it receives, so they count both ways.
func (st *Stack) Counters() (bytes, packets uint64) {
	return st.lo.bytes.Load(), st.lo.packets.Load()
}
