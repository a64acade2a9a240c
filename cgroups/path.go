package cgroups

import (
	"fmt"
	"path"
	"strings"
)

// DefaultParent is where a container without linux.cgroupsPath gets its
// cgroup: /moat/<id>.
const DefaultParent = "/moat"

// ResolvePath turns a spec's linux.cgroupsPath into a cgroup path, with
// runc's rules:
//   - empty: /moat/<id> (with systemd: the unit moat-<id>.scope in
//     system.slice);
//   - absolute ("/a/b"): that cgroup in every hierarchy;
//   - relative ("a/b"): under the runtime's own cgroup in each hierarchy
//     (the result keeps no leading "/" to say so);
//   - with systemd, "slice:prefix:name": the directory systemd would
//     give unit prefix-name.scope in that slice (see SystemdPath).
//
// ".." cannot climb above the hierarchy's root (or above the runtime's
// own cgroup for a relative path), and the root cgroup itself is refused:
// a container must have a cgroup of its own.
func ResolvePath(cgroupsPath, id string, systemd bool) (string, error) {
	if systemd {
		if cgroupsPath == "" {
			cgroupsPath = "system.slice:moat:" + id
		}
		return SystemdPath(cgroupsPath)
	}
	if cgroupsPath == "" {
		return path.Join(DefaultParent, id), nil
	}
	abs := strings.HasPrefix(cgroupsPath, "/")
	p := path.Clean("/" + cgroupsPath)
	if p == "/" {
		return "", fmt.Errorf("cgroupsPath %q names the root cgroup", cgroupsPath)
	}
	if !abs {
		return strings.TrimPrefix(p, "/"), nil
	}
	return p, nil
}

// SystemdPath maps a systemd cgroupsPath ("slice:prefix:name", as runc's
// systemd driver takes it) to the cgroupfs path systemd gives that unit:
// "system.slice:docker:abc" is /system.slice/docker-abc.scope and
// "a-b.slice:x:c" is /a.slice/a-b.slice/x-c.scope. A name ending in
// ".slice" names a slice, placed directly in the parent slice (runc's
// layout). Moat makes the
// directories with cgroupfs directly and does not ask systemd over D-Bus
// to create a transient unit (see docs/cgroups.md).
func SystemdPath(p string) (string, error) {
	parts := strings.Split(p, ":")
	if len(parts) != 3 {
		return "", fmt.Errorf("expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got %q", p)
	}
	slice, prefix, name := parts[0], parts[1], parts[2]
	if slice == "" {
		slice = "system.slice"
	}
	dir, err := expandSlice(slice)
	if err != nil {
		return "", err
	}
	if name == "" || strings.Contains(name, "/") || strings.Contains(prefix, "/") {
		return "", fmt.Errorf("invalid systemd cgroupsPath %q: bad unit name", p)
	}
	unit := name + ".scope"
	switch {
	case strings.HasSuffix(name, ".slice"):
		unit = name // runc's layout: the slice directly under the parent
	case prefix != "":
		unit = prefix + "-" + unit
	}
	return path.Join(dir, unit), nil
}

// expandSlice turns a slice name into its path: "a-b-c.slice" is
// /a.slice/a-b.slice/a-b-c.slice; "-.slice" is the root.
func expandSlice(slice string) (string, error) {
	bad := func() (string, error) { return "", fmt.Errorf("invalid systemd slice name %q", slice) }
	if !strings.HasSuffix(slice, ".slice") || strings.Contains(slice, "/") {
		return bad()
	}
	if slice == "-.slice" {
		return "/", nil
	}
	base := strings.TrimSuffix(slice, ".slice")
	if base == "" || strings.HasPrefix(base, "-") || strings.HasSuffix(base, "-") || strings.Contains(base, "--") {
		return bad()
	}
	p, prefix := "/", ""
	for _, comp := range strings.Split(base, "-") {
		prefix += comp
		p = path.Join(p, prefix+".slice")
		prefix += "-"
	}
	return p, nil
}
