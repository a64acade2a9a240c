package container

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
)

// Features describes what Moat implements (runsc features), in the
// runtime-spec features format. No hooks yet (TODO(#3)).
func Features() *features.Features {
	return &features.Features{
		OCIVersionMin: "1.0.0",
		OCIVersionMax: specs.Version,
		Hooks:         []string{},
		MountOptions:  []string{"ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "bind", "rbind"},
		Linux: &features.Linux{
			Namespaces: []string{"pid", "network", "ipc", "uts", "mount"},
		},
		Annotations: map[string]string{"dev.moat.runtime": "runsc"},
	}
}
