package control

// The control socket: a Unix stream socket the sandbox process (runsc
// boot) listens on, created under the container's state directory before
// the sandbox pivots away from the host file system. Nothing inside the
// sandbox can reach it. Each connection carries one Request and one
// Response, both JSON; file descriptors a request passes (an exec's stdio)
// travel with the request as SCM_RIGHTS, in the order Request.FDs names.

// Method names a control request.
type Method string

// Control methods.
const (
	// MethodStart runs the container's init process (runsc start).
	MethodStart Method = "start"
	// MethodSignal sends a signal to init or every process (runsc kill).
	MethodSignal Method = "signal"
	// MethodWait waits for init to exit (runsc wait, run).
	MethodWait Method = "wait"
	// MethodExec starts an additional process (runsc exec).
	MethodExec Method = "exec"
	// MethodWaitPID waits for an exec'd process.
	MethodWaitPID Method = "waitpid"
	// MethodPs lists the sandbox's processes (runsc ps).
	MethodPs Method = "ps"
	// MethodState reports whether init has started and exited.
	MethodState Method = "state"
	// MethodPause and MethodResume stop and continue every task.
	MethodPause  Method = "pause"
	MethodResume Method = "resume"
	// MethodStats reports resource usage (runsc events --stats).
	MethodStats Method = "stats"
)

// Request is one control request.
type Request struct {
	Method Method `json:"method"`
	// ContainerID names the container of a pod the request concerns
	// (empty: the sandbox's own container).
	ContainerID string `json:"containerId,omitempty"`
	// Create is for MethodCreateContainer.
	Create *CreateContainerArgs `json:"create,omitempty"`
	// Signal is for MethodSignal.
	Signal *SignalArgs `json:"signal,omitempty"`
	// Exec is for MethodExec.
	Exec *ExecArgs `json:"exec,omitempty"`
	// Update is for MethodUpdate.
	Update *UpdateArgs `json:"update,omitempty"`
	// PID is for MethodWaitPID (sandbox PID of an exec'd process).
	PID int32 `json:"pid,omitempty"`
	// FDs says which passed descriptors are which ("stdin", "stdout",
	// "stderr", "console"), in the order they were sent.
	FDs []string `json:"fds,omitempty"`
}

// SignalArgs are the arguments of MethodSignal.
type SignalArgs struct {
	Signo int `json:"signo"`
	// All sends to every process in the sandbox (runsc kill --all).
	All bool `json:"all,omitempty"`
	// PID, when non-zero, targets that sandbox process instead of init.
	PID int32 `json:"pid,omitempty"`
}

// ExecArgs describe a process to start in a running sandbox. Process is
// the OCI runtime-spec Process, JSON-encoded, so that this package does not
// depend on the spec module.
type ExecArgs struct {
	Process []byte `json:"process"`
}

// ProcessInfo is one row of MethodPs.
type ProcessInfo struct {
	PID   int32  `json:"pid"`
	PPID  int32  `json:"ppid"`
	UID   uint32 `json:"uid"`
	State string `json:"state"`
	// STime is the start time (Unix seconds); Time the CPU time (ns).
	STime int64  `json:"stime"`
	Time  int64  `json:"time"`
	Cmd   string `json:"cmd"`
	// TTY is the controlling terminal ("pts/N"), empty without one.
	TTY string `json:"tty,omitempty"`
	// StubPID is the PID, in the sandbox process's PID namespace, of the
	// host process that runs the process's threads (the platform's stub);
	// 0 when it has none (a zombie). Processes sharing an address space
	// share it. runsc translates it to a host PID.
	StubPID int32 `json:"stubPid,omitempty"`
}

// WaitStatus is how a process ended.
type WaitStatus struct {
	// Exited is false while the process runs (MethodState).
	Exited bool `json:"exited"`
	// Code is the exit code, or 128+signal.
	Code int `json:"code"`
	// Signal is the killing signal, or 0.
	Signal int `json:"signal,omitempty"`
}

// Stats is resource usage of the sandbox.
type Stats struct {
	CPUUser   int64  `json:"cpuUserNs"`
	CPUSystem int64  `json:"cpuSystemNs"`
	Memory    uint64 `json:"memoryBytes"`
	Pids      int    `json:"pids"`
	// PidsLimit is the task limit the sentry enforces (0: none set).
	PidsLimit int `json:"pidsLimit,omitempty"`
}

// Response answers a Request.
type Response struct {
	// Error is set when the request failed; Errno carries a Linux errno
	// when the failure is one (an exec's ENOENT, a signal's ESRCH).
	Error string `json:"error,omitempty"`
	Errno int    `json:"errno,omitempty"`
	// Started reports MethodState: init has been started.
	Started bool        `json:"started,omitempty"`
	Status  *WaitStatus `json:"status,omitempty"`
	// PID is the sandbox PID of a started process (start, exec).
	PID       int32         `json:"pid,omitempty"`
	Processes []ProcessInfo `json:"processes,omitempty"`
	Stats     *Stats        `json:"stats,omitempty"`
	// Paused reports MethodState: the sandbox is paused (runsc pause).
	Paused bool `json:"paused,omitempty"`
}
