package inet

import "encoding/binary"

// Linux's TCP state numbers, as TCP_INFO and /proc/net/tcp show them.
const (
	tcpEstablished = 1
	tcpSynSent     = 2
	tcpClose       = 7
	tcpCloseWait   = 8
	tcpListen      = 10
)

// sizeofTCPInfo is the size of struct tcp_info up to tcpi_total_retrans,
// the part every C library knows.
const sizeofTCPInfo = 104

// linuxStateLocked returns s's state as Linux numbers it.
//
// Preconditions:
// - s.mu is held.
func (s *Socket) linuxStateLocked() uint8 {
	switch s.state {
	case stateListen:
		return tcpListen
	case stateEstablished:
		return tcpEstablished
	case stateCloseWait:
		return tcpCloseWait
	case stateSynSent:
		return tcpSynSent
	}
	return tcpClose
}

// tcpInfoLocked returns TCP_INFO: the state and segment sizes; for a
// listener, the accept queue's length (tcpi_unacked) and limit
// (tcpi_sacked), as Linux reports them. Timing and congestion fields
// are zero: no packets exist to measure.
//
// Preconditions:
// - s.mu is held.
func (s *Socket) tcpInfoLocked() []byte {
	b := make([]byte, sizeofTCPInfo)
	le := binary.LittleEndian
	b[0] = s.linuxStateLocked()
	mss := uint32(defaultMSS)
	if s.state == stateEstablished || s.state == stateCloseWait {
		mss = loopbackMSS
	}
	le.PutUint32(b[16:], mss)
	le.PutUint32(b[20:], mss)
	if s.state == stateListen {
		le.PutUint32(b[24:], uint32(len(s.acceptq)))
		le.PutUint32(b[28:], uint32(s.backlog))
	}
	le.PutUint32(b[60:], loMTU)
	return b
}
