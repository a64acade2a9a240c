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
	// Root is the mount's root within its file system.
	Root string
	// Point is the mount point as the reader sees it.
	Point  string
	FSType string
	// Source is the mount's source ("proc", "shm", a host path).
	Source string
	Flags  vfs.MountFlags
	// Super are the file system's own options after rw/ro ("cpu,cpuacct"
	// for a cgroup v1 hierarchy), or "".
	Super string
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

// collectMounts lists the mounts visible below root, by mount ID (the
// order they were made in). A mount whose parent is not visible (the
// reader's root mount) names itself as its parent.
func (fs *filesystem) collectMounts(root vfs.VirtualDentry) []mountEntry {
	var out []mountEntry
	for _, m := range fs.v.Mounts() {
		point, ok := fs.v.PathName(root, m.Root())
		if !ok {
			continue
		}
		e := mountEntry{
			ID:       m.ID(),
			ParentID: m.ID(),
			DevMinor: m.Filesystem().DevMinor(),
			Root:     m.RootPath(),
			Point:    point,
			FSType:   m.Filesystem().Impl().Name(),
			Source:   m.Source(),
			Flags:    m.Flags(),
		}
		if p, _ := m.Parent(); p != nil {
			if _, ok := fs.v.PathName(root, p.Root()); ok {
				e.ParentID = p.ID()
			}
		}
		if e.Source == "" {
			e.Source = mountSource(e.FSType)
		}
		if so, ok := m.Filesystem().Impl().(interface{ SuperOptions() string }); ok {
			e.Super = so.SuperOptions()
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
		fmt.Fprintf(&b, "%s %s %s %s%s 0 0\n", escapeMountField(m.Source), escapeMountField(m.Point), m.FSType, mountOptions(m.Flags), withComma(m.Super))
	}
	return []byte(b.String())
}

// withComma returns "," + s, or "" for an empty s.
func withComma(s string) string {
	if s == "" {
		return ""
	}
	return "," + s
}

// formatMountinfo renders /proc/PID/mountinfo. No mount shares a peer
// group (there is no mount propagation).
func formatMountinfo(ms []mountEntry) []byte {
	var b strings.Builder
	for _, m := range ms {
		super := "rw"
		if m.Flags.ReadOnly {
			super = "ro"
		}
		fmt.Fprintf(&b, "%d %d 0:%d %s %s %s - %s %s %s%s\n", m.ID, m.ParentID, m.DevMinor,
			escapeMountField(m.Root), escapeMountField(m.Point), mountOptions(m.Flags), m.FSType,
			escapeMountField(m.Source), super, withComma(m.Super))
	}
	return []byte(b.String())
}
