package sandbox

import (
	"errors"
	"os"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/cgroups"
	"moat/internal/log"
	"moat/runsc/config"
)

// setupCgroup makes the container's host cgroup (cgroups.Setup). A
// container that asks for nothing (no cgroupsPath, no resources) on a
// host where runsc may not make cgroups (a read-only or unmounted
// cgroupfs, no permission) runs without one, with a warning, as runc
// does for rootless containers; any other failure fails create. A nil
// cgroup is safe to use.
func setupCgroup(cfg *config.Config, a CreateArgs) (*cgroups.Cgroup, error) {
	path, res := specCgroupsPath(a.Spec), specResources(a.Spec)
	cg, err := cgroups.Setup(cgroups.HostFS{}, a.StateDir, path, a.ID, cfg.SystemdCgroup, res)
	if err != nil && path == "" && res == nil && unavailable(err) {
		log.Warningf("container %s runs without a host cgroup: %v", a.ID, err)
		return nil, nil
	}
	return cg, err
}

// unavailable reports whether err says cgroups cannot be made here.
func unavailable(err error) bool {
	return errors.Is(err, cgroups.ErrNoCgroupFS) || errors.Is(err, os.ErrPermission) ||
		errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EPERM)
}

// specCgroupsPath is the spec's linux.cgroupsPath ("" without one).
func specCgroupsPath(s *specs.Spec) string {
	if s.Linux == nil {
		return ""
	}
	return s.Linux.CgroupsPath
}

// specResources is the spec's linux.resources, or nil.
func specResources(s *specs.Spec) *specs.LinuxResources {
	if s.Linux == nil {
		return nil
	}
	return s.Linux.Resources
}
