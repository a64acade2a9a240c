package netlink

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/vfs"
)

// isFlag reports whether a SOL_NETLINK option is one kept as a flag.
func isFlag(name int32) bool {
	switch name {
	case unix.NETLINK_PKTINFO, unix.NETLINK_BROADCAST_ERROR, unix.NETLINK_NO_ENOBUFS,
		unix.NETLINK_LISTEN_ALL_NSID, unix.NETLINK_CAP_ACK, unix.NETLINK_EXT_ACK, unix.NETLINK_GET_STRICT_CHK:
		return true
	}
	return false
}

// GetSockOpt implements getsockopt(2) at SOL_SOCKET and SOL_NETLINK.
func (s *Socket) GetSockOpt(level, name int32) ([]byte, linux.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if level == unix.SOL_NETLINK {
		if isFlag(name) {
			return net.EncodeBool(s.opts.flags[name]), 0
		}
		return nil, linux.ENOPROTOOPT
	}
	if level != unix.SOL_SOCKET {
		return nil, linux.ENOPROTOOPT
	}
	if v, ok := s.opts.Get(name); ok {
		return v, 0
	}
	switch name {
	case unix.SO_TYPE:
		return net.EncodeInt(s.typ), 0
	case unix.SO_DOMAIN:
		return net.EncodeInt(unix.AF_NETLINK), 0
	case unix.SO_PROTOCOL:
		return net.EncodeInt(unix.NETLINK_ROUTE), 0
	case unix.SO_ERROR:
		err := s.err
		s.err = 0
		return net.EncodeInt(int32(err)), 0
	case unix.SO_PASSCRED:
		return net.EncodeBool(s.opts.passcred), 0
	}
	return nil, linux.ENOPROTOOPT
}

// SetSockOpt implements setsockopt(2) at SOL_SOCKET and SOL_NETLINK.
// Joining a multicast group (NETLINK_ADD_MEMBERSHIP) is kept like bind's
// groups: nothing is ever broadcast, since the interfaces never change.
func (s *Socket) SetSockOpt(ctx vfs.Context, level, name int32, val []byte) linux.Errno {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch level {
	case unix.SOL_NETLINK:
		v, err := net.DecodeInt(val)
		if err != 0 {
			return err
		}
		switch {
		case isFlag(name):
			s.opts.flags[name] = v != 0
		case name == unix.NETLINK_ADD_MEMBERSHIP || name == unix.NETLINK_DROP_MEMBERSHIP:
			if v <= 0 || v > 32 {
				return linux.EINVAL
			}
			if name == unix.NETLINK_ADD_MEMBERSHIP {
				s.groups |= 1 << (v - 1)
			} else {
				s.groups &^= 1 << (v - 1)
			}
		default:
			return linux.ENOPROTOOPT
		}
		return 0
	case unix.SOL_SOCKET:
	default:
		return linux.ENOPROTOOPT
	}
	if ok, err := s.opts.Set(ctx, name, val); ok {
		return err
	}
	v, err := net.DecodeInt(val)
	if err != 0 {
		return err
	}
	switch name {
	case unix.SO_PASSCRED:
		s.opts.passcred = v != 0
	default:
		return linux.ENOPROTOOPT
	}
	return 0
}
