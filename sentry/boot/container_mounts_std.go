package boot

import (
	"fmt"

	"moat/internal/log"
	"moat/sentry/abi/linux"
	"moat/sentry/fs/mqueue"
	"moat/sentry/vfs"
)

// stdFilesystems are the sentry's own /dev, /proc and /dev/pts, by mount
// point. Every sandbox has them; a container mounts them where its spec
// lists them, so that /proc/self/mountinfo follows the spec's order.
type stdFilesystems map[string]*vfs.Filesystem

// stdMountOrder is the order in which standard file systems the spec does
// not list are mounted, before the spec's mounts.
var stdMountOrder = []string{"/dev", "/proc", "/dev/pts"}

// stdMountFlags are the flags of a standard mount the spec does not list
// (those of runc's default spec).
var stdMountFlags = map[string]vfs.MountFlags{
	"/dev":     {NoSuid: true},
	"/proc":    {NoSuid: true, NoDev: true, NoExec: true},
	"/dev/pts": {NoSuid: true, NoExec: true},
}

// mountStd mounts the standard file system of point at the path at (point
// itself, or where a symlink in the image sends it) with flags and source
// (empty: the type's name). A missing mount point in the root file system
// is logged and skipped.
func (s *Sandbox) mountStd(point, at string, flags vfs.MountFlags, source string) error {
	fs := s.std[point]
	if fs == nil {
		return fmt.Errorf("mounting %s: not a standard mount point", point)
	}
	m, errno := s.VFS.MountAt(vfs.RootContext(), s.Root(), at, fs, flags)
	if errno == linux.ENOENT {
		// TODO(#3): create mount points (in the overlay) when the root
		// file system lacks them.
		log.Warningf("not mounting %s: the root file system has no such directory", point)
		return nil
	}
	if errno != 0 {
		return fmt.Errorf("mounting %s: %w", point, errno)
	}
	if source != "" {
		m.SetSource(source, "")
	}
	s.stdMounts[point] = m
	return nil
}

// newMqueue returns an mqueue mount of the container: the POSIX message
// queues of its IPC namespace (sentry/fs/mqueue).
func (s *Sandbox) newMqueue() *vfs.Filesystem {
	ns := s.ipcns
	if ns == nil {
		ns = s.Kernel.RootIPCNamespace()
	}
	return mqueue.NewFilesystem(s.VFS, ns.MQ())
}
