package vfs

import (
	"path"
	"strings"
)

// mountSource is what /proc/PID/mountinfo says of a mount beyond its
// flags and file system type.
type mountSource struct {
	// source is the mount's source ("proc", "shm", a host path); empty
	// means "the file system type's usual name".
	source string
	// rootPrefix is the path, in the host's terms, of the root of the
	// mount's file system ("/srv/data" for a gofer file system serving
	// that host directory); empty for the sentry's own file systems.
	rootPrefix string
}

// SetSource records the mount's source and the host path its file system
// serves (empty when it is a sentry file system), for mountinfo. Bind
// mounts made from m inherit both.
func (m *Mount) SetSource(source, rootPrefix string) {
	m.src.Store(&mountSource{source: source, rootPrefix: rootPrefix})
}

// Source returns the mount's source as SetSource recorded it ("" if none).
func (m *Mount) Source() string {
	if s := m.src.Load(); s != nil {
		return s.source
	}
	return ""
}

// RootPath returns the path of the mount's root within its file system,
// as the fourth field of /proc/PID/mountinfo shows it: "/" for a mount of
// a whole file system, the bound directory for a bind mount, prefixed
// with the host path a gofer file system serves.
func (m *Mount) RootPath() string {
	prefix := ""
	if s := m.src.Load(); s != nil {
		prefix = s.rootPrefix
	}
	m.vfs.renameMu.RLock()
	var names []string
	for d := m.root; d.parent != nil; d = d.parent {
		names = append(names, d.name)
	}
	m.vfs.renameMu.RUnlock()
	var b strings.Builder
	for i := len(names) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(names[i])
	}
	if prefix == "" {
		if b.Len() == 0 {
			return "/"
		}
		return b.String()
	}
	return path.Join(prefix, b.String())
}

// inheritSource gives the bind mount m its source mount's source.
func (m *Mount) inheritSource(from *Mount) {
	if s := from.src.Load(); s != nil {
		m.src.Store(s)
	}
}
