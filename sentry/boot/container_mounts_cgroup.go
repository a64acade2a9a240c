package boot

import (
	"fmt"
	"path"

	"moat/sentry/fs/sys"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

// newCgroupV1Root returns the file system a "cgroup" mount puts at its
// mount point, as a cgroup v1 host has at /sys/fs/cgroup: a tmpfs with
// a directory for each hierarchy (sys.V1Hierarchies), where
// mountCgroupV1 mounts it, and symlinks for co-mounted controllers
// ("cpu" -> "cpu,cpuacct").
func newCgroupV1Root(v *vfs.VirtualFilesystem) (*vfs.Filesystem, error) {
	fs := tmpfs.New(v, tmpfs.Options{RootMode: 0o755, MaxBytes: 1})
	ctx := vfs.RootContext()
	root := fs.Root().Inode()
	for _, h := range sys.V1Hierarchies {
		if _, errno := root.Mkdir(ctx, h.Name, vfs.CreateOptions{Mode: 0o555}); errno != 0 {
			return nil, fmt.Errorf("building the cgroup directory %s: %w", h.Name, errno)
		}
		for _, l := range h.Links {
			if _, errno := root.Symlink(ctx, l, h.Name, vfs.CreateOptions{Mode: 0o777}); errno != 0 {
				return nil, fmt.Errorf("building the cgroup link %s: %w", l, errno)
			}
		}
	}
	return fs, nil
}

// mountCgroupV1 mounts each cgroup v1 hierarchy's file system in its
// directory below at (where newCgroupV1Root is mounted), with the
// parent's flags and source, so that /proc/self/mountinfo lists each
// with its controllers as Go's runtime and JVMs look for them.
func mountCgroupV1(s *Sandbox, at string, flags vfs.MountFlags, source string) error {
	for _, h := range sys.V1Hierarchies {
		p := path.Join(at, h.Name)
		mnt, errno := s.VFS.MountAt(vfs.RootContext(), s.Root(), p, sys.NewCgroup(s.Kernel, s.VFS, h), flags)
		if errno != 0 {
			return fmt.Errorf("mounting the cgroup hierarchy %s: %w", h.Name, errno)
		}
		mnt.SetSource(source, "")
	}
	return nil
}
