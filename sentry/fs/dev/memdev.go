package dev

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// nullFile is /dev/null: reads see end of file, writes vanish.
type nullFile struct{ vfs.FileDefaults }

// Read implements vfs.FileImpl.Read.
func (nullFile) Read(vfs.Context, *vfs.FileDescription, []byte, int64) (int, linux.Errno) {
	return 0, 0
}

// Write implements vfs.FileImpl.Write.
func (nullFile) Write(_ vfs.Context, _ *vfs.FileDescription, src []byte, _ int64) (int, linux.Errno) {
	return len(src), 0
}

// Seek implements vfs.FileImpl.Seek: always 0, as on Linux.
func (nullFile) Seek(vfs.Context, *vfs.FileDescription, int64, int32, int64) (int64, linux.Errno) {
	return 0, 0
}

// zeroFile is /dev/zero: reads see zeros, writes vanish.
type zeroFile struct{ vfs.FileDefaults }

// Read implements vfs.FileImpl.Read.
func (zeroFile) Read(_ vfs.Context, _ *vfs.FileDescription, dst []byte, _ int64) (int, linux.Errno) {
	clear(dst)
	return len(dst), 0
}

// Write implements vfs.FileImpl.Write.
func (zeroFile) Write(_ vfs.Context, _ *vfs.FileDescription, src []byte, _ int64) (int, linux.Errno) {
	return len(src), 0
}

// Seek implements vfs.FileImpl.Seek.
func (zeroFile) Seek(vfs.Context, *vfs.FileDescription, int64, int32, int64) (int64, linux.Errno) {
	return 0, 0
}

// fullFile is /dev/full: reads see zeros, writes fail with ENOSPC.
type fullFile struct{ vfs.FileDefaults }

// Read implements vfs.FileImpl.Read.
func (fullFile) Read(_ vfs.Context, _ *vfs.FileDescription, dst []byte, _ int64) (int, linux.Errno) {
	clear(dst)
	return len(dst), 0
}

// Write implements vfs.FileImpl.Write.
func (fullFile) Write(vfs.Context, *vfs.FileDescription, []byte, int64) (int, linux.Errno) {
	return 0, linux.ENOSPC
}

// Seek implements vfs.FileImpl.Seek.
func (fullFile) Seek(vfs.Context, *vfs.FileDescription, int64, int32, int64) (int64, linux.Errno) {
	return 0, 0
}

// randomFile is /dev/random and /dev/urandom: reads come from the host's
// getrandom(2); writes (entropy contributions) are accepted and dropped.
type randomFile struct{ vfs.FileDefaults }

// Read implements vfs.FileImpl.Read.
func (randomFile) Read(_ vfs.Context, _ *vfs.FileDescription, dst []byte, _ int64) (int, linux.Errno) {
	done := 0
	for done < len(dst) {
		n, err := unix.Getrandom(dst[done:], 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if done > 0 {
				break
			}
			return 0, linux.FromHost(err)
		}
		done += n
	}
	return done, 0
}

// Write implements vfs.FileImpl.Write.
func (randomFile) Write(_ vfs.Context, _ *vfs.FileDescription, src []byte, _ int64) (int, linux.Errno) {
	return len(src), 0
}

// Seek implements vfs.FileImpl.Seek.
func (randomFile) Seek(vfs.Context, *vfs.FileDescription, int64, int32, int64) (int64, linux.Errno) {
	return 0, 0
}

// DiscardsWrites implements vfs.DiscardingWriter.
func (nullFile) DiscardsWrites() bool { return true }

// DiscardsWrites implements vfs.DiscardingWriter.
func (zeroFile) DiscardsWrites() bool { return true }

// MapsAsAnonymous implements vfs.AnonymousMapper: mapping /dev/zero gives
// anonymous memory.
func (zeroFile) MapsAsAnonymous() bool { return true }
