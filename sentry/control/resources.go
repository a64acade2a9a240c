package control

// MethodUpdate changes the sandbox's own resource limits (runsc update);
// the host cgroup is written by runsc itself.
const MethodUpdate Method = "update"

// UpdateArgs are the arguments of MethodUpdate.
type UpdateArgs struct {
	// PidsLimit, when non-zero, is the new pids limit the sentry enforces
	// on application tasks (negative: none).
	PidsLimit int64 `json:"pidsLimit,omitempty"`
}
