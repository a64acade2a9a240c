package gofer

import (
	"strings"

	"golang.org/x/sys/unix"
)

// resolveFlags confine every name resolution of the server: the result must
// lie beneath the starting directory, and no symlink (magic or not) is
// followed on the way. Names are single components, so this refuses a
// symlink as the last component except with O_PATH|O_NOFOLLOW, where
// openat2 returns the symlink itself.
const resolveFlags = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS

// openAt opens the single component name under dirfd with openat2 and the
// server's resolve flags; O_CLOEXEC, O_NOFOLLOW and (except with O_PATH,
// where openat2 refuses it) O_NOCTTY are always added.
func openAt(dirfd int, name string, flags int, mode uint32) (int, error) {
	flags |= unix.O_CLOEXEC | unix.O_NOFOLLOW
	if flags&unix.O_PATH == 0 {
		flags |= unix.O_NOCTTY
	}
	how := unix.OpenHow{
		Flags:   uint64(flags),
		Mode:    uint64(mode),
		Resolve: resolveFlags,
	}
	for {
		fd, err := unix.Openat2(dirfd, name, &how)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// openPath opens name under dirfd as an O_PATH descriptor of the file
// itself (a symlink is not followed) and stats it.
func openPath(dirfd int, name string, st *unix.Stat_t) (int, error) {
	fd, err := openAt(dirfd, name, unix.O_PATH, 0)
	if err != nil {
		return -1, err
	}
	if err := unix.Fstat(fd, st); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// validName reports whether name is a single path component the server
// accepts: not empty, not "." or "..", no "/" or NUL, at most NAME_MAX
// bytes.
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && len(name) <= 255 &&
		!strings.ContainsAny(name, "/\x00")
}

// sameFile reports whether st describes the file n.
func sameFile(n *node, st *unix.Stat_t) bool {
	return st.Dev == n.dev && st.Ino == n.ino
}

// openFlags are the open(2) flags a client may pass to Open (Create also
// takes O_EXCL).
const openFlags = unix.O_ACCMODE | unix.O_TRUNC | unix.O_APPEND | unix.O_NONBLOCK |
	unix.O_DIRECTORY | unix.O_DSYNC | unix.O_SYNC | unix.O_DIRECT | unix.O_NOATIME |
	unix.O_LARGEFILE | unix.O_NOFOLLOW | unix.O_CLOEXEC | unix.O_NOCTTY

// validOpenFlags reports whether flags are ones a client may pass to Open
// (plus extra): known flags only, and a real access mode (Linux gives the
// value 3 a meaning for some devices, never needed here).
func validOpenFlags(flags, extra int) bool {
	return flags&^(openFlags|extra) == 0 && flags&unix.O_ACCMODE != unix.O_ACCMODE
}

// writes reports whether open flags ask for write access.
func writes(flags int) bool {
	return flags&unix.O_ACCMODE != unix.O_RDONLY || flags&unix.O_TRUNC != 0
}

// reopen opens the node n for I/O with flags, without going through a magic
// link: a directory is reopened as "." relative to its own O_PATH
// descriptor; anything else by name relative to its parent's descriptor,
// after which the file is checked to be n (ESTALE if the name now names
// another file). O_TRUNC is applied only once the file is known to be n.
func (s *Server) reopen(n *node, flags int) (int, unix.Errno) {
	if n.isDir() {
		if flags&unix.O_ACCMODE != unix.O_RDONLY || flags&unix.O_TRUNC != 0 {
			return -1, unix.EISDIR
		}
		fd, err := openAt(n.fd, ".", flags|unix.O_DIRECTORY, 0)
		if err != nil {
			return -1, errnoOf(err)
		}
		return fd, 0
	}
	if flags&unix.O_DIRECTORY != 0 {
		return -1, unix.ENOTDIR
	}
	switch n.mode {
	case unix.S_IFLNK:
		return -1, unix.ELOOP
	case unix.S_IFSOCK:
		return -1, unix.ENXIO
	case unix.S_IFCHR, unix.S_IFBLK:
		// The sentry serves devices itself; host device nodes in a
		// container's tree are never opened.
		return -1, unix.EPERM
	}
	if n == s.rootNode() {
		return reopenRootFile(n.fd, flags)
	}
	p, name, errno := s.parentOf(n)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(p)
	// O_NONBLOCK keeps a FIFO (or a file swapped for one) from blocking a
	// worker; it is cleared again below for regular files.
	fd, err := openAt(p.fd, name, (flags&^unix.O_TRUNC)|unix.O_NONBLOCK, 0)
	if err != nil {
		return -1, errnoOf(err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, errnoOf(err)
	}
	if !sameFile(n, &st) {
		unix.Close(fd)
		return -1, unix.ESTALE
	}
	if st.Mode&unix.S_IFMT == unix.S_IFREG {
		if flags&unix.O_NONBLOCK == 0 {
			// F_SETFL changes only the status flags (O_APPEND,
			// O_DIRECT, O_NOATIME, O_NONBLOCK, O_ASYNC) and ignores
			// the rest, so the open flags serve as they are.
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, flags&^unix.O_NONBLOCK); err != nil {
				unix.Close(fd)
				return -1, errnoOf(err)
			}
		}
		if flags&unix.O_TRUNC != 0 && flags&unix.O_ACCMODE != unix.O_RDONLY {
			if err := unix.Ftruncate(fd, 0); err != nil {
				unix.Close(fd)
				return -1, errnoOf(err)
			}
		}
	}
	return fd, 0
}

// reopenRootFile opens a regular file served as a mount's root (see
// OpenMount), which has no parent to name it from, through its file handle:
// name_to_handle_at on the root descriptor, then open_by_handle_at relative
// to that same descriptor, so on the same (possibly read-only) mount. No
// name and no magic link are involved, and the handle names exactly this
// file. It needs CAP_DAC_READ_SEARCH (kept after Setup), a file system
// that exports handles, and a root descriptor that is not O_PATH
// (open_by_handle_at refuses those).
func reopenRootFile(rootFD, flags int) (int, unix.Errno) {
	h, _, err := unix.NameToHandleAt(rootFD, "", unix.AT_EMPTY_PATH)
	if err != nil {
		return -1, errnoOf(err)
	}
	fd, err := unix.OpenByHandleAt(rootFD, h, flags|unix.O_CLOEXEC|unix.O_NOCTTY)
	if err != nil {
		return -1, errnoOf(err)
	}
	return fd, 0
}
