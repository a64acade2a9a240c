package gofer

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// MountPoint is a place in a container's root where the sandbox mounts
// something (runsc gofer --mount-points, a JSON list).
type MountPoint struct {
	// Path is absolute, inside the root.
	Path string `json:"path"`
	// File is set for a file bind mount: the mount point is a file.
	File bool `json:"file,omitempty"`
}

// MakeMountPoints creates, under the host directory root, the mount points
// that do not exist yet: the parents as directories (0755) and the last
// component as a directory or, for File, an empty file (0644). This is
// what runc does in a container's rootfs before making it read-only; the
// gofer does it for a read-only root, whose tree it then serves read-only,
// so that the sandbox finds every mount point. Every path resolves inside
// root (openat2 RESOLVE_IN_ROOT, no magic links): a symbolic link in the
// image cannot send a mount point outside it.
//
// Preconditions:
//   - It runs before Setup (the host's tree is still reachable).
func MakeMountPoints(root string, mps []MountPoint) error {
	rootFD, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening root %q: %w", root, err)
	}
	defer unix.Close(rootFD)
	for _, mp := range mps {
		if err := makeMountPoint(rootFD, mp, 0); err != nil {
			return fmt.Errorf("mount point %s: %w", mp.Path, err)
		}
	}
	return nil
}

// maxLinks bounds the symbolic links followed while making one mount
// point (Linux's MAXSYMLINKS).
const maxLinks = 40

func makeMountPoint(rootFD int, mp MountPoint, links int) error {
	p := path.Clean("/" + mp.Path)
	if p == "/" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	cur := "/"
	for i, name := range parts {
		next := path.Join(cur, name)
		fd, err := openInRoot(rootFD, next, unix.O_PATH)
		if err == nil {
			unix.Close(fd)
			cur = next
			continue
		}
		if !errors.Is(err, unix.ENOENT) {
			return err
		}
		dir, err := openInRoot(rootFD, cur, unix.O_PATH|unix.O_DIRECTORY)
		if err != nil {
			return err
		}
		last := i == len(parts)-1
		if target, lerr := readlinkat(dir, name); lerr == nil {
			// A dangling symbolic link: make its target (inside the
			// root), as runc does.
			unix.Close(dir)
			if links++; links > maxLinks {
				return unix.ELOOP
			}
			if !path.IsAbs(target) {
				target = path.Join(cur, target)
			}
			if err := makeMountPoint(rootFD, MountPoint{Path: target, File: last && mp.File}, links); err != nil {
				return err
			}
			cur = next
			continue
		}
		if last && mp.File {
			var f int
			f, err = unix.Openat(dir, name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
			if err == nil {
				unix.Close(f)
			}
		} else {
			err = unix.Mkdirat(dir, name, 0o755)
		}
		unix.Close(dir)
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return err
		}
		cur = next
	}
	return nil
}

// readlinkat returns the target of the symbolic link name in dir.
func readlinkat(dir int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dir, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// openInRoot opens p (absolute, inside the root) relative to rootFD,
// resolving every component, symbolic links included, inside it.
func openInRoot(rootFD int, p string, flags int) (int, error) {
	how := unix.OpenHow{
		Flags:   uint64(flags | unix.O_CLOEXEC),
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	rel := strings.TrimPrefix(p, "/")
	if rel == "" {
		rel = "."
	}
	for {
		fd, err := unix.Openat2(rootFD, rel, &how)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		return fd, err
	}
}
