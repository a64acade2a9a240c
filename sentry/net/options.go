package net

import (
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Options are the SOL_SOCKET options every family keeps the same way.
type Options struct {
	// SndBuf and RcvBuf are the sizes as getsockopt reports them
	// (twice what was set, as on Linux).
	SndBuf, RcvBuf     int
	RcvTimeo, SndTimeo time.Duration
	Linger             Linger
	ReuseAddr          bool
	KeepAlive          bool
	Priority           int32
}

// DefaultOptions returns Linux's defaults with the given buffer sizes.
func DefaultOptions(sndbuf, rcvbuf int) Options {
	return Options{SndBuf: sndbuf, RcvBuf: rcvbuf}
}

// Get returns the value of SOL_SOCKET option name, if it is one of
// these.
func (o *Options) Get(name int32) ([]byte, bool) {
	switch name {
	case unix.SO_SNDBUF:
		return EncodeInt(int32(o.SndBuf)), true
	case unix.SO_RCVBUF:
		return EncodeInt(int32(o.RcvBuf)), true
	case unix.SO_RCVTIMEO:
		return EncodeTimeval(o.RcvTimeo), true
	case unix.SO_SNDTIMEO:
		return EncodeTimeval(o.SndTimeo), true
	case unix.SO_LINGER:
		return o.Linger.Encode(), true
	case unix.SO_REUSEADDR:
		return EncodeBool(o.ReuseAddr), true
	case unix.SO_KEEPALIVE:
		return EncodeBool(o.KeepAlive), true
	case unix.SO_PRIORITY:
		return EncodeInt(o.Priority), true
	}
	return nil, false
}

// Set sets SOL_SOCKET option name, if it is one of these, as Linux
// checks it: buffer sizes doubled and clamped (the *FORCE variants and
// priorities above 6 need CAP_NET_ADMIN), EDOM for a bad timeout,
// EINVAL for a short value.
func (o *Options) Set(ctx vfs.Context, name int32, val []byte) (handled bool, err linux.Errno) {
	switch name {
	case unix.SO_RCVTIMEO, unix.SO_SNDTIMEO:
		d, err := DecodeTimeval(val)
		if err == 0 && name == unix.SO_RCVTIMEO {
			o.RcvTimeo = d
		} else if err == 0 {
			o.SndTimeo = d
		}
		return true, err
	case unix.SO_LINGER:
		l, err := DecodeLinger(val)
		if err == 0 {
			o.Linger = l
		}
		return true, err
	case unix.SO_SNDBUF, unix.SO_SNDBUFFORCE, unix.SO_RCVBUF, unix.SO_RCVBUFFORCE,
		unix.SO_REUSEADDR, unix.SO_KEEPALIVE, unix.SO_PRIORITY:
	default:
		return false, 0
	}
	v, err := DecodeInt(val)
	if err != 0 {
		return true, err
	}
	switch name {
	case unix.SO_REUSEADDR:
		o.ReuseAddr = v != 0
	case unix.SO_KEEPALIVE:
		o.KeepAlive = v != 0
	case unix.SO_PRIORITY:
		if (v < 0 || v > 6) && !HasCap(ctx, CapNetAdmin) {
			return true, linux.EPERM
		}
		o.Priority = v
	case unix.SO_SNDBUF, unix.SO_SNDBUFFORCE:
		force := name == unix.SO_SNDBUFFORCE
		if force && !HasCap(ctx, CapNetAdmin) {
			return true, linux.EPERM
		}
		o.SndBuf = BufSize(v, force, MinSndBuf)
	case unix.SO_RCVBUF, unix.SO_RCVBUFFORCE:
		force := name == unix.SO_RCVBUFFORCE
		if force && !HasCap(ctx, CapNetAdmin) {
			return true, linux.EPERM
		}
		o.RcvBuf = BufSize(v, force, MinRcvBuf)
	}
	return true, 0
}

// OpenFlags returns the file status flags of a new socket file.
func OpenFlags(nonblock bool) uint32 {
	f := uint32(unix.O_RDWR)
	if nonblock {
		f |= unix.O_NONBLOCK
	}
	return f
}
