package gofer

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// OpenMount prepares the host directory or regular file source to be
// served as a bind mount: it clones source's mount tree into a detached mount
// (open_tree(OPEN_TREE_CLONE|AT_RECURSIVE)), sets nosuid and nodev on it —
// and read-only when readOnly, so the host kernel enforces it — and returns
// its root as a descriptor for NewServer or Serve (with a Config whose
// ReadOnly matches).
//
// A detached mount is reachable only through its descriptor, so it needs no
// mount point inside the container's tree and stays usable after Setup has
// pivoted away from the host's root: call OpenMount for every bind mount
// before Setup, then serve each one on its own connection. It needs
// CAP_SYS_ADMIN, and /proc for a file source.
//
// A file is served as a tree of one node with no parent, which Open reaches
// through its file handle (see reopenRootFile). Its root descriptor must be
// a real one on the cloned mount, not O_PATH: OpenMount reopens the clone
// once through /proc/self/fd, here, before Setup, in the gofer's trusted
// start-up; no request ever goes through a magic link. Other types get
// ENOTDIR.
func OpenMount(source string, readOnly bool) (int, error) {
	fd, err := unix.OpenTree(unix.AT_FDCWD, source,
		unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE|unix.AT_SYMLINK_NOFOLLOW)
	if err != nil {
		return -1, fmt.Errorf("cloning mount %q: %w", source, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("mount %q: %w", source, err)
	}
	if t := st.Mode & unix.S_IFMT; t != unix.S_IFDIR && t != unix.S_IFREG {
		unix.Close(fd)
		return -1, fmt.Errorf("mount %q: %w", source, unix.ENOTDIR)
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if readOnly {
		attr.Attr_set |= unix.MOUNT_ATTR_RDONLY
	}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &attr); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("setting attributes of mount %q: %w", source, err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFREG {
		ffd, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", fd), unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
		unix.Close(fd)
		if err != nil {
			return -1, fmt.Errorf("opening file mount %q: %w", source, err)
		}
		var fst unix.Stat_t
		if err := unix.Fstat(ffd, &fst); err != nil || fst.Dev != st.Dev || fst.Ino != st.Ino {
			unix.Close(ffd)
			return -1, fmt.Errorf("opening file mount %q: %w", source, unix.ESTALE)
		}
		fd = ffd
	}
	return fd, nil
}
