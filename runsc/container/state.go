// Package container is the lifecycle of OCI containers (create, start,
// kill, delete, ...) and their state on disk under --root: one directory
// per container holding state.json, a lock file and the sandbox's control
// socket. It keeps no daemon: every runsc call loads the state, locks it,
// and derives the status from the processes that really exist.
package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Sentinel errors callers branch on.
var (
	// ErrNotExist: no container with that ID.
	ErrNotExist = errors.New("container does not exist")
	// ErrExist: a container with that ID exists already.
	ErrExist = errors.New("container with id exists")
	// ErrNotRunning: the operation needs a running container.
	ErrNotRunning = errors.New("container is not running")
	// ErrBadState: the container is in the wrong state for the operation.
	ErrBadState = errors.New("container is in the wrong state")
)

// Status is an OCI container status.
type Status string

// Container statuses (runtime-spec "state"; creating while create runs).
const (
	Creating Status = "creating"
	Created  Status = "created"
	Running  Status = "running"
	Stopped  Status = "stopped"
	Paused   Status = "paused"
)

// State is what state.json holds.
type State struct {
	ID     string `json:"id"`
	Bundle string `json:"bundle"`
	Rootfs string `json:"rootfs"`
	// Status is the last status runsc recorded; Container.Status checks
	// it against the processes.
	Status  Status    `json:"status"`
	Created time.Time `json:"created"`
	// Annotations are the spec's.
	Annotations map[string]string `json:"annotations,omitempty"`
	// SandboxPID and GoferPID are host PIDs; the start times (clock
	// ticks after boot, /proc/PID/stat) tell a reused PID apart.
	SandboxPID       int    `json:"sandboxPid"`
	SandboxStartTime uint64 `json:"sandboxStartTime"`
	GoferPID         int    `json:"goferPid"`
	GoferStartTime   uint64 `json:"goferStartTime"`
	// InitWaiterPID is the waiter --pid-file named for init (waiter.go),
	// with its start time: `state` reports it as the container's pid, as
	// runc's state reports the process its pid file names.
	InitWaiterPID       int    `json:"initWaiterPid,omitempty"`
	InitWaiterStartTime uint64 `json:"initWaiterStartTime,omitempty"`
	// ControlSocket is the sandbox's control socket.
	ControlSocket string `json:"controlSocket"`
	// SandboxID is the container whose sandbox this one lives in (a pod
	// member, pod.go); empty when it has a sandbox of its own.
	SandboxID string `json:"sandboxId,omitempty"`
	// Owner is the user who created the container (uid).
	Owner int `json:"owner"`
	// Hooks are the spec's, kept for start and delete (the bundle may be
	// gone by then).
	Hooks *specs.Hooks `json:"hooks,omitempty"`
}

const (
	stateFile = "state.json"
	lockFile  = "lock"
)

// stateDir is the container's state directory.
func stateDir(root, id string) string { return filepath.Join(root, id) }

// save writes the state atomically (0600).
func (s *State) save(dir string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("writing state: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, stateFile)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing state: %w", err)
	}
	return nil
}

// loadState reads dir/state.json.
func loadState(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotExist
	}
	if err != nil {
		return nil, fmt.Errorf("reading state: %w", err)
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("decoding state %s: %w", filepath.Join(dir, stateFile), err)
	}
	return &s, nil
}

// lock takes the container's exclusive lock (flock on dir/lock), which
// every CLI call that reads or changes the container holds. It fails with
// ErrNotExist if the directory is gone, also when it was removed while
// this call waited for the lock.
func lock(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotExist
	}
	if err != nil {
		return nil, fmt.Errorf("opening lock: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking: %w", err)
	}
	// A delete that held the lock may have removed the directory.
	var st1, st2 syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st1); err != nil || syscall.Stat(filepath.Join(dir, lockFile), &st2) != nil || st1.Ino != st2.Ino {
		f.Close()
		return nil, ErrNotExist
	}
	return func() { f.Close() }, nil
}
