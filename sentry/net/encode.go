package net

import (
	"encoding/binary"
	"time"

	"moat/sentry/abi/linux"
)

// EncodeInt returns v as a C int option value.
func EncodeInt(v int32) []byte {
	b := make([]byte, 4)
	binary.LittleEndian.PutUint32(b, uint32(v))
	return b
}

// EncodeBool returns v as a C int option value (0 or 1).
func EncodeBool(v bool) []byte {
	if v {
		return EncodeInt(1)
	}
	return EncodeInt(0)
}

// DecodeInt reads a C int option value: EINVAL if short.
func DecodeInt(b []byte) (int32, linux.Errno) {
	if len(b) < 4 {
		return 0, linux.EINVAL
	}
	return int32(binary.LittleEndian.Uint32(b)), 0
}

// EncodeTimeval returns d as struct timeval.
func EncodeTimeval(d time.Duration) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint64(b, uint64(d/time.Second))
	binary.LittleEndian.PutUint64(b[8:], uint64(d%time.Second/time.Microsecond))
	return b
}

// DecodeTimeval reads a timeout: EINVAL if short, EDOM for microseconds
// out of range; a negative time is no wait at all, which Linux treats as
// the shortest timeout.
func DecodeTimeval(b []byte) (time.Duration, linux.Errno) {
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

// Linger is SO_LINGER's struct linger.
type Linger struct {
	On   bool
	Secs int32
}

// Encode returns l as struct linger.
func (l Linger) Encode() []byte {
	b := make([]byte, 8)
	if l.On {
		binary.LittleEndian.PutUint32(b, 1)
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(l.Secs))
	return b
}

// DecodeLinger reads struct linger: EINVAL if short.
func DecodeLinger(b []byte) (Linger, linux.Errno) {
	if len(b) < 8 {
		return Linger{}, linux.EINVAL
	}
	return Linger{On: binary.LittleEndian.Uint32(b) != 0, Secs: int32(binary.LittleEndian.Uint32(b[4:]))}, 0
}

// Buffer sizes, as Linux's defaults on this kind of host
// (/proc/sys/net/core/{w,r}mem_{default,max}) and its minimums.
const (
	DefaultBuf = 212992
	MaxBuf     = 4194304
	MinSndBuf  = 4608
	MinRcvBuf  = 2304
)

// BufSize returns what SO_SNDBUF or SO_RCVBUF (or their *FORCE variants,
// force) set to v leaves, as Linux computes it: twice the value, capped
// at twice the system maximum unless forced, and at least floor.
func BufSize(v int32, force bool, floor int) int {
	limit := uint32(MaxBuf)
	if force {
		limit = 1<<30 - 1
	}
	return max(2*int(min(uint32(v), limit)), floor)
}
