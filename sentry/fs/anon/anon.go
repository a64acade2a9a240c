// Package anon gives the files that have no inode of their own (eventfd,
// timerfd, signalfd, epoll instances) what Linux's anon_inode gives them:
// one shared inode, mode 0600 without a file type, owned by root.
package anon

import (
	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// inodeNumber is the one inode all anonymous files share.
const inodeNumber = 1

// devMinor is the device minor anonymous files report (anon_inodefs is an
// internal mount on Linux; its minor is assigned at boot).
const devMinor = 14

// Inode implements vfs.FileStater for anonymous files. Embed it.
type Inode struct{}

// Stat implements vfs.FileStater.Stat.
func (Inode) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{
		Mask:     linux.STATX_BASIC_STATS,
		Blksize:  4096,
		Nlink:    1,
		Mode:     0o600,
		Ino:      inodeNumber,
		DevMinor: devMinor,
	}, 0
}

// SetStat implements vfs.FileStater.SetStat: anonymous inodes cannot be
// changed from user space.
func (Inode) SetStat(vfs.Context, *vfs.SetStatOptions) linux.Errno { return linux.EPERM }

// Stream implements vfs.StreamFile for anonymous files: they have no
// offset. Embed it.
type Stream struct{}

// IsStream implements vfs.StreamFile.IsStream.
func (Stream) IsStream() bool { return true }

var (
	_ vfs.FileStater = Inode{}
	_ vfs.StreamFile = Stream{}
)
