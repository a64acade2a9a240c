package boot

import (
	"fmt"
	"path"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

// makeDevices creates the spec's linux.devices nodes (after the mounts,
// so in the sentry's /dev). They are sentry nodes: one whose number the
// sentry does not serve exists with the right type, number, mode and
// owner, but does not open (TODO(#3): pass-through of host devices is
// not planned; the sentry serves device numbers itself).
func makeDevices(s *Sandbox, spec *specs.Spec) error {
	if spec.Linux == nil {
		return nil
	}
	v := s.VFS
	ctx := vfs.RootContext()
	root := s.Root()
	for _, d := range spec.Linux.Devices {
		var typ uint32
		switch d.Type {
		case "c", "u":
			typ = unix.S_IFCHR
		case "b":
			typ = unix.S_IFBLK
		case "p":
			typ = unix.S_IFIFO
		default:
			return fmt.Errorf("device %s: unknown type %q", d.Path, d.Type)
		}
		mode := uint32(0o666)
		if d.FileMode != nil {
			mode = uint32(d.FileMode.Perm())
		}
		p := path.Clean("/" + d.Path)
		if _, err := ensureMountPoint(s, path.Dir(p)); err != nil {
			return fmt.Errorf("device %s: %w", p, err)
		}
		op := &vfs.PathOp{Root: root, Start: root, Path: p}
		var dev uint64
		if typ != unix.S_IFIFO {
			dev = linux.MakeDev(uint32(d.Major), uint32(d.Minor))
		}
		if errno := v.MknodAt(ctx, op, typ|mode, dev); errno != 0 && errno != linux.EEXIST {
			return fmt.Errorf("device %s: %w", p, errno)
		}
		// The umask of mknod does not apply: set the mode and owner.
		opts := &vfs.SetStatOptions{Mask: linux.STATX_MODE, Mode: mode}
		if d.UID != nil {
			opts.Mask |= linux.STATX_UID
			opts.UID = auth.KUID(*d.UID)
		}
		if d.GID != nil {
			opts.Mask |= linux.STATX_GID
			opts.GID = auth.KGID(*d.GID)
		}
		if errno := v.SetStatAt(ctx, op, opts); errno != 0 {
			return fmt.Errorf("device %s: setting mode and owner: %w", p, errno)
		}
	}
	return nil
}
