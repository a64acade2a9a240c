package control

import "encoding/json"

// Well-known file descriptors of a bundle's boot process (runsc boot
// --container), after BootArgsFD (which carries one JSON ContainerArgs),
// BootStatusFD and BootGoferFD (the root file system's gofer socket).
const (
	// BootControlFD is the listening control socket (SOCK_SEQPACKET),
	// created by runsc create under the container's state directory.
	BootControlFD = 6
	// BootFirstMountFD is the sentry's end of the first bind mount's
	// gofer socket; bind mount i (ContainerArgs.BindMounts[i]) is at
	// BootFirstMountFD+i.
	BootFirstMountFD = 7
)

// ContainerArgs describe a sandbox built from an OCI bundle. With them,
// StartStatus.Started means "ready for MethodStart", not "running".
type ContainerArgs struct {
	// ID is the container ID.
	ID string `json:"id"`
	// Spec is the bundle's config.json, validated by runsc, with the root
	// path made absolute.
	Spec json.RawMessage `json:"spec"`
	// BindMounts are the indexes, in Spec.Mounts, of the bind mounts
	// the gofer serves, in the order of their sockets.
	BindMounts []int `json:"bindMounts,omitempty"`
	// CPUs the sandbox reports.
	CPUs int `json:"cpus"`
	// HostCPUs is how many CPUs the sandbox could use without the
	// spec's cpuset and quota (runsc's sched_getaffinity count), from
	// which the sentry works out its CPU count again after runsc update.
	HostCPUs int `json:"hostCpus,omitempty"`
}

// GoferMount is one bind mount the gofer serves (runsc gofer
// --bind-mounts, a JSON list): socket i is at GoferSocketFD+1+i.
type GoferMount struct {
	Source   string `json:"source"`
	ReadOnly bool   `json:"readOnly,omitempty"`
}

// MaxMessage is the largest control request or response.
const MaxMessage = 1 << 20
