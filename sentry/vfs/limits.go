package vfs

import (
	"moat/sentry/abi/linux"
)

// FileSizeLimiter is implemented by contexts that carry an RLIMIT_FSIZE
// (kernel.Task). Writes and truncations of regular files are held to it.
type FileSizeLimiter interface {
	// FileSizeLimit returns the limit in bytes (^uint64(0): none).
	FileSizeLimit() uint64
	// FileSizeExceeded is called when an operation fails with EFBIG for
	// the limit; the kernel sends SIGXFSZ.
	FileSizeExceeded()
}

// CheckFileSize trims a write of n bytes at off to the caller's file size
// limit: EFBIG (after FileSizeExceeded) if off is at or past it. File
// systems call it from Appender.Append, where only they know the offset;
// the vfs calls it for other writes of regular files.
func CheckFileSize(ctx Context, off int64, n int) (int, linux.Errno) {
	l, ok := ctx.(FileSizeLimiter)
	if !ok || n == 0 {
		return n, 0
	}
	limit := l.FileSizeLimit()
	if limit == ^uint64(0) {
		return n, 0
	}
	if uint64(off) >= limit {
		l.FileSizeExceeded()
		return 0, linux.EFBIG
	}
	if uint64(off)+uint64(n) > limit {
		n = int(limit - uint64(off))
	}
	return n, 0
}

// checkFileSizeFor checks a new size (truncate, fallocate) against the
// caller's limit.
func checkFileSizeFor(ctx Context, size uint64) linux.Errno {
	l, ok := ctx.(FileSizeLimiter)
	if !ok {
		return 0
	}
	if size > l.FileSizeLimit() {
		l.FileSizeExceeded()
		return linux.EFBIG
	}
	return 0
}

// isRegular reports whether fd is a regular file with a dentry.
func (fd *FileDescription) isRegular() bool {
	return fd.vd.dentry != nil && fd.vd.dentry.typ == sIFREG
}
