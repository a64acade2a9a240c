package devpts

import (
	"golang.org/x/sys/unix"
)

// Packet mode (TIOCPKT on the master): each master read returns either
// one status byte (an OR of TIOCPKT_* events that happened on the
// replica) or TIOCPKT_DATA (0) followed by output. The status is kept in
// the line discipline, where the events happen.

// setStopped stops or restarts replica output, telling a packet-mode
// master (TIOCPKT_STOP, TIOCPKT_START).
func (l *ldisc) setStopped(stop bool) {
	if l.stopped == stop {
		return
	}
	l.stopped = stop
	if !l.packet {
		return
	}
	if stop {
		l.pktStatus = l.pktStatus&^unix.TIOCPKT_START | unix.TIOCPKT_STOP
	} else {
		l.pktStatus = l.pktStatus&^unix.TIOCPKT_STOP | unix.TIOCPKT_START
	}
}

// noteFlush tells a packet-mode master that the replica's input
// (TIOCPKT_FLUSHREAD) or output (TIOCPKT_FLUSHWRITE) was discarded.
func (l *ldisc) noteFlush(input, output bool) {
	if !l.packet {
		return
	}
	if input {
		l.pktStatus |= unix.TIOCPKT_FLUSHREAD
	}
	if output {
		l.pktStatus |= unix.TIOCPKT_FLUSHWRITE
	}
}

// xonXoff reports whether the settings give the usual ^S/^Q flow control,
// which a packet-mode master's user may then do locally.
func xonXoff(iflag uint32, cc *[19]uint8) bool {
	return iflag&unix.IXON != 0 && cc[unix.VSTOP] == 0x13 && cc[unix.VSTART] == 0x11
}

// noteFlowControl tells a packet-mode master whether ^S/^Q flow control
// is on (TIOCPKT_DOSTOP) or off (TIOCPKT_NOSTOP) after a settings change.
func (l *ldisc) noteFlowControl(oldIflag uint32, oldCC *[19]uint8) {
	was, now := xonXoff(oldIflag, oldCC), xonXoff(l.termios.Iflag, &l.termios.CC)
	if !l.packet || was == now {
		return
	}
	l.pktStatus &^= unix.TIOCPKT_DOSTOP | unix.TIOCPKT_NOSTOP
	if now {
		l.pktStatus |= unix.TIOCPKT_DOSTOP
	} else {
		l.pktStatus |= unix.TIOCPKT_NOSTOP
	}
}

// setPacket turns packet mode on (with a clean status) or off.
func (l *ldisc) setPacket(on bool) {
	if on && !l.packet {
		l.pktStatus = 0
	}
	l.packet = on
}

// readMaster takes what a master read returns: in packet mode, a status
// byte, or TIOCPKT_DATA and output. ok is false when nothing is there.
func (l *ldisc) readMaster(dst []byte) (n int, ok bool) {
	if l.packet && l.pktStatus != 0 {
		dst[0] = l.pktStatus
		l.pktStatus = 0
		return 1, true
	}
	if len(l.out) == 0 {
		return 0, false
	}
	if l.packet {
		dst[0] = unix.TIOCPKT_DATA
		n = 1
	}
	m := copy(dst[n:], l.out)
	l.out = l.out[m:]
	if len(l.out) == 0 {
		l.out = nil
	}
	return n + m, true
}

// masterReadable reports whether a master read would return data.
func (l *ldisc) masterReadable() bool {
	return len(l.out) > 0 || (l.packet && l.pktStatus != 0)
}
