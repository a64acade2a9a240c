package boot

import (
	"fmt"
	"path"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/sentry/abi/linux"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

// applyMaskedPaths hides each of linux.maskedPaths, as runc does: a
// directory under an empty read-only tmpfs, anything else under a bind
// mount of /dev/null. A path that does not exist is skipped; one that
// cannot be resolved (a symlink loop) fails create. Paths resolve inside
// the container's root, after the spec's mounts.
func applyMaskedPaths(s *Sandbox, spec *specs.Spec) error {
	if spec.Linux == nil {
		return nil
	}
	v := s.VFS
	for _, p := range spec.Linux.MaskedPaths {
		vd, ok, err := resolveSpecPath(s, p, "masked path")
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if vd.Dentry().IsDir() {
			fs := tmpfs.New(v, tmpfs.Options{RootMode: 0o755, MaxBytes: 1, MaxInodes: 1})
			m, errno := v.Mount(vd, fs, vfs.MountFlags{ReadOnly: true})
			if errno != 0 {
				return fmt.Errorf("masking %s: %w", p, errno)
			}
			m.SetSource("tmpfs", "")
			continue
		}
		null, err := s.devNull()
		if err != nil {
			return fmt.Errorf("masking %s: %w", p, err)
		}
		if _, errno := v.BindMount(null, vd, null.Mount().Flags(), false); errno != 0 {
			return fmt.Errorf("masking %s: %w", p, errno)
		}
	}
	return nil
}

// applyReadonlyPaths makes each of linux.readonlyPaths read-only, as runc
// does: a recursive bind mount of the path on itself whose top mount is
// read-only (its other flags are those of the mount it was on). A path
// that does not exist is skipped.
func applyReadonlyPaths(s *Sandbox, spec *specs.Spec) error {
	if spec.Linux == nil {
		return nil
	}
	for _, p := range spec.Linux.ReadonlyPaths {
		vd, ok, err := resolveSpecPath(s, p, "read-only path")
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		flags := vd.Mount().Flags()
		flags.ReadOnly = true
		if _, errno := s.VFS.BindMount(vd, vd, flags, true); errno != 0 {
			return fmt.Errorf("making %s read-only: %w", p, errno)
		}
	}
	return nil
}

// resolveSpecPath resolves an absolute path of the spec inside the
// container's root, following symlinks there. ok is false when it does
// not exist.
func resolveSpecPath(s *Sandbox, p, what string) (vd vfs.VirtualDentry, ok bool, err error) {
	if !path.IsAbs(p) {
		return vd, false, fmt.Errorf("%s %q is not absolute", what, p)
	}
	root := s.Root()
	vd, errno := s.VFS.GetDentryAt(vfs.RootContext(), &vfs.PathOp{Root: root, Start: root, Path: p, Follow: true})
	switch errno {
	case 0:
		return vd, true, nil
	case linux.ENOENT:
		return vd, false, nil
	}
	return vd, false, fmt.Errorf("%s %s: %w", what, p, errno)
}

// devNull returns the sentry's /dev/null, in its own /dev mount (never a
// node a bind mount over /dev could have replaced).
func (s *Sandbox) devNull() (vfs.VirtualDentry, error) {
	m := s.stdMounts["/dev"]
	if m == nil {
		return vfs.VirtualDentry{}, fmt.Errorf("the sandbox has no /dev")
	}
	r := m.Root()
	vd, errno := s.VFS.GetDentryAt(vfs.RootContext(), &vfs.PathOp{Root: r, Start: r, Path: "null"})
	if errno != 0 {
		return vd, fmt.Errorf("/dev/null: %w", errno)
	}
	return vd, nil
}
