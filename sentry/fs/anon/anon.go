// Package anon gives the files that have no inode of their own (eventfd,
// timerfd, signalfd, epoll instances) what Linux's anon_inode gives them:
// one shared inode, mode 0600 without a file type, owned by root, that
// refuses attribute changes, and no file offset: lseek succeeds and
// returns 0, pread and pwrite fail with ESPIPE.
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

// File is the base of an anonymous file: embed it instead of
// vfs.FileDefaults. The offset is the file's own (vfs.OwnOffsetFile), so
// reads and writes never take the description's offset lock, which a
// blocking read would otherwise hold against the write that ends it.
type File struct {
	vfs.FileDefaults
}

// Positional returns ESPIPE for a read or write at an offset (off >= 0:
// pread, pwrite), 0 otherwise.
func Positional(off int64) linux.Errno {
	if off >= 0 {
		return linux.ESPIPE
	}
	return 0
}

// Read implements vfs.FileImpl.Read for files that cannot be read.
func (File) Read(_ vfs.Context, _ *vfs.FileDescription, _ []byte, off int64) (int, linux.Errno) {
	if err := Positional(off); err != 0 {
		return 0, err
	}
	return 0, linux.EINVAL
}

// Write implements vfs.FileImpl.Write for files that cannot be written.
func (File) Write(_ vfs.Context, _ *vfs.FileDescription, _ []byte, off int64) (int, linux.Errno) {
	if err := Positional(off); err != 0 {
		return 0, err
	}
	return 0, linux.EINVAL
}

// Seek implements vfs.FileImpl.Seek: always 0, as Linux's noop_llseek.
func (File) Seek(vfs.Context, *vfs.FileDescription, int64, int32, int64) (int64, linux.Errno) {
	return 0, 0
}

// OwnsOffset implements vfs.OwnOffsetFile.
func (File) OwnsOffset() bool { return true }

// Stat implements vfs.FileStater.Stat.
func (File) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{
		Mask:     linux.STATX_BASIC_STATS,
		Blksize:  4096,
		Nlink:    1,
		Mode:     0o600,
		Ino:      inodeNumber,
		DevMinor: devMinor,
	}, 0
}

// SetStat implements vfs.FileStater.SetStat: the shared anonymous inode
// cannot be changed (EOPNOTSUPP, as Linux answers fchmod and fchown).
func (File) SetStat(vfs.Context, *vfs.SetStatOptions) linux.Errno { return linux.EOPNOTSUPP }

var (
	_ vfs.FileImpl      = File{}
	_ vfs.FileStater    = File{}
	_ vfs.OwnOffsetFile = File{}
)
