package boot

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"moat/internal/log"
	"moat/sentry/abi/linux"
	goferfs "moat/sentry/fs/gofer"
	"moat/sentry/fs/sys"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

// isBindMount reports whether m is a bind mount (served by the gofer).
func isBindMount(m *specs.Mount) bool {
	if m.Type == "bind" {
		return true
	}
	for _, o := range m.Options {
		if o == "bind" || o == "rbind" {
			return true
		}
	}
	return false
}

// mountOptions turns the spec's options into mount flags and the
// data options (key=value and unknown words) left over.
func mountOptions(opts []string) (vfs.MountFlags, map[string]string) {
	var f vfs.MountFlags
	data := map[string]string{}
	for _, o := range opts {
		switch o {
		case "ro":
			f.ReadOnly = true
		case "rw":
			f.ReadOnly = false
		case "nosuid":
			f.NoSuid = true
		case "nodev":
			f.NoDev = true
		case "noexec":
			f.NoExec = true
		case "suid", "dev", "exec", "bind", "rbind", "private", "rprivate", "slave", "rslave",
			"shared", "rshared", "relatime", "norelatime", "strictatime", "noatime", "nodiratime":
		default:
			k, v, _ := strings.Cut(o, "=")
			data[k] = v
		}
	}
	return f, data
}

// applyMounts mounts the spec's mounts in order, so that mount IDs and
// /proc/self/mountinfo follow the spec as with runc. /proc, /dev and
// /dev/pts are the sentry's own whatever type the spec gives them: those
// the spec lists are mounted at their place in the list, the others
// first. sysfs and cgroup mounts are the sandbox's own, read-only
// (sentry/fs/sys, docs/sysfs.md) and mqueue shows the container's POSIX
// message queues (newMqueue). Each mount records the
// spec's source for mountinfo; a gofer bind mount's root is shown as the
// host path it serves, as Linux does.
func applyMounts(s *Sandbox, spec *specs.Spec, bindIdx []int, bindFDs []int) error {
	fdOf := map[int]int{}
	for i, idx := range bindIdx {
		fdOf[idx] = bindFDs[i]
	}
	listed := map[string]bool{}
	for i := range spec.Mounts {
		if m := &spec.Mounts[i]; !isBindMount(m) && s.std[path.Clean(m.Destination)] != nil {
			listed[path.Clean(m.Destination)] = true
		}
	}
	for _, p := range stdMountOrder {
		if listed[p] || (p == "/dev/pts" && listed["/dev"]) {
			continue
		}
		if err := s.mountStd(p, p, stdMountFlags[p], ""); err != nil {
			return err
		}
	}
	v := s.VFS
	ctx := vfs.RootContext()
	for i := range spec.Mounts {
		m := &spec.Mounts[i]
		dst := path.Clean(m.Destination)
		flags, data := mountOptions(m.Options)
		source, rootPrefix := m.Source, ""
		var fs *vfs.Filesystem
		switch {
		case isBindMount(m):
			fd, ok := fdOf[i]
			if !ok {
				return fmt.Errorf("mount %s: no gofer connection for bind mount", dst)
			}
			var err error
			fs, err = goferfs.NewFromFD(v, fd, goferfs.Options{ReadOnly: flags.ReadOnly})
			if err != nil {
				return fmt.Errorf("mount %s: connecting to the gofer: %w", dst, err)
			}
			rootPrefix = path.Clean(m.Source)
		case listed[dst]:
			resolved, err := ensureMountPoint(s, dst)
			if err != nil {
				log.Warningf("mount %s: %v; skipped", dst, err)
				continue
			}
			if err := s.mountStd(dst, resolved, flags, source); err != nil {
				return err
			}
			if dst == "/dev" && !listed["/dev/pts"] {
				if err := s.mountStd("/dev/pts", "/dev/pts", stdMountFlags["/dev/pts"], ""); err != nil {
					return err
				}
			}
			continue
		case m.Type == "tmpfs":
			opts, err := tmpfsOptions(data)
			if err != nil {
				return fmt.Errorf("mount %s: %w", dst, err)
			}
			fs = tmpfs.New(v, opts)
		case m.Type == "sysfs":
			fs = sys.New(s.Kernel, v)
			flags.ReadOnly = true
		case m.Type == "mqueue":
			fs = s.newMqueue()
		case m.Type == "cgroup2":
			fs = sys.NewCgroup2(s.Kernel, v)
			flags.ReadOnly = true
		case m.Type == "cgroup":
			var err error
			if fs, err = newCgroupV1Root(v); err != nil {
				return fmt.Errorf("mount %s: %w", dst, err)
			}
			flags.ReadOnly = true
		case m.Type == "proc" || m.Type == "devpts":
			log.Warningf("mount %s: %s is only supported at its standard place; skipped", dst, m.Type)
			continue
		default:
			return fmt.Errorf("mount %s: unsupported type %q", dst, m.Type)
		}
		var resolved string
		var err error
		if fs.Root().IsDir() {
			resolved, err = ensureMountPoint(s, dst)
		} else {
			resolved, err = ensureFileMountPoint(s, dst)
		}
		if err != nil {
			if !isBindMount(m) {
				log.Warningf("mount %s: %v; skipped", dst, err)
				continue
			}
			return fmt.Errorf("mount %s: %w", dst, err)
		}
		mnt, errno := v.MountAt(ctx, s.Root(), resolved, fs, flags)
		if errno != 0 {
			return fmt.Errorf("mount %s: %w", dst, errno)
		}
		if source == "" {
			source = fs.Impl().Name()
		}
		mnt.SetSource(source, rootPrefix)
		if m.Type == "cgroup" {
			if err := mountCgroupV1(s, resolved, flags, source); err != nil {
				return fmt.Errorf("mount %s: %w", dst, err)
			}
		}
	}
	return nil
}

// tmpfsOptions parses tmpfs's size= and mode= options.
func tmpfsOptions(data map[string]string) (tmpfs.Options, error) {
	opts := tmpfs.Options{RootMode: 0o1777}
	if m, ok := data["mode"]; ok {
		n, err := strconv.ParseUint(m, 8, 32)
		if err != nil {
			return opts, fmt.Errorf("bad tmpfs mode %q", m)
		}
		opts.RootMode = uint32(n) & 0o7777
	}
	if sz, ok := data["size"]; ok {
		n, err := parseSize(sz)
		if err != nil {
			return opts, err
		}
		opts.MaxBytes = n
	}
	return opts, nil
}

// parseSize parses a size with an optional k, m or g suffix.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult = 1 << 10
	case strings.HasSuffix(s, "m"), strings.HasSuffix(s, "M"):
		mult = 1 << 20
	case strings.HasSuffix(s, "g"), strings.HasSuffix(s, "G"):
		mult = 1 << 30
	}
	if mult != 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad tmpfs size %q", s)
	}
	return n * mult, nil
}

// ensureMountPoint creates dst (and its parents) as directories if it is
// missing, and returns the path it resolves to. Symlinks are followed
// inside the sandbox's root (an absolute target or ".." never leaves it),
// so a symlink in the image cannot send a mount outside the container;
// a dangling one gets its target created, as runc does inside the rootfs.
func ensureMountPoint(s *Sandbox, dst string) (string, error) {
	v := s.VFS
	ctx := vfs.RootContext()
	root := s.Root()
	todo := strings.Split(strings.TrimPrefix(path.Clean(dst), "/"), "/")
	cur := "/"
	for links := 0; len(todo) > 0; {
		part := todo[0]
		todo = todo[1:]
		if part == "" || part == "." {
			continue
		}
		next := path.Join(cur, part) // ".." at "/" stays at "/"
		op := &vfs.PathOp{Root: root, Start: root, Path: next}
		vd, errno := v.GetDentryAt(ctx, op)
		switch {
		case errno == linux.ENOENT:
			if errno = v.MkdirAt(ctx, op, 0o755); errno != 0 {
				return "", fmt.Errorf("creating mount point %s: %w", next, errno)
			}
		case errno != 0:
			return "", fmt.Errorf("resolving mount point %s: %w", next, errno)
		case vd.Dentry().Type() == unix.S_IFLNK:
			if links++; links > 40 {
				return "", fmt.Errorf("resolving mount point %s: %w", dst, linux.ELOOP)
			}
			target, errno := v.ReadlinkAt(ctx, op)
			if errno != 0 {
				return "", fmt.Errorf("reading symlink %s: %w", next, errno)
			}
			if strings.HasPrefix(target, "/") {
				cur = "/"
			}
			todo = append(strings.Split(target, "/"), todo...)
			continue
		}
		cur = next
	}
	return cur, nil
}

// ensureFileMountPoint is ensureMountPoint for a file bind mount (Docker's
// /etc/hosts, /etc/hostname, /etc/resolv.conf): the parents are made as
// directories and a missing last component as an empty file, as runc does.
func ensureFileMountPoint(s *Sandbox, dst string) (string, error) {
	dir, err := ensureMountPoint(s, path.Dir(path.Clean(dst)))
	if err != nil {
		return "", err
	}
	p := path.Join(dir, path.Base(dst))
	root := s.Root()
	op := &vfs.PathOp{Root: root, Start: root, Path: p, Follow: true}
	if _, errno := s.VFS.GetDentryAt(vfs.RootContext(), op); errno == linux.ENOENT {
		if errno = s.VFS.MknodAt(vfs.RootContext(), op, unix.S_IFREG|0o644, 0); errno != 0 {
			return "", fmt.Errorf("creating mount point %s: %w", p, errno)
		}
	}
	return p, nil
}
