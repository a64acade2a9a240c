package control

import "encoding/json"

// Pods: several containers in one sandbox (docs/kubernetes.md). The first
// container (the pod's sandbox container, e.g. the CRI's pause container)
// starts the sandbox process; every other container of the pod is created
// inside it with MethodCreateContainer and named by Request.ContainerID in
// the requests that concern it.

// Pod control methods.
const (
	// MethodCreateContainer builds a container in a running sandbox: its
	// own root mount tree (from the gofer connections passed with the
	// request) and, unless it shares the sandbox's, its own PID
	// namespace. Its init starts with MethodStart.
	MethodCreateContainer Method = "createContainer"
	// MethodDestroyContainer kills a container's processes and forgets
	// it (runsc delete of a container that joined a sandbox).
	MethodDestroyContainer Method = "destroyContainer"
)

// CreateContainerArgs are the arguments of MethodCreateContainer. The
// request passes, in this order, the container's stdin, stdout and
// stderr, the sentry's end of its root file system's gofer socket, and one
// gofer socket per bind mount (Request.FDs: "stdin", "stdout", "stderr",
// "gofer", then "mount" for each).
type CreateContainerArgs struct {
	// Spec is the container's config.json, validated by runsc, with the
	// root path made absolute.
	Spec json.RawMessage `json:"spec"`
	// BindMounts are the indexes, in the spec's mounts, of the bind
	// mounts, in the order of their gofer sockets.
	BindMounts []int `json:"bindMounts,omitempty"`
	// SharePIDNamespace puts the container's processes in the sandbox's
	// PID namespace (Kubernetes shareProcessNamespace) instead of a new
	// one of its own.
	SharePIDNamespace bool `json:"sharePidNamespace,omitempty"`
}
