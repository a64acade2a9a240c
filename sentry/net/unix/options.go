package unix

import (
	"encoding/binary"
	"time"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Buffer sizes, as Linux's defaults on this kind of host
// (/proc/sys/net/core/{w,r}mem_{default,max}) and its minimums.
const (
	defaultBuf = 212992
	maxBuf     = 4194304
	minSndBuf  = 4608
	minRcvBuf  = 2304
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
	lingerOn           bool
	lingerSecs         int32
	// tstamp and tstampNS are SO_TIMESTAMP and SO_TIMESTAMPNS (which
	// implies tstamp, as Linux's flags do).
	tstamp, tstampNS bool
	passsec          bool
	priority         int32
	// rcvlowat is SO_RCVLOWAT: how many bytes a blocking stream
	// receive waits for.
	rcvlowat int32
}

// capNetAdmin is CAP_NET_ADMIN: the *FORCE buffer options and
// priorities above 6 need it.
const capNetAdmin = 12

func defaultOptions() options {
	return options{sndbuf: defaultBuf, rcvbuf: defaultBuf, rcvlowat: 1}
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
		return encodeInt(s.typ), 0
	case sysunix.SO_DOMAIN:
		return encodeInt(sysunix.AF_UNIX), 0
	case sysunix.SO_PROTOCOL:
		return encodeInt(0), 0
	case sysunix.SO_ACCEPTCONN:
		return encodeBool(s.state == stateListening), 0
	case sysunix.SO_ERROR:
		err := s.err
		s.err = 0
		if err == 0 && s.rcv.takeReset() {
			err = linux.ECONNRESET
		}
		return encodeInt(int32(err)), 0
	case sysunix.SO_SNDBUF:
		return encodeInt(int32(o.sndbuf)), 0
	case sysunix.SO_RCVBUF:
		return encodeInt(int32(o.rcvbuf)), 0
	case sysunix.SO_PASSCRED:
		return encodeBool(o.passcred), 0
	case sysunix.SO_REUSEADDR:
		return encodeBool(o.reuseaddr), 0
	case sysunix.SO_KEEPALIVE:
		return encodeBool(o.keepalive), 0
	case sysunix.SO_RCVTIMEO:
		return encodeTimeval(o.rcvtimeo), 0
	case sysunix.SO_SNDTIMEO:
		return encodeTimeval(o.sndtimeo), 0
	case sysunix.SO_LINGER:
		b := make([]byte, 8)
		if o.lingerOn {
			binary.LittleEndian.PutUint32(b, 1)
		}
		binary.LittleEndian.PutUint32(b[4:], uint32(o.lingerSecs))
		return b, 0
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
		return encodeInt(o.rcvlowat), 0
	case sysunix.SO_SNDLOWAT:
		return encodeInt(1), 0
	case sysunix.SO_TIMESTAMP:
		return encodeBool(o.tstamp && !o.tstampNS), 0
	case sysunix.SO_TIMESTAMPNS:
		return encodeBool(o.tstampNS), 0
	case sysunix.SO_PASSSEC:
		return encodeBool(o.passsec), 0
	case sysunix.SO_PRIORITY:
		return encodeInt(o.priority), 0
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
		d, err := decodeTimeval(val)
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
		if len(val) < 8 {
			return linux.EINVAL
		}
		o.lingerOn = binary.LittleEndian.Uint32(val) != 0
		o.lingerSecs = int32(binary.LittleEndian.Uint32(val[4:]))
		return 0
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
		if (v < 0 || v > 6) && !hasCap(ctx, capNetAdmin) {
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
	var n int
	if force {
		if !hasCap(ctx, capNetAdmin) {
			return linux.EPERM
		}
		n = 2 * int(min(uint32(v), 1<<30-1))
	} else {
		n = 2 * int(min(uint32(v), maxBuf))
	}
	if name == sysunix.SO_SNDBUF || name == sysunix.SO_SNDBUFFORCE {
		s.opts.sndbuf = max(n, minSndBuf)
	} else {
		s.opts.rcvbuf = max(n, minRcvBuf)
	}
	s.rcv.mu.Lock()
	s.rcv.notifyLocked(0, 0)
	s.rcv.mu.Unlock()
	return 0
}

// hasCap reports whether the caller has capability c.
func hasCap(ctx vfs.Context, c int) bool {
	return ctx != nil && ctx.Credentials().HasCap(c)
}

func encodeInt(v int32) []byte {
	b := make([]byte, 4)
	binary.LittleEndian.PutUint32(b, uint32(v))
	return b
}

func encodeBool(v bool) []byte {
	if v {
		return encodeInt(1)
	}
	return encodeInt(0)
}

// encodeTimeval returns d as struct timeval.
func encodeTimeval(d time.Duration) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint64(b, uint64(d/time.Second))
	binary.LittleEndian.PutUint64(b[8:], uint64(d%time.Second/time.Microsecond))
	return b
}

// decodeTimeval reads a timeout: EINVAL if short, EDOM for microseconds
// out of range; a negative time is no wait at all, which Linux treats as
// the shortest timeout.
func decodeTimeval(b []byte) (time.Duration, linux.Errno) {
	if len(b) < 16 {
		return 0, linux.EINVAL
	}
	sec := int64(binary.LittleEndian.Uint64(b))
	usec := int64(binary.LittleEndian.Uint64(b[8:]))
	if usec < 0 || usec >= 1e6 {
		return 0, linux.EDOM
	}
	if sec < 0 {
		return time.Nanosecond, 0
	}
	if sec > 1<<32 {
		sec = 1 << 32
	}
	return time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond, 0
}
