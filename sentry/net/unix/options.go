package unix

import (
	"encoding/binary"
	"time"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// options are the socket options a Unix socket keeps.
type options struct {
	passcred  bool
	reuseaddr bool
	keepalive bool
	// sndbuf and rcvbuf are the sizes as getsockopt reports them
	// (twice what was set, as on Linux).
	sndbuf, rcvbuf     int
	rcvtimeo, sndtimeo time.Duration
	linger             net.Linger
	// tstamp and tstampNS are SO_TIMESTAMP and SO_TIMESTAMPNS (which
	// implies tstamp, as Linux's flags do).
	tstamp, tstampNS bool
	passsec          bool
	priority         int32
	// rcvlowat is SO_RCVLOWAT: how many bytes a blocking stream
	// receive waits for.
	rcvlowat int32
}

func defaultOptions() options {
	return options{sndbuf: net.DefaultBuf, rcvbuf: net.DefaultBuf, rcvlowat: 1}
}

// GetSockOpt implements getsockopt(2) for level SOL_SOCKET; it returns
// the whole value, which the caller truncates to the application's
// length. Other levels are EOPNOTSUPP, unknown options ENOPROTOOPT.
func (s *Socket) GetSockOpt(level, name int32) ([]byte, linux.Errno) {
	if level != sysunix.SOL_SOCKET {
		return nil, linux.EOPNOTSUPP
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &s.opts
	switch name {
	case sysunix.SO_TYPE:
		return net.EncodeInt(s.typ), 0
	case sysunix.SO_DOMAIN:
		return net.EncodeInt(sysunix.AF_UNIX), 0
	case sysunix.SO_PROTOCOL:
		return net.EncodeInt(0), 0
	case sysunix.SO_ACCEPTCONN:
		return net.EncodeBool(s.state == stateListening), 0
	case sysunix.SO_ERROR:
		err := s.err
		s.err = 0
		if err == 0 && s.rcv.takeReset() {
			err = linux.ECONNRESET
		}
		return net.EncodeInt(int32(err)), 0
	case sysunix.SO_SNDBUF:
		return net.EncodeInt(int32(o.sndbuf)), 0
	case sysunix.SO_RCVBUF:
		return net.EncodeInt(int32(o.rcvbuf)), 0
	case sysunix.SO_PASSCRED:
		return net.EncodeBool(o.passcred), 0
	case sysunix.SO_REUSEADDR:
		return net.EncodeBool(o.reuseaddr), 0
	case sysunix.SO_KEEPALIVE:
		return net.EncodeBool(o.keepalive), 0
	case sysunix.SO_RCVTIMEO:
		return net.EncodeTimeval(o.rcvtimeo), 0
	case sysunix.SO_SNDTIMEO:
		return net.EncodeTimeval(o.sndtimeo), 0
	case sysunix.SO_LINGER:
		return o.linger.Encode(), 0
	case sysunix.SO_PEERCRED:
		return s.peerCred.encode(), 0
	case sysunix.SO_PEERGROUPS:
		if s.peerGroups == nil {
			return nil, linux.ENODATA
		}
		b := make([]byte, 4*len(s.peerGroups))
		for i, g := range s.peerGroups {
			binary.LittleEndian.PutUint32(b[4*i:], g)
		}
		return b, 0
	case sysunix.SO_RCVLOWAT:
		return net.EncodeInt(o.rcvlowat), 0
	case sysunix.SO_SNDLOWAT:
		return net.EncodeInt(1), 0
	case sysunix.SO_TIMESTAMP:
		return net.EncodeBool(o.tstamp && !o.tstampNS), 0
	case sysunix.SO_TIMESTAMPNS:
		return net.EncodeBool(o.tstampNS), 0
	case sysunix.SO_PASSSEC:
		return net.EncodeBool(o.passsec), 0
	case sysunix.SO_PRIORITY:
		return net.EncodeInt(o.priority), 0
	}
	return nil, linux.ENOPROTOOPT
}

// SetSockOpt implements setsockopt(2) for level SOL_SOCKET. SO_PASSSEC
// is kept but, as on a Linux without a security module, no SCM_SECURITY
// message is ever delivered.
func (s *Socket) SetSockOpt(ctx vfs.Context, level, name int32, val []byte) linux.Errno {
	if level != sysunix.SOL_SOCKET {
		return linux.EOPNOTSUPP
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &s.opts
	switch name {
	case sysunix.SO_RCVTIMEO, sysunix.SO_SNDTIMEO:
		d, err := net.DecodeTimeval(val)
		if err != 0 {
			return err
		}
		if name == sysunix.SO_RCVTIMEO {
			o.rcvtimeo = d
		} else {
			o.sndtimeo = d
		}
		return 0
	case sysunix.SO_LINGER:
		l, err := net.DecodeLinger(val)
		o.linger = l
		return err
	}
	if len(val) < 4 {
		return linux.EINVAL
	}
	v := int32(binary.LittleEndian.Uint32(val))
	switch name {
	case sysunix.SO_PASSCRED:
		o.passcred = v != 0
	case sysunix.SO_REUSEADDR:
		o.reuseaddr = v != 0
	case sysunix.SO_KEEPALIVE:
		o.keepalive = v != 0
	case sysunix.SO_TIMESTAMP:
		o.tstamp, o.tstampNS = v != 0, false
	case sysunix.SO_TIMESTAMPNS:
		o.tstamp, o.tstampNS = v != 0, v != 0
	case sysunix.SO_PASSSEC:
		o.passsec = v != 0
	case sysunix.SO_RCVLOWAT:
		switch {
		case v < 0:
			o.rcvlowat = 1<<31 - 1
		case v == 0:
			o.rcvlowat = 1
		default:
			o.rcvlowat = v
		}
	case sysunix.SO_PRIORITY:
		if (v < 0 || v > 6) && !net.HasCap(ctx, net.CapNetAdmin) {
			return linux.EPERM
		}
		o.priority = v
	case sysunix.SO_SNDBUF, sysunix.SO_SNDBUFFORCE, sysunix.SO_RCVBUF, sysunix.SO_RCVBUFFORCE:
		return s.setBufLocked(ctx, name, v)
	default:
		return linux.ENOPROTOOPT
	}
	return 0
}

// setBufLocked sets a buffer size as Linux does: twice the value, capped
// at twice the system maximum unless forced (CAP_NET_ADMIN), and at
// least the minimum.
//
// Preconditions:
// - s.mu is held.
func (s *Socket) setBufLocked(ctx vfs.Context, name, v int32) linux.Errno {
	force := name == sysunix.SO_SNDBUFFORCE || name == sysunix.SO_RCVBUFFORCE
	if force && !net.HasCap(ctx, net.CapNetAdmin) {
		return linux.EPERM
	}
	if name == sysunix.SO_SNDBUF || name == sysunix.SO_SNDBUFFORCE {
		s.opts.sndbuf = net.BufSize(v, force, net.MinSndBuf)
	} else {
		s.opts.rcvbuf = net.BufSize(v, force, net.MinRcvBuf)
	}
	s.rcv.mu.Lock()
	s.rcv.notifyLocked(0, 0)
	s.rcv.mu.Unlock()
	return 0
}
