package control

import "encoding/json"

// MethodUpdate changes the sandbox's own resource limits (runsc update);
// the host cgroup is written by runsc itself.
const MethodUpdate Method = "update"

// UpdateArgs are the arguments of MethodUpdate.
type UpdateArgs struct {
	// PidsLimit, when non-zero, is the new pids limit the sentry enforces
	// on application tasks (negative: none).
	PidsLimit int64 `json:"pidsLimit,omitempty"`
	// Resources is the LinuxResources (JSON) runsc wrote to the host
	// cgroup: the sentry merges it into the limits the sandbox reports
	// (/sys/fs/cgroup, /proc/meminfo, the CPU count), zero values
	// leaving a setting as it is.
	Resources json.RawMessage `json:"resources,omitempty"`
}
