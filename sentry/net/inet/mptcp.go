package inet

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// Multipath TCP: a socket made with IPPROTO_MPTCP is a TCP socket of
// this loopback network that says so (SO_PROTOCOL). A connection whose
// two ends both asked for MPTCP is one MPTCP connection of a single
// subflow, which is all Linux makes on lo without path manager
// endpoints; otherwise it has fallen back to TCP, and MPTCP_INFO fails
// as Linux's does then.

// SOL_MPTCP and MPTCP_INFO (linux/mptcp.h).
const (
	solMPTCP  = 284
	mptcpInfo = 1
	// sizeofMPTCPInfo is struct mptcp_info up to mptcpi_bytes_acked.
	sizeofMPTCPInfo = 72
	// mptcpSubflowsMax is net.mptcp's default limit of extra subflows
	// (ip mptcp limits).
	mptcpSubflowsMax = 2
)

// getMPTCPLocked implements getsockopt at SOL_MPTCP: MPTCP_INFO of an
// MPTCP connection (no extra subflows, no addresses announced; the byte
// counters are not kept and read zero). Without MPTCP in use it is
// EOPNOTSUPP for IPv4 and ENOPROTOOPT for IPv6 sockets, as on Linux.
//
// Preconditions:
// - s.mu is held.
func (s *Socket) getMPTCPLocked(name int32) ([]byte, linux.Errno) {
	if !s.multipath || s.state == stateClosed {
		if s.family == unix.AF_INET {
			return nil, linux.EOPNOTSUPP
		}
		return nil, linux.ENOPROTOOPT
	}
	if name != mptcpInfo {
		return nil, linux.EOPNOTSUPP
	}
	b := make([]byte, sizeofMPTCPInfo)
	b[3] = mptcpSubflowsMax
	return b, 0
}
