package cgroups

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// v1Controllers are the cgroup v1 controllers a container joins, in the
// order their directories are made: each takes part in a resource or in
// the stats. (devices, freezer and the name=systemd hierarchy are not
// joined: the sandbox opens no host device, pause is done by the sentry,
// and no systemd unit is made.)
var v1Controllers = []string{"cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "hugetlb", "net_cls", "net_prio"}

// v2Controllers are the cgroup v2 controllers enabled for a container's
// cgroup, when the parent offers them.
var v2Controllers = []string{"cpu", "cpuset", "io", "memory", "pids", "hugetlb"}

// ErrNoCgroupFS: the host has no cgroup file system mounted.
var ErrNoCgroupFS = errors.New("no cgroup file system is mounted")

// Hierarchy is one mounted cgroup hierarchy.
type Hierarchy struct {
	// Mountpoint is where it is mounted; Root is the cgroup the mount
	// shows (not "/" inside a cgroup namespace or a bind mount).
	Mountpoint, Root string
	// Controllers are a v1 hierarchy's controllers (nil for cgroup2).
	Controllers []string
}

// dir returns the directory of cgroup p (absolute in the hierarchy), or
// an error when the mount does not show it.
func (h *Hierarchy) dir(p string) (string, error) {
	rel := strings.TrimPrefix(p, h.Root)
	if h.Root != "/" && rel == p {
		return "", fmt.Errorf("cgroup %s is outside the mount of %s at %s", p, h.Root, h.Mountpoint)
	}
	return path.Join(h.Mountpoint, rel), nil
}

// Host is the host's cgroup layout as the calling process sees it.
type Host struct {
	// Version is 1 when v1 controllers are mounted (a hybrid host with a
	// cgroup2 mount beside them included: controllers are v1 there) and 2
	// on a unified-only host.
	Version int
	// V1 maps a mounted v1 controller to its hierarchy.
	V1 map[string]*Hierarchy
	// Unified is the cgroup2 mount, if any.
	Unified *Hierarchy
	// Own maps a v1 controller to the calling process's cgroup in it;
	// key "" is its cgroup v2 path.
	Own map[string]string
}

// Discover reads the host's cgroup mounts (/proc/self/mountinfo) and the
// calling process's cgroups (/proc/self/cgroup).
func Discover(fs FS) (*Host, error) {
	mi, err := fs.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("reading mounts: %w", err)
	}
	pc, err := fs.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("reading own cgroups: %w", err)
	}
	h := &Host{V1: map[string]*Hierarchy{}, Own: parseProcCgroup(string(pc))}
	for _, line := range strings.Split(string(mi), "\n") {
		m, ok := parseMountinfoLine(line)
		if !ok {
			continue
		}
		switch m.fstype {
		case "cgroup2":
			if h.Unified == nil {
				h.Unified = &Hierarchy{Mountpoint: m.mountpoint, Root: m.root}
			}
		case "cgroup":
			hier := &Hierarchy{Mountpoint: m.mountpoint, Root: m.root}
			for _, o := range strings.Split(m.superOpts, ",") {
				if isV1Controller(o) {
					hier.Controllers = append(hier.Controllers, o)
				}
			}
			for _, c := range hier.Controllers {
				if h.V1[c] == nil {
					h.V1[c] = hier
				}
			}
		}
	}
	switch {
	case len(h.V1) > 0:
		h.Version = 1
	case h.Unified != nil:
		h.Version = 2
	default:
		return nil, ErrNoCgroupFS
	}
	return h, nil
}

func isV1Controller(s string) bool {
	for _, c := range v1Controllers {
		if c == s {
			return true
		}
	}
	return false
}

type mountinfo struct {
	root, mountpoint, fstype, superOpts string
}

// parseMountinfoLine parses one line of /proc/self/mountinfo:
// "id parent major:minor root mountpoint opts [optional...] - fstype source superopts".
func parseMountinfoLine(line string) (mountinfo, bool) {
	pre, post, ok := strings.Cut(line, " - ")
	if !ok {
		return mountinfo{}, false
	}
	f, g := strings.Fields(pre), strings.Fields(post)
	if len(f) < 6 || len(g) < 3 {
		return mountinfo{}, false
	}
	return mountinfo{root: unescapeOctal(f[3]), mountpoint: unescapeOctal(f[4]), fstype: g[0], superOpts: g[2]}, true
}

// unescapeOctal undoes mountinfo's \ooo escapes (space, tab, newline, \).
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// parseProcCgroup parses /proc/self/cgroup ("id:controllers:path" lines)
// into controller → path, with "" for the cgroup v2 line.
func parseProcCgroup(s string) map[string]string {
	own := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		if f[0] == "0" && f[1] == "" {
			own[""] = f[2]
			continue
		}
		for _, c := range strings.Split(f[1], ",") {
			own[c] = f[2]
		}
	}
	return own
}
