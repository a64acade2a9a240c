package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// stubOOMBias is how much more likely than the sentry the OOM killer
// finds a stub (oom_score_adj points, of 1000).
const stubOOMBias = 500

// biasStubsForOOM raises the oom_score_adj of the sandbox's child
// processes (at "ready", the stub zygote; every stub is forked from it
// and inherits the value) above the sandbox's own, so that when the
// container's cgroup runs out of memory the kernel kills an application
// process rather than the sentry, which would end the whole container.
// Raising a score needs no privilege. A failure is logged: the container
// works, with the kernel's default choice.
func biasStubsForOOM(id string, sandboxPID int) {
	if err := raiseChildrenOOMScore(sandboxPID); err != nil {
		log.Warningf("container %s: %v", id, err)
	}
}

func raiseChildrenOOMScore(sandboxPID int) error {
	own, err := os.ReadFile(fmt.Sprintf("/proc/%d/oom_score_adj", sandboxPID))
	if err != nil {
		return err
	}
	base, err := strconv.Atoi(strings.TrimSpace(string(own)))
	if err != nil {
		return err
	}
	score := []byte(strconv.Itoa(min(base+stubOOMBias, 1000)))
	lists, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", sandboxPID))
	for _, l := range lists {
		b, _ := os.ReadFile(l)
		for _, child := range strings.Fields(string(b)) {
			if err := os.WriteFile("/proc/"+child+"/oom_score_adj", score, 0); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("raising the stubs' oom_score_adj: %w", err)
			}
		}
	}
	return nil
}
