package gofer

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// OpenMount prepares the host directory source to be served as a bind
// mount: it clones source's mount tree into a detached mount
// (open_tree(OPEN_TREE_CLONE|AT_RECURSIVE)), sets nosuid and nodev on it —
// and read-only when readOnly, so the host kernel enforces it — and returns
// its root as a descriptor for NewServer or Serve (with a Config whose
// ReadOnly matches).
//
// A detached mount is reachable only through its descriptor, so it needs no
// mount point inside the container's tree and stays usable after Setup has
// pivoted away from the host's root: call OpenMount for every bind mount
// before Setup, then serve each one on its own connection. It needs
// CAP_SYS_ADMIN. Sources that are not directories get ENOTDIR (file bind
// mounts are not served yet; see docs/gofer.md).
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
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
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
	return fd, nil
}
