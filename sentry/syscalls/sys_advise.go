package syscalls

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

// Fadvise64 implements Linux syscall fadvise64(2). Advice is a hint the
// sentry's file systems have no use for; the arguments are checked as on
// Linux.
func Fadvise64(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	if f.IsPath() {
		return 0, linux.EBADF
	}
	if f.IsStream() {
		return 0, linux.ESPIPE
	}
	if args.Int64(2) < 0 {
		return 0, linux.EINVAL
	}
	switch args.Int(3) {
	case unix.FADV_NORMAL, unix.FADV_RANDOM, unix.FADV_SEQUENTIAL, unix.FADV_WILLNEED, unix.FADV_DONTNEED, unix.FADV_NOREUSE:
		return 0, 0
	}
	return 0, linux.EINVAL
}

// Readahead implements Linux syscall readahead(2): a hint, checked as on
// Linux (regular files opened for reading only).
func Readahead(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	if !f.IsReadable() {
		return 0, linux.EBADF
	}
	if d := f.Dentry(); d == nil || d.Type() != unix.S_IFREG {
		return 0, linux.EINVAL
	}
	return 0, 0
}

// SyncFileRange implements Linux syscall sync_file_range(2) as a sync of
// the whole file when SYNC_FILE_RANGE_WRITE is asked.
func SyncFileRange(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	off, n, flags := args.Int64(1), args.Int64(2), args.Uint(3)
	const all = unix.SYNC_FILE_RANGE_WAIT_BEFORE | unix.SYNC_FILE_RANGE_WRITE | unix.SYNC_FILE_RANGE_WAIT_AFTER
	if flags&^all != 0 || off < 0 || n < 0 || off+n < off {
		return 0, linux.EINVAL
	}
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	if d := f.Dentry(); d == nil || (d.Type() != unix.S_IFREG && d.Type() != unix.S_IFDIR && d.Type() != unix.S_IFBLK && d.Type() != unix.S_IFLNK) {
		return 0, linux.ESPIPE
	}
	if flags&unix.SYNC_FILE_RANGE_WRITE == 0 {
		return 0, 0
	}
	if err := f.Sync(t); err != 0 && err != linux.EINVAL {
		return 0, err
	}
	return 0, 0
}

// RWF_* flags of preadv2/pwritev2.
const (
	rwfHipri  = 0x1
	rwfDsync  = 0x2
	rwfSync   = 0x4
	rwfNowait = 0x8
	rwfAppend = 0x10
)

// Preadv2 implements Linux syscall preadv2(2): offset -1 reads at the file
// offset; RWF_HIPRI, RWF_DSYNC and RWF_SYNC are accepted, RWF_NOWAIT is
// EOPNOTSUPP.
func Preadv2(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return vectorIO2(t, args, false)
}

// Pwritev2 implements Linux syscall pwritev2(2): as preadv2, and RWF_DSYNC
// or RWF_SYNC sync the file after writing. RWF_APPEND is EOPNOTSUPP.
func Pwritev2(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return vectorIO2(t, args, true)
}

func vectorIO2(t *kernel.Task, args *arch.SyscallArguments, write bool) (uintptr, linux.Errno) {
	off, flags := args.Int64(3), args.Uint(5)
	if flags&^(rwfHipri|rwfDsync|rwfSync|rwfNowait|rwfAppend) != 0 {
		return 0, linux.EOPNOTSUPP
	}
	if flags&(rwfNowait|rwfAppend) != 0 {
		return 0, linux.EOPNOTSUPP
	}
	if off < -1 {
		return 0, linux.EINVAL
	}
	n, err := vectorIO(t, args, off, write)
	if err != 0 || !write || flags&(rwfDsync|rwfSync) == 0 {
		return n, err
	}
	f, ferr := getFile(t, args.Int(0))
	if ferr != 0 {
		return n, 0
	}
	defer f.DecRef()
	if serr := f.Sync(t); serr != 0 && serr != linux.EINVAL {
		return 0, serr
	}
	return n, 0
}
