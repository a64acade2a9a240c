package net

import (
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// SockFS gives sockets of every family their inode numbers and device,
// as Linux's sockfs does. unix.Namespace implements it.
type SockFS interface {
	// NextIno returns a new inode number.
	NextIno() uint64
	// DevMinor returns sockfs's device minor number.
	DevMinor() uint32
}

// Inode is what fstat reports of a socket: a sockfs inode owned by its
// creator.
type Inode struct {
	Ino      uint64
	Dev      uint32
	UID, GID uint32
	Created  time.Time
}

// NewInode returns the inode of a socket the caller creates.
func NewInode(ctx vfs.Context, fs SockFS) Inode {
	c := ctx.Credentials()
	return Inode{Ino: fs.NextIno(), Dev: fs.DevMinor(),
		UID: uint32(c.EffectiveKUID), GID: uint32(c.EffectiveKGID), Created: time.Now()}
}

// Stat returns the inode as fstat reports it: S_IFSOCK, mode 0777.
func (i *Inode) Stat() linux.Statx {
	ts := linux.StatxTimestamp{Sec: i.Created.Unix(), Nsec: uint32(i.Created.Nanosecond())}
	return linux.Statx{
		Mask:    linux.STATX_BASIC_STATS,
		Blksize: 4096,
		Nlink:   1,
		UID:     i.UID,
		GID:     i.GID,
		Mode:    uint16(unix.S_IFSOCK | 0o777),
		Ino:     i.Ino,
		Atime:   ts, Mtime: ts, Ctime: ts,
		DevMinor: i.Dev,
	}
}

// SendOptions are the arguments of one send beyond its data, for the
// families without control messages.
type SendOptions struct {
	// Nonblock: O_NONBLOCK or MSG_DONTWAIT.
	Nonblock bool
	// NoSignal is MSG_NOSIGNAL: EPIPE without SIGPIPE.
	NoSignal bool
	// To is the destination as the application encoded it, or nil.
	To []byte
}

// RecvOptions are recv's flags.
type RecvOptions struct {
	// Nonblock: O_NONBLOCK or MSG_DONTWAIT.
	Nonblock bool
	// Peek is MSG_PEEK, WaitAll MSG_WAITALL, Trunc MSG_TRUNC.
	Peek, WaitAll, Trunc bool
}

// RecvResult is what one receive delivered.
type RecvResult struct {
	// N is the result of the call: bytes copied, or with MSG_TRUNC on a
	// datagram socket the datagram's real length.
	N int
	// Truncated: a datagram did not fit (MSG_TRUNC in msg_flags).
	Truncated bool
	// From is the sender's address, encoded, or nil.
	From []byte
}
