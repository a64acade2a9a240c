// Package host wraps host file descriptors the sandbox was given on purpose
// (the container's stdio: a terminal, a pipe or a file) as sentry files.
// Data goes through the host fd; attributes are translated to a sandbox
// view; only a fixed list of terminal ioctls reaches the host, with their
// arguments copied through the sentry.
package host

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// File is a host fd as a vfs.FileImpl.
type File struct {
	vfs.FileDefaults
	fd       int
	devMinor uint32
	typ      uint32 // S_IFMT of the host file
	isTTY    bool
	// owned files are closed on release.
	owned bool
	// fgPGID is the terminal's foreground process group as the sandbox
	// set it with TIOCSPGRP (0: not set). Atomic.
	fgPGID *atomic.Int32

	// closeMu guards closed against OpenTTY duplicating the fd while it
	// is being closed.
	closeMu sync.Mutex
	closed  bool
}

// Options tune NewFile.
type Options struct {
	// DevMinor is the device minor number reported by stat (major 0).
	DevMinor uint32
	// NotOwned keeps the host fd open when the file is released.
	NotOwned bool
}

// NewFile returns a file description for hostFD, which it owns unless
// opts.NotOwned. The access mode comes from the host fd's flags.
func NewFile(hostFD int, opts Options) (*vfs.FileDescription, linux.Errno) {
	var st unix.Stat_t
	if err := unix.Fstat(hostFD, &st); err != nil {
		return nil, linux.FromHost(err)
	}
	fl, err := unix.FcntlInt(uintptr(hostFD), unix.F_GETFL, 0)
	if err != nil {
		return nil, linux.FromHost(err)
	}
	f := &File{
		fd:       hostFD,
		devMinor: opts.DevMinor,
		typ:      st.Mode & unix.S_IFMT,
		owned:    !opts.NotOwned,
		fgPGID:   new(atomic.Int32),
	}
	if _, err := unix.IoctlGetTermios(hostFD, unix.TCGETS); err == nil {
		f.isTTY = true
	}
	flags := uint32(fl) & (unix.O_ACCMODE | unix.O_APPEND | unix.O_NONBLOCK)
	return vfs.NewFileDescription(f, vfs.VirtualDentry{}, flags), 0
}

// IsTTY reports whether the host fd is a terminal.
func (f *File) IsTTY() bool { return f.isTTY }

// IsStream implements vfs.StreamFile.IsStream: only regular host files
// have an offset.
func (f *File) IsStream() bool { return f.typ != unix.S_IFREG }

// OwnsOffset implements vfs.OwnOffsetFile.OwnsOffset: the offset of a
// regular host file is the host's, shared with whoever else holds the
// host file description (the shell that redirected stdout to a file), so
// reads, writes and lseek at the offset go to the host fd.
func (f *File) OwnsOffset() bool { return f.typ == unix.S_IFREG }

// Release implements vfs.FileImpl.Release.
func (f *File) Release() {
	f.closeMu.Lock()
	defer f.closeMu.Unlock()
	f.closed = true
	if f.owned {
		unix.Close(f.fd)
	}
}

// OpenTTY implements vfs.Terminal.OpenTTY for host terminals: /dev/tty of
// a session whose controlling terminal this is opens a duplicate of the
// host fd (sharing the foreground process group).
func (f *File) OpenTTY(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	if !f.isTTY {
		return nil, linux.ENXIO
	}
	f.closeMu.Lock()
	defer f.closeMu.Unlock()
	if f.closed {
		return nil, linux.EIO
	}
	nfd, err := unix.FcntlInt(uintptr(f.fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, linux.FromHost(err)
	}
	return &File{fd: nfd, devMinor: f.devMinor, typ: f.typ, isTTY: true, owned: true, fgPGID: f.fgPGID}, 0
}

// Read implements vfs.FileImpl.Read.
func (f *File) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, off int64) (int, linux.Errno) {
	return hostRead(ctx, f.fd, dst, off, f.typ == unix.S_IFREG && off >= 0, nonblocking(fd))
}

// nonblocking reports whether the sandbox opened fd with O_NONBLOCK. The
// host fd's own flags are never changed: other processes may share it.
func nonblocking(fd *vfs.FileDescription) bool {
	return fd != nil && fd.StatusFlags()&unix.O_NONBLOCK != 0
}

// pollInterval is how often a blocked host read or write checks whether
// the task was interrupted.
const pollInterval = 100 // milliseconds

// waitReady waits until the host fd is ready for events, the caller is
// interrupted (ERESTARTSYS), or, with nonblock, at once (EAGAIN).
func waitReady(ctx vfs.Context, fd int, events int16, nonblock bool) linux.Errno {
	intr, _ := ctx.(vfs.Interruptible)
	pfd := []unix.PollFd{{Fd: int32(fd), Events: events}}
	for {
		if intr != nil && intr.Interrupted() {
			return linux.ERESTARTSYS
		}
		timeout := -1
		switch {
		case nonblock:
			timeout = 0
		case intr != nil:
			timeout = pollInterval
		}
		n, err := unix.Poll(pfd, timeout)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return linux.FromHost(err)
		}
		if n > 0 {
			return 0
		}
		if nonblock {
			return linux.EAGAIN
		}
	}
}

// hostRead is the one place the sentry reads a host file for the sandbox.
// Reads of streams (pipes, terminals) first wait for data with poll, so a
// signal or an exit interrupts them and O_NONBLOCK is honoured without
// touching the host fd's flags.
func hostRead(ctx vfs.Context, fd int, dst []byte, off int64, positional, nonblock bool) (int, linux.Errno) {
	if len(dst) == 0 {
		return 0, 0
	}
	for {
		if !positional {
			if err := waitReady(ctx, fd, unix.POLLIN, nonblock); err != 0 {
				return 0, err
			}
		}
		var n int
		var err error
		if positional {
			n, err = unix.Pread(fd, dst, off)
		} else {
			n, err = unix.Read(fd, dst)
		}
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN && !nonblock && !positional:
			// Someone else took the data (or the host fd is
			// non-blocking): wait again.
			continue
		case err != nil:
			return 0, linux.FromHost(err)
		}
		return n, 0
	}
}

// Write implements vfs.FileImpl.Write. Writes to pipes and terminals are
// retried until complete, like a blocking write on Linux, waiting for room
// with poll so that the task stays interruptible.
func (f *File) Write(ctx vfs.Context, fd *vfs.FileDescription, src []byte, off int64) (int, linux.Errno) {
	nonblock := nonblocking(fd)
	done := 0
	for done < len(src) {
		var n int
		var err error
		switch {
		case f.typ == unix.S_IFREG && off >= 0:
			n, err = unix.Pwrite(f.fd, src[done:], off+int64(done))
		case f.typ == unix.S_IFREG:
			n, err = unix.Write(f.fd, src[done:])
		default:
			if werr := waitReady(ctx, f.fd, unix.POLLOUT, nonblock); werr != 0 {
				if done > 0 {
					return done, 0
				}
				return 0, werr
			}
			n, err = unix.Write(f.fd, src[done:])
		}
		if err == unix.EINTR || (err == unix.EAGAIN && !nonblock && f.typ != unix.S_IFREG) {
			continue
		}
		if err != nil {
			if done > 0 {
				return done, 0
			}
			if err == unix.EPIPE {
				// The reader is gone: SIGPIPE for the writer, as a
				// Linux pipe or socket does.
				if s, ok := ctx.(SelfSignaller); ok {
					s.SignalSelf(int(unix.SIGPIPE))
				}
			}
			return 0, linux.FromHost(err)
		}
		done += n
	}
	return done, 0
}

// SelfSignaller is implemented by contexts (tasks) that can be sent a
// signal raised by their own operation (SIGPIPE).
type SelfSignaller interface {
	SignalSelf(sig int)
}

// Seek implements vfs.FileImpl.Seek.
func (f *File) Seek(_ vfs.Context, _ *vfs.FileDescription, offset int64, whence int32, cur int64) (int64, linux.Errno) {
	if f.typ != unix.S_IFREG {
		return 0, linux.ESPIPE
	}
	n, err := unix.Seek(f.fd, offset, int(whence))
	if err != nil {
		return 0, linux.FromHost(err)
	}
	return n, 0
}

// Sync implements vfs.Syncer.Sync.
func (f *File) Sync(vfs.Context) linux.Errno {
	if f.typ != unix.S_IFREG {
		return linux.EINVAL
	}
	return linux.FromHost(unix.Fsync(f.fd))
}

// HostFD implements vfs.HostFDer.HostFD for regular files.
func (f *File) HostFD() (int, bool) { return f.fd, f.typ == unix.S_IFREG }

// Stat implements vfs.FileStater.Stat with a sandbox view of the host
// attributes: the host device numbers are replaced by the sentry's.
func (f *File) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	var st unix.Stat_t
	if err := unix.Fstat(f.fd, &st); err != nil {
		return linux.Statx{}, linux.FromHost(err)
	}
	sx := linux.Statx{
		Mask:     linux.STATX_BASIC_STATS,
		Blksize:  uint32(st.Blksize),
		Nlink:    uint32(st.Nlink),
		UID:      st.Uid,
		GID:      st.Gid,
		Mode:     uint16(st.Mode),
		Ino:      st.Ino,
		Size:     uint64(st.Size),
		Blocks:   uint64(st.Blocks),
		Atime:    linux.StatxTimestamp{Sec: st.Atim.Sec, Nsec: uint32(st.Atim.Nsec)},
		Mtime:    linux.StatxTimestamp{Sec: st.Mtim.Sec, Nsec: uint32(st.Mtim.Nsec)},
		Ctime:    linux.StatxTimestamp{Sec: st.Ctim.Sec, Nsec: uint32(st.Ctim.Nsec)},
		DevMinor: f.devMinor,
	}
	if f.typ == unix.S_IFCHR || f.typ == unix.S_IFBLK {
		sx.RdevMajor, sx.RdevMinor = unix.Major(st.Rdev), unix.Minor(st.Rdev)
	}
	return sx, 0
}

// SetStat implements vfs.FileStater.SetStat: host files' attributes belong
// to the host; only truncation of regular files is passed through.
func (f *File) SetStat(_ vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	if opts.Mask == linux.STATX_SIZE && f.typ == unix.S_IFREG {
		return linux.FromHost(unix.Ftruncate(f.fd, int64(opts.Size)))
	}
	if opts.Mask&linux.STATX_SIZE != 0 {
		return linux.EINVAL
	}
	return linux.EPERM
}
