package inet

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// Interface describes a network interface of the stack.
type Interface struct {
	Index int32
	Name  string
	// Flags are the IFF_* flags; Type the ARPHRD_* hardware type.
	Flags uint32
	Type  uint16
	MTU   uint32
	// TxQueueLen is the transmit queue length (ip link's qlen).
	TxQueueLen uint32
	// Addrs are the interface's addresses with their prefixes.
	Addrs []netip.Prefix
}

// loMTU is lo's MTU on Linux.
const loMTU = 65536

// Interfaces returns the stack's interfaces: lo, up, with 127.0.0.1/8
// and ::1/128.
func (st *Stack) Interfaces() []Interface {
	return []Interface{{
		Index:      1,
		Name:       "lo",
		Flags:      unix.IFF_UP | unix.IFF_LOOPBACK | unix.IFF_RUNNING | unix.IFF_LOWER_UP,
		Type:       unix.ARPHRD_LOOPBACK,
		MTU:        loMTU,
		TxQueueLen: 1000,
		Addrs: []netip.Prefix{
			netip.PrefixFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 8),
			netip.PrefixFrom(netip.IPv6Loopback(), 128),
		},
	}}
}

// InterfaceByIndex returns the interface with index i.
func (st *Stack) InterfaceByIndex(i int32) (Interface, bool) {
	for _, f := range st.Interfaces() {
		if f.Index == i {
			return f, true
		}
	}
	return Interface{}, false
}

// InterfaceByName returns the interface called name.
func (st *Stack) InterfaceByName(name string) (Interface, bool) {
	for _, f := range st.Interfaces() {
		if f.Name == name {
			return f, true
		}
	}
	return Interface{}, false
}
