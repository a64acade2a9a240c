// Package control holds the types exchanged between the runsc command line
// (host side) and the sandbox process (runsc boot). It imports nothing from
// the sentry so that runsc/sandbox can use it.
package control

// Well-known file descriptors of the boot process.
const (
	// BootArgsFD carries one JSON BootArgs from the parent, then EOF.
	BootArgsFD = 3
	// BootStatusFD receives one JSON StartStatus line once the first
	// process has started or failed to.
	BootStatusFD = 4
	// BootGoferFD is the sentry's end of the root gofer socket.
	BootGoferFD = 5
)

// Well-known file descriptors of the gofer process.
const (
	// GoferSocketFD is the gofer's end of the socket to the sentry.
	GoferSocketFD = 3
)

// BootArgs describe the sandbox and its first process.
type BootArgs struct {
	Argv []string `json:"argv"`
	Env  []string `json:"env"`
	Cwd  string   `json:"cwd"`
	UID  uint32   `json:"uid"`
	GID  uint32   `json:"gid"`
	// Hostname of the sandbox's UTS namespace.
	Hostname string `json:"hostname"`
	// RootReadOnly mounts the root file system read-only.
	RootReadOnly bool `json:"rootReadOnly"`
	// TmpOnTmp mounts a fresh sandbox tmpfs on /tmp.
	TmpOnTmp bool `json:"tmpOnTmp"`
	// CPUs the sandbox reports.
	CPUs int `json:"cpus"`
}

// StartStatus reports how starting the first process went.
type StartStatus struct {
	// Started is true when the program runs.
	Started bool `json:"started"`
	// Errno is the Linux errno from execve when it did not start.
	Errno int `json:"errno,omitempty"`
	// Error is a message for failures that are not an execve errno.
	Error string `json:"error,omitempty"`
}
