package gofer

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// MountPoint is one of a container's mounts, in the spec's order, as
// MakeMountPoints needs it (runsc gofer --mount-points, a JSON list).
type MountPoint struct {
	// Path is the mount's destination, absolute in the container.
	Path string `json:"path"`
	// File is set for a bind mount of a non-directory: its mount point
	// is an empty regular file.
	File bool `json:"file,omitempty"`
	// Transparent is set for a bind of the root file system itself onto
	// "/": what lies under it is the root file system, so it hides no
	// later mount point. Every other mount does.
	Transparent bool `json:"transparent,omitempty"`
}

// maxMountPointLinks bounds the symbolic links followed while resolving
// one mount point (Linux's MAXSYMLINKS).
const maxMountPointLinks = 40

// MakeMountPoints creates, in the host directory root, the mount points of
// mps that are missing, walking them in order as runc does before it
// makes a root read-only: missing directories on the way (0755) and the
// last component as a directory, or as an empty regular file (0644) for
// File. A mount point at or below the destination of an earlier mount
// (a tmpfs on /tmp, /dev's mounts) is left alone: it lies in that file
// system, where the sandbox creates it when it mounts.
//
// Symbolic links are followed as the container would see them, inside
// root: an absolute target starts again at root and ".." stops at root,
// so a link in the image never sends a mount point out of it. Each
// component is opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
// | RESOLVE_NO_MAGICLINKS) relative to its parent, and links are read and
// resolved here, one at a time.
//
// Preconditions:
//   - It runs before Setup, in the gofer's own mount namespace.
func MakeMountPoints(root string, mps []MountPoint) error {
	rootFD, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening root %q: %w", root, err)
	}
	defer unix.Close(rootFD)
	old := unix.Umask(0)
	defer unix.Umask(old)
	var covered []string // destinations of earlier mounts, resolved
	for _, mp := range mps {
		resolved, err := makeMountPoint(rootFD, mp, covered)
		if err != nil {
			return fmt.Errorf("creating mount point %s: %w", mp.Path, err)
		}
		if !mp.Transparent {
			covered = append(covered, resolved)
		}
	}
	return nil
}

// makeMountPoint resolves mp.Path inside the root at rootFD, creating what
// is missing unless the walk reaches one of covered, and returns the
// path it resolved to (inside the root, no links; below a covered one,
// the rest as written).
func makeMountPoint(rootFD int, mp MountPoint, covered []string) (string, error) {
	fds := []int{rootFD} // the directories walked; fds[0] is not ours
	var names []string   // their names below the root
	defer func() {
		for _, fd := range fds[1:] {
			unix.Close(fd)
		}
	}()
	todo := components(mp.Path)
	links, tries := 0, 0
	for len(todo) > 0 {
		if cur := "/" + path.Join(names...); underAny(cur, covered) {
			// Inside an earlier mount: not the root file system's.
			return path.Join(cur, path.Clean("/"+strings.Join(todo, "/"))), nil
		}
		name := todo[0]
		todo = todo[1:]
		if name == ".." {
			if len(names) > 0 {
				unix.Close(fds[len(fds)-1])
				fds, names = fds[:len(fds)-1], names[:len(names)-1]
			}
			continue
		}
		last := len(todo) == 0
		dir := fds[len(fds)-1]
		var st unix.Stat_t
		fd, err := openPath(dir, name, &st)
		if errors.Is(err, unix.ENOENT) {
			// Make it, then look again: a file made by someone else
			// meanwhile is used (or refused) like any other.
			if tries++; tries > maxMountPointLinks {
				return "", unix.ELOOP
			}
			if err := createMountPoint(dir, name, last && mp.File); err != nil {
				return "", fmt.Errorf("%s: %w", "/"+path.Join(append(names, name)...), err)
			}
			todo = append([]string{name}, todo...)
			continue
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", "/"+path.Join(append(names, name)...), err)
		}
		if st.Mode&unix.S_IFMT == unix.S_IFLNK {
			target, err := readlinkFD(fd)
			unix.Close(fd)
			if err != nil {
				return "", fmt.Errorf("%s: %w", "/"+path.Join(append(names, name)...), err)
			}
			if links++; links > maxMountPointLinks {
				return "", unix.ELOOP
			}
			if strings.HasPrefix(target, "/") {
				for _, fd := range fds[1:] {
					unix.Close(fd)
				}
				fds, names = fds[:1], nil
			}
			todo = append(components(target), todo...)
			continue
		}
		fds, names = append(fds, fd), append(names, name)
		if !last && st.Mode&unix.S_IFMT != unix.S_IFDIR && !underAny("/"+path.Join(names...), covered) {
			return "", fmt.Errorf("%s: %w", "/"+path.Join(names...), unix.ENOTDIR)
		}
	}
	return "/" + path.Join(names...), nil
}

// createMountPoint creates name in dir: an empty regular file (0644) if
// file, else a directory (0755). One that exists already is no error.
func createMountPoint(dir int, name string, file bool) error {
	var err error
	if file {
		var fd int
		fd, err = openAt(dir, name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY, 0o644)
		if err == nil {
			unix.Close(fd)
		}
	} else {
		err = unix.Mkdirat(dir, name, 0o755)
	}
	if errors.Is(err, unix.EEXIST) {
		return nil
	}
	return err
}

// components splits p into its names, without empty ones and ".".
func components(p string) []string {
	var out []string
	for _, n := range strings.Split(p, "/") {
		if n != "" && n != "." {
			out = append(out, n)
		}
	}
	return out
}

// readlinkFD returns the target of the symbolic link fd (O_PATH).
func readlinkFD(fd int) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(fd, "", buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// underAny reports whether p is one of dirs or lies below one of them.
func underAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || d == "/" || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}
