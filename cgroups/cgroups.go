// Package cgroups puts a container's host processes (the gofer, the
// sandbox and so every stub) into a host cgroup, applies the spec's
// linux.resources to it, reads its usage for runsc events, watches it
// for OOM kills and removes it again. It handles cgroup v1 (one
// directory per controller hierarchy; a hybrid host's cgroup2 mount is
// left alone) and a unified cgroup v2 hierarchy; systemd cgroupsPaths
// are mapped to the directories systemd would use, without D-Bus.
//
// Every host access goes through FS, so that the file formats are
// tested without root.
package cgroups

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// StateFile is the name of the file, in a container's state directory,
// that records its cgroup.
const StateFile = "cgroup.json"

// Cgroup is a container's host cgroup.
type Cgroup struct {
	// Version is 1 or 2.
	Version int `json:"version"`
	// Dirs maps every joined v1 controller to its directory; on v2 the
	// key "" is the cgroup's directory.
	Dirs map[string]string `json:"dirs"`
	// Created lists the directories this runtime made, parents first.
	// Destroy removes these and never another.
	Created []string `json:"created,omitempty"`

	fs FS
	// mounts maps a directory in Dirs to its hierarchy's mount point
	// (Create makes the levels below it).
	mounts map[string]string
}

// New returns the cgroup p (from ResolvePath) on the host h, not made
// yet.
func New(fs FS, h *Host, p string) (*Cgroup, error) {
	c := &Cgroup{Version: h.Version, Dirs: map[string]string{}, fs: fs, mounts: map[string]string{}}
	add := func(key, own string, hier *Hierarchy) error {
		cg := p
		if !strings.HasPrefix(p, "/") {
			if own == "" {
				own = "/"
			}
			cg = path.Join(own, p)
		}
		dir, err := hier.dir(cg)
		if err != nil {
			return err
		}
		c.Dirs[key] = dir
		c.mounts[dir] = hier.Mountpoint
		return nil
	}
	if h.Version == 2 {
		if err := add("", h.Own[""], h.Unified); err != nil {
			return nil, err
		}
		return c, nil
	}
	for _, ctrl := range v1Controllers {
		if hier := h.V1[ctrl]; hier != nil {
			if err := add(ctrl, h.Own[ctrl], hier); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

// Open returns the cgroup of a container whose state directory holds a
// StateFile, or nil if it has none.
func Open(fs FS, stateDir string) (*Cgroup, error) {
	b, err := os.ReadFile(path.Join(stateDir, StateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading cgroup state: %w", err)
	}
	c := &Cgroup{fs: fs}
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("decoding cgroup state: %w", err)
	}
	return c, nil
}

// Save records the cgroup in the state directory (atomically).
func (c *Cgroup) Save(stateDir string) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	tmp := path.Join(stateDir, "."+StateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("saving cgroup state: %w", err)
	}
	if err := os.Rename(tmp, path.Join(stateDir, StateFile)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving cgroup state: %w", err)
	}
	return nil
}

// leaves returns the distinct directories of the cgroup, sorted.
func (c *Cgroup) leaves() []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range append([]string{""}, v1Controllers...) {
		if d, ok := c.Dirs[k]; ok && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// Create makes the cgroup's directories (and missing parents), recording
// each one it made in Created, whatever happens after. On v2 it enables
// the controllers for each level it makes; on v1 a new cpuset level
// starts with its parent's cpus and mems (the kernel leaves them empty,
// and an empty cpuset takes no process).
func (c *Cgroup) Create() error {
	for _, leaf := range c.leaves() {
		mnt := c.mounts[leaf]
		rel := strings.TrimPrefix(strings.TrimPrefix(leaf, mnt), "/")
		dir := mnt
		for _, comp := range strings.Split(rel, "/") {
			parent := dir
			dir = path.Join(dir, comp)
			if c.Version == 2 {
				if err := c.enableControllers(parent); err != nil {
					return err
				}
			}
			err := c.fs.Mkdir(dir)
			if errors.Is(err, os.ErrExist) {
				continue
			}
			if err != nil {
				return fmt.Errorf("creating cgroup %s: %w", dir, err)
			}
			c.Created = append(c.Created, dir)
			if c.Version == 1 && leaf == c.Dirs["cpuset"] {
				if err := c.inheritCpuset(parent, dir); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// inheritCpuset copies a v1 cpuset parent's cpus and mems into a new
// child.
func (c *Cgroup) inheritCpuset(parent, dir string) error {
	for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
		v, err := readString(c.fs, path.Join(parent, f))
		if err != nil {
			return fmt.Errorf("reading %s: %w", path.Join(parent, f), err)
		}
		if err := c.fs.WriteFile(path.Join(dir, f), v); err != nil {
			return fmt.Errorf("initialising %s: %w", path.Join(dir, f), err)
		}
	}
	return nil
}

// enableControllers enables, in a v2 cgroup's subtree_control, the
// controllers Moat uses that it has and has not enabled yet.
func (c *Cgroup) enableControllers(dir string) error {
	avail, err := readString(c.fs, path.Join(dir, "cgroup.controllers"))
	if err != nil {
		return fmt.Errorf("reading %s: %w", path.Join(dir, "cgroup.controllers"), err)
	}
	on, _ := readString(c.fs, path.Join(dir, "cgroup.subtree_control"))
	var want []string
	for _, ctrl := range v2Controllers {
		if hasWord(avail, ctrl) && !hasWord(on, ctrl) {
			want = append(want, "+"+ctrl)
		}
	}
	if len(want) == 0 {
		return nil
	}
	if err := c.fs.WriteFile(path.Join(dir, "cgroup.subtree_control"), strings.Join(want, " ")); err != nil {
		return fmt.Errorf("enabling controllers %s in %s: %w", strings.Join(want, " "), dir, err)
	}
	return nil
}

func hasWord(list, w string) bool {
	for _, x := range strings.Fields(list) {
		if x == w {
			return true
		}
	}
	return false
}

// AddProcess moves a host process (all its threads) into the cgroup. On
// a nil cgroup (a container without one) it does nothing.
func (c *Cgroup) AddProcess(pid int) error {
	if c == nil {
		return nil
	}
	for _, d := range c.leaves() {
		if err := c.fs.WriteFile(path.Join(d, "cgroup.procs"), strconv.Itoa(pid)); err != nil {
			return fmt.Errorf("moving process %d into cgroup %s: %w", pid, d, err)
		}
	}
	return nil
}

// Destroy removes the directories Create made, deepest first. Processes
// still in a cgroup Moat made (stubs outliving their sandbox for a
// moment) are killed first; a cgroup Moat joined but did not make is
// left as it is. A parent another container still uses is left too. A
// nil cgroup has nothing to destroy.
func (c *Cgroup) Destroy() error {
	if c == nil {
		return nil
	}
	created := map[string]bool{}
	for _, d := range c.Created {
		created[d] = true
	}
	leaf := map[string]bool{}
	for _, d := range c.leaves() {
		leaf[d] = true
	}
	var errs []error
	for i := len(c.Created) - 1; i >= 0; i-- {
		d := c.Created[i]
		if err := c.removeDir(d, leaf[d]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeDir removes one directory Moat made. A leaf is emptied of
// processes first and waited for; a parent that is busy belongs to
// someone else too and is left.
func (c *Cgroup) removeDir(d string, isLeaf bool) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		if isLeaf {
			c.killAll(d)
		}
		err := c.fs.Rmdir(d)
		switch {
		case err == nil, isNotExist(err):
			return nil
		case !isLeaf && (errors.Is(err, syscall.EBUSY) || errors.Is(err, syscall.ENOTEMPTY)):
			return nil
		case errors.Is(err, syscall.EBUSY) && time.Now().Before(deadline):
			time.Sleep(10 * time.Millisecond)
			continue
		}
		return fmt.Errorf("removing cgroup %s: %w", d, err)
	}
}

// killAll sends SIGKILL to every process left in cgroup dir.
func (c *Cgroup) killAll(dir string) {
	b, err := c.fs.ReadFile(path.Join(dir, "cgroup.procs"))
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
			c.fs.Kill(pid)
		}
	}
}

// dir returns the directory holding a controller's files.
func (c *Cgroup) dir(ctrl string) (string, error) {
	if c.Version == 2 {
		return c.Dirs[""], nil
	}
	d, ok := c.Dirs[ctrl]
	if !ok {
		return "", fmt.Errorf("cgroup controller %q is not mounted on this host", ctrl)
	}
	return d, nil
}

// file returns the path of a controller's file.
func (c *Cgroup) file(ctrl, name string) (string, error) {
	d, err := c.dir(ctrl)
	if err != nil {
		return "", err
	}
	return path.Join(d, name), nil
}

// write writes value to a controller's file.
func (c *Cgroup) write(ctrl, name, value string) error {
	p, err := c.file(ctrl, name)
	if err != nil {
		return err
	}
	if err := c.fs.WriteFile(p, value); err != nil {
		if isNotExist(err) {
			return fmt.Errorf("setting %s to %q: %s is not available on this host", name, value, name)
		}
		return fmt.Errorf("setting %s to %q: %w", name, value, err)
	}
	return nil
}

// has reports whether a controller's file exists.
func (c *Cgroup) has(ctrl, name string) bool {
	p, err := c.file(ctrl, name)
	return err == nil && c.fs.Exists(p)
}

// read reads a controller's file.
func (c *Cgroup) read(ctrl, name string) (string, error) {
	p, err := c.file(ctrl, name)
	if err != nil {
		return "", err
	}
	return readString(c.fs, p)
}

// Setup makes the cgroup for container id from its spec's cgroupsPath and
// resources and records it in stateDir (before any resource is written,
// so that a create killed half way still leaves delete the list of what
// to remove). On failure nothing it made is left.
func Setup(fs FS, stateDir, cgroupsPath, id string, systemd bool, r *specs.LinuxResources) (*Cgroup, error) {
	p, err := ResolvePath(cgroupsPath, id, systemd)
	if err != nil {
		return nil, err
	}
	h, err := Discover(fs)
	if err != nil {
		return nil, err
	}
	c, err := New(fs, h, p)
	if err != nil {
		return nil, err
	}
	err = c.Create()
	if serr := c.Save(stateDir); err == nil {
		err = serr
	}
	if err == nil {
		err = c.Set(r)
	}
	if err != nil {
		c.Destroy()
		os.Remove(path.Join(stateDir, StateFile))
		return nil, err
	}
	return c, nil
}
