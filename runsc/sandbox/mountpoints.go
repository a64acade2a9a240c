package sandbox

import (
	"os"
	"path"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/gofer"
)

// mountPoints lists spec's mounts, in order, for the gofer to create their
// missing mount points in the host's rootfs before it serves it (runsc
// gofer --mount-points, docs/oci.md): the gofer alone touches the host's
// files, and the sandbox cannot create them in a read-only root. A bind
// mount of a non-directory (the CRI's /etc/resolv.conf) needs a file. A
// bind of the rootfs itself onto "/" hides nothing below it.
func mountPoints(spec *specs.Spec, bundle string) []gofer.MountPoint {
	root, err := filepath.EvalSymlinks(spec.Root.Path)
	if err != nil {
		root = spec.Root.Path
	}
	mps := make([]gofer.MountPoint, 0, len(spec.Mounts))
	for i := range spec.Mounts {
		m := &spec.Mounts[i]
		mp := gofer.MountPoint{Path: m.Destination}
		if isBindMount(m) {
			src := m.Source
			if !filepath.IsAbs(src) {
				src = filepath.Join(bundle, src)
			}
			// Bind sources follow symlinks, as in bindMounts.
			if st, err := os.Stat(src); err == nil && !st.IsDir() {
				mp.File = true
			}
			real, err := filepath.EvalSymlinks(src)
			mp.Transparent = err == nil && real == root && path.Clean("/"+m.Destination) == "/"
		}
		mps = append(mps, mp)
	}
	return mps
}
