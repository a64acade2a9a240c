package proc

import (
	"fmt"
	"sort"
	"strings"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// mountEntry is one line of /proc/PID/mounts and mountinfo.
type mountEntry struct {
	ID, ParentID uint64
	DevMinor     uint32
	// Point is the mount point as the reader sees it.
	Point  string
	FSType string
	Flags  vfs.MountFlags
}

// mountsFile returns the taskEntry constructor of mounts or mountinfo.
func mountsFile(info bool) func(*taskDir, node) vfs.Inode {
	return func(d *taskDir, n node) vfs.Inode {
		fs := d.fs
		return &genFile{node: n, gen: func(ctx vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
			ms := fs.collectMounts(fs.readerRoot(nil, t))
			if info {
				return formatMountinfo(ms), 0
			}
			return formatMounts(ms), 0
		}}
	}
}

// collectMounts lists the mounts visible below root, by mount ID.
func (fs *filesystem) collectMounts(root vfs.VirtualDentry) []mountEntry {
	all := fs.v.Mounts()
	// A mount's ancestors are the mounts its root is reachable from; its
	// parent is the ancestor with the most ancestors of its own.
	// TODO(#4): use the mount's parent once the vfs exposes it.
	ancestors := make(map[*vfs.Mount][]*vfs.Mount, len(all))
	for _, m := range all {
		for _, p := range all {
			if p == m {
				continue
			}
			if _, ok := fs.v.PathName(p.Root(), m.Root()); ok {
				ancestors[m] = append(ancestors[m], p)
			}
		}
	}
	var out []mountEntry
	for _, m := range all {
		point, ok := fs.v.PathName(root, m.Root())
		if !ok {
			continue
		}
		e := mountEntry{
			ID:       m.ID(),
			ParentID: m.ID(),
			DevMinor: m.Filesystem().DevMinor(),
			Point:    point,
			FSType:   m.Filesystem().Impl().Name(),
			Flags:    m.Flags(),
		}
		best := -1
		for _, p := range ancestors[m] {
			if n := len(ancestors[p]); n > best || (n == best && p.ID() > e.ParentID) {
				best, e.ParentID = n, p.ID()
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// mountOptions renders a mount's per-mount options.
func mountOptions(f vfs.MountFlags) string {
	o := "rw"
	if f.ReadOnly {
		o = "ro"
	}
	if f.NoSuid {
		o += ",nosuid"
	}
	if f.NoDev {
		o += ",nodev"
	}
	if f.NoExec {
		o += ",noexec"
	}
	return o + ",relatime"
}

// mountSource is the "device" shown for a file system type.
func mountSource(fstype string) string {
	switch fstype {
	case "proc", "tmpfs", "sysfs", "devpts", "devtmpfs", "overlay":
		return fstype
	}
	return "none"
}

// escapeMountField escapes space, tab, newline and backslash as octal,
// as Linux does in mount tables.
func escapeMountField(s string) string {
	if !strings.ContainsAny(s, " \t\n\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\\':
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// formatMounts renders /proc/PID/mounts.
func formatMounts(ms []mountEntry) []byte {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s %s %s %s 0 0\n", mountSource(m.FSType), escapeMountField(m.Point), m.FSType, mountOptions(m.Flags))
	}
	return []byte(b.String())
}

// formatMountinfo renders /proc/PID/mountinfo. Every mount is the root of
// its file system (there are no bind mounts of subtrees yet) and shares
// no peer group.
func formatMountinfo(ms []mountEntry) []byte {
	var b strings.Builder
	for _, m := range ms {
		super := "rw"
		if m.Flags.ReadOnly {
			super = "ro"
		}
		fmt.Fprintf(&b, "%d %d 0:%d / %s %s - %s %s %s\n", m.ID, m.ParentID, m.DevMinor,
			escapeMountField(m.Point), mountOptions(m.Flags), m.FSType, mountSource(m.FSType), super)
	}
	return []byte(b.String())
}
