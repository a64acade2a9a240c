package sandbox

import specs "github.com/opencontainers/runtime-spec/specs-go"

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
