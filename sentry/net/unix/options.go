package unix

import (
	"encoding/binary"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// options are the socket options a Unix socket keeps.
type options struct {
	net.Options
	passcred bool
	// tstamp and tstampNS are SO_TIMESTAMP and SO_TIMESTAMPNS (which
	// implies tstamp, as Linux's flags do).
	tstamp, tstampNS bool
	passsec          bool
	// rcvlowat is SO_RCVLOWAT: how many bytes a blocking stream
	// receive waits for.
	rcvlowat int32
}

func defaultOptions() options {
	return options{Options: net.DefaultOptions(net.DefaultBuf, net.DefaultBuf), rcvlowat: 1}
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
	if v, ok := o.Get(name); ok {
		return v, 0
	}
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
	case sysunix.SO_PASSCRED:
		return net.EncodeBool(o.passcred), 0
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
	if ok, err := o.Set(ctx, name, val); ok {
		if err == 0 {
			// A new buffer size may make room for blocked senders.
			s.rcv.mu.Lock()
			s.rcv.notifyLocked(0, 0)
			s.rcv.mu.Unlock()
		}
		return err
	}
	if len(val) < 4 {
		return linux.EINVAL
	}
	v := int32(binary.LittleEndian.Uint32(val))
	switch name {
	case sysunix.SO_PASSCRED:
		o.passcred = v != 0
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
	default:
		return linux.ENOPROTOOPT
	}
	return 0
}
