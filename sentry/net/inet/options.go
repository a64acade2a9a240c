package inet

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// TCP's buffer defaults (/proc/sys/net/ipv4/tcp_wmem and tcp_rmem) and
// keepalive defaults (tcp_keepalive_time, _intvl, _probes).
const (
	tcpSndBuf    = 16384
	tcpRcvBuf    = 131072
	keepIdle     = 7200
	keepIntvl    = 75
	keepCnt      = 9
	maxKeepIdle  = 32767
	maxKeepCnt   = 127
	defaultTTL   = 64
	defaultMSS   = 536
	loopbackMSS  = loMTU - 40 - 12
	congestionCC = "cubic"
)

// options are the socket options an inet socket keeps. Those that shape
// packets (TOS, TTL, keepalive timing, Nagle) are stored and reported
// as set: no packets exist on this loopback network for them to act on.
type options struct {
	net.Options
	reuseport, broadcast bool
	oobinline            bool
	rcvlowat             int32
	// IP and IPv6.
	tos, ttl         int32
	v6only           bool
	tclass, hops     int32
	mcastTTL         int32
	mcastLoop        bool
	recvTOS, recvErr bool
	// TCP.
	nodelay, cork, quickack       bool
	keepidle, keepintvl, keepcnt  int32
	maxseg, userTimeout, deferAcc int32
}

func defaultOptions(typ int32) options {
	o := options{Options: net.DefaultOptions(net.DefaultBuf, net.DefaultBuf), rcvlowat: 1, ttl: -1, hops: -1,
		mcastTTL: 1, mcastLoop: true, keepidle: keepIdle, keepintvl: keepIntvl, keepcnt: keepCnt,
		quickack: true}
	if typ == unix.SOCK_STREAM {
		o.SndBuf, o.RcvBuf = tcpSndBuf, tcpRcvBuf
	}
	return o
}

// GetSockOpt implements getsockopt(2) at SOL_SOCKET, SOL_IP, SOL_IPV6
// (IPv6 sockets) and SOL_TCP (TCP sockets). It returns the whole value,
// which the caller truncates. Unknown options are ENOPROTOOPT.
func (s *Socket) GetSockOpt(level, name int32) ([]byte, linux.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &s.opts
	switch level {
	case unix.SOL_SOCKET:
		return s.getSocketLocked(name)
	case unix.SOL_IP:
		switch name {
		case unix.IP_TOS:
			return net.EncodeInt(o.tos), 0
		case unix.IP_TTL:
			return net.EncodeInt(orDefault(o.ttl, defaultTTL)), 0
		case unix.IP_MULTICAST_TTL:
			return net.EncodeInt(o.mcastTTL), 0
		case unix.IP_MULTICAST_LOOP:
			return net.EncodeBool(o.mcastLoop), 0
		case unix.IP_RECVTOS:
			return net.EncodeBool(o.recvTOS), 0
		case unix.IP_RECVERR:
			return net.EncodeBool(o.recvErr), 0
		}
	case unix.SOL_IPV6:
		if s.family != unix.AF_INET6 {
			break
		}
		switch name {
		case unix.IPV6_V6ONLY:
			return net.EncodeBool(o.v6only), 0
		case unix.IPV6_TCLASS:
			return net.EncodeInt(o.tclass), 0
		case unix.IPV6_UNICAST_HOPS:
			return net.EncodeInt(orDefault(o.hops, defaultTTL)), 0
		case unix.IPV6_MULTICAST_HOPS:
			return net.EncodeInt(o.mcastTTL), 0
		case unix.IPV6_MULTICAST_LOOP:
			return net.EncodeBool(o.mcastLoop), 0
		case unix.IPV6_RECVERR:
			return net.EncodeBool(o.recvErr), 0
		}
	case unix.SOL_TCP:
		if s.typ == unix.SOCK_STREAM {
			return s.getTCPLocked(name)
		}
	case solMPTCP:
		return s.getMPTCPLocked(name)
	}
	return nil, linux.ENOPROTOOPT
}

func orDefault(v, d int32) int32 {
	if v < 0 {
		return d
	}
	return v
}

func (s *Socket) getSocketLocked(name int32) ([]byte, linux.Errno) {
	o := &s.opts
	if v, ok := o.Get(name); ok {
		return v, 0
	}
	switch name {
	case unix.SO_TYPE:
		return net.EncodeInt(s.typ), 0
	case unix.SO_DOMAIN:
		return net.EncodeInt(s.family), 0
	case unix.SO_PROTOCOL:
		if s.mptcp {
			return net.EncodeInt(unix.IPPROTO_MPTCP), 0
		}
		if s.typ == unix.SOCK_STREAM {
			return net.EncodeInt(unix.IPPROTO_TCP), 0
		}
		return net.EncodeInt(unix.IPPROTO_UDP), 0
	case unix.SO_ACCEPTCONN:
		return net.EncodeBool(s.state == stateListen), 0
	case unix.SO_ERROR:
		err := s.err
		s.err = 0
		return net.EncodeInt(int32(err)), 0
	case unix.SO_REUSEPORT:
		return net.EncodeBool(o.reuseport), 0
	case unix.SO_BROADCAST:
		return net.EncodeBool(o.broadcast), 0
	case unix.SO_OOBINLINE:
		return net.EncodeBool(o.oobinline), 0
	case unix.SO_RCVLOWAT:
		return net.EncodeInt(o.rcvlowat), 0
	case unix.SO_SNDLOWAT:
		return net.EncodeInt(1), 0
	}
	return nil, linux.ENOPROTOOPT
}

func (s *Socket) getTCPLocked(name int32) ([]byte, linux.Errno) {
	o := &s.opts
	switch name {
	case unix.TCP_NODELAY:
		return net.EncodeBool(o.nodelay), 0
	case unix.TCP_CORK:
		return net.EncodeBool(o.cork), 0
	case unix.TCP_QUICKACK:
		return net.EncodeBool(o.quickack), 0
	case unix.TCP_KEEPIDLE:
		return net.EncodeInt(o.keepidle), 0
	case unix.TCP_KEEPINTVL:
		return net.EncodeInt(o.keepintvl), 0
	case unix.TCP_KEEPCNT:
		return net.EncodeInt(o.keepcnt), 0
	case unix.TCP_USER_TIMEOUT:
		return net.EncodeInt(o.userTimeout), 0
	case unix.TCP_DEFER_ACCEPT:
		return net.EncodeInt(o.deferAcc), 0
	case unix.TCP_MAXSEG:
		switch {
		case o.maxseg > 0:
			return net.EncodeInt(o.maxseg), 0
		case s.state == stateEstablished || s.state == stateCloseWait:
			return net.EncodeInt(loopbackMSS), 0
		}
		return net.EncodeInt(defaultMSS), 0
	case unix.TCP_CONGESTION:
		b := make([]byte, 16)
		copy(b, congestionCC)
		return b, 0
	case unix.TCP_INFO:
		return s.tcpInfoLocked(), 0
	}
	return nil, linux.ENOPROTOOPT
}

// SetSockOpt implements setsockopt(2) at the levels GetSockOpt reads.
func (s *Socket) SetSockOpt(ctx vfs.Context, level, name int32, val []byte) linux.Errno {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch level {
	case unix.SOL_SOCKET:
		return s.setSocketLocked(ctx, name, val)
	case unix.SOL_IP:
		return s.setIPLocked(name, val)
	case unix.SOL_IPV6:
		if s.family == unix.AF_INET6 {
			return s.setIPv6Locked(name, val)
		}
	case unix.SOL_TCP:
		if s.typ == unix.SOCK_STREAM {
			return s.setTCPLocked(name, val)
		}
	}
	return linux.ENOPROTOOPT
}

func (s *Socket) setSocketLocked(ctx vfs.Context, name int32, val []byte) linux.Errno {
	o := &s.opts
	if ok, err := o.Set(ctx, name, val); ok {
		if err == 0 {
			s.optionChangedLocked(name)
		}
		return err
	}
	v, err := net.DecodeInt(val)
	if err != 0 {
		return err
	}
	switch name {
	case unix.SO_REUSEPORT:
		o.reuseport = v != 0
	case unix.SO_BROADCAST:
		o.broadcast = v != 0
	case unix.SO_OOBINLINE:
		o.oobinline = v != 0
	case unix.SO_RCVLOWAT:
		o.rcvlowat = max(v, 1)
	default:
		return linux.ENOPROTOOPT
	}
	s.optionChangedLocked(name)
	return 0
}

// optionChangedLocked passes a changed option on to what depends on it:
// the receive buffer's limit, the port binding's sharing.
//
// Preconditions:
// - s.mu is held.
func (s *Socket) optionChangedLocked(name int32) {
	switch name {
	case unix.SO_RCVBUF, unix.SO_RCVBUFFORCE:
		s.rcv.mu.Lock()
		s.rcv.limit = s.opts.RcvBuf
		s.rcv.notifyLocked(0, vfs.EventWritable)
		s.rcv.mu.Unlock()
	case unix.SO_REUSEADDR, unix.SO_REUSEPORT:
		if s.bound != nil {
			s.stack.setReuse(s.bound, s.opts.ReuseAddr, s.opts.reuseport)
		}
	}
}

// setIPLocked sets a SOL_IP option. IP_TOS keeps the ECN bits of a TCP
// socket out of the application's hands, as Linux does.
func (s *Socket) setIPLocked(name int32, val []byte) linux.Errno {
	o := &s.opts
	v, err := decodeIntOrByte(val)
	if err != 0 {
		return err
	}
	switch name {
	case unix.IP_TOS:
		if s.typ == unix.SOCK_STREAM {
			v = v&^3 | o.tos&3
		}
		o.tos = v & 0xff
	case unix.IP_TTL:
		if v != -1 && (v < 1 || v > 255) {
			return linux.EINVAL
		}
		o.ttl = v
	case unix.IP_MULTICAST_TTL:
		if s.typ == unix.SOCK_STREAM {
			return linux.ENOPROTOOPT
		}
		if v == -1 {
			v = 1
		}
		if v < 0 || v > 255 {
			return linux.EINVAL
		}
		o.mcastTTL = v
	case unix.IP_MULTICAST_LOOP:
		o.mcastLoop = v != 0
	case unix.IP_RECVTOS:
		o.recvTOS = v != 0
	case unix.IP_RECVERR:
		o.recvErr = v != 0
	default:
		return linux.ENOPROTOOPT
	}
	return 0
}

// decodeIntOrByte reads an int option value, or a single byte, which
// Linux's ip_setsockopt also takes.
func decodeIntOrByte(val []byte) (int32, linux.Errno) {
	if len(val) >= 1 && len(val) < 4 {
		return int32(val[0]), 0
	}
	return net.DecodeInt(val)
}

// setIPv6Locked sets a SOL_IPV6 option. IPV6_V6ONLY is EINVAL once the
// socket is bound.
func (s *Socket) setIPv6Locked(name int32, val []byte) linux.Errno {
	o := &s.opts
	v, err := net.DecodeInt(val)
	if err != 0 {
		return err
	}
	switch name {
	case unix.IPV6_V6ONLY:
		if s.bound != nil {
			return linux.EINVAL
		}
		o.v6only = v != 0
	case unix.IPV6_TCLASS:
		if v < -1 || v > 0xff {
			return linux.EINVAL
		}
		o.tclass = max(v, 0)
	case unix.IPV6_UNICAST_HOPS:
		if v < -1 || v > 255 {
			return linux.EINVAL
		}
		o.hops = v
	case unix.IPV6_MULTICAST_HOPS:
		if s.typ == unix.SOCK_STREAM {
			return linux.ENOPROTOOPT
		}
		if v < -1 || v > 255 {
			return linux.EINVAL
		}
		if v == -1 {
			v = 1
		}
		o.mcastTTL = v
	case unix.IPV6_MULTICAST_LOOP:
		if v != 0 && v != 1 {
			return linux.EINVAL
		}
		o.mcastLoop = v != 0
	case unix.IPV6_RECVERR:
		o.recvErr = v != 0
	default:
		return linux.ENOPROTOOPT
	}
	return 0
}

// setTCPLocked sets a SOL_TCP option, with Linux's ranges.
func (s *Socket) setTCPLocked(name int32, val []byte) linux.Errno {
	o := &s.opts
	if name == unix.TCP_CONGESTION {
		n := string(trimNUL(val))
		if n != congestionCC && n != "reno" {
			return linux.ENOENT
		}
		return 0
	}
	v, err := net.DecodeInt(val)
	if err != 0 {
		return err
	}
	switch name {
	case unix.TCP_NODELAY:
		o.nodelay = v != 0
	case unix.TCP_CORK:
		o.cork = v != 0
	case unix.TCP_QUICKACK:
		o.quickack = v != 0
	case unix.TCP_KEEPIDLE, unix.TCP_KEEPINTVL:
		if v < 1 || v > maxKeepIdle {
			return linux.EINVAL
		}
		if name == unix.TCP_KEEPIDLE {
			o.keepidle = v
		} else {
			o.keepintvl = v
		}
	case unix.TCP_KEEPCNT:
		if v < 1 || v > maxKeepCnt {
			return linux.EINVAL
		}
		o.keepcnt = v
	case unix.TCP_USER_TIMEOUT:
		if v < 0 {
			return linux.EINVAL
		}
		o.userTimeout = v
	case unix.TCP_DEFER_ACCEPT:
		o.deferAcc = max(v, 0)
	case unix.TCP_MAXSEG:
		if v != 0 && (v < 88 || v > loMTU) {
			return linux.EINVAL
		}
		o.maxseg = v
	default:
		return linux.ENOPROTOOPT
	}
	return 0
}

func trimNUL(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}
