package sandbox

import (
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/gofer"
)

// mountPoints lists where spec's mounts go, for a read-only root: the
// gofer creates the missing ones in the host's rootfs before it serves it
// read-only (runsc gofer --mount-points), as runc does, since the sandbox
// cannot create them in a read-only root. A bind mount of a file (the
// CRI's /etc/resolv.conf, /etc/hostname, /etc/hosts) needs a file.
func mountPoints(spec *specs.Spec, bundle string) []gofer.MountPoint {
	var mps []gofer.MountPoint
	for i := range spec.Mounts {
		m := &spec.Mounts[i]
		mp := gofer.MountPoint{Path: m.Destination}
		if isBindMount(m) {
			src := m.Source
			if !filepath.IsAbs(src) {
				src = filepath.Join(bundle, src)
			}
			if st, err := os.Stat(src); err == nil && !st.IsDir() {
				mp.File = true
			}
		}
		mps = append(mps, mp)
	}
	return mps
}
