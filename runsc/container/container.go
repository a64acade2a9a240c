package container

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/runsc/config"
	"moat/runsc/sandbox"
	"moat/runsc/specutils"
	"moat/sentry/control"
)

// Container is a loaded container, locked until Close.
type Container struct {
	State
	cfg    *config.Config
	dir    string
	unlock func()
	// master is the master of a foreground run's terminal (console.go).
	master *os.File
}

// CreateArgs are runsc create's arguments.
type CreateArgs struct {
	ID     string
	Bundle string
	// Stdio are the container's stdin, stdout and stderr.
	Stdio [3]*os.File
	// ConsoleSocket receives the master of the process's terminal
	// (process.terminal), as with runc --console-socket.
	ConsoleSocket string
	// foreground is set by a run that is not detached: without a console
	// socket, runsc keeps the terminal's master itself.
	foreground bool
}

// Create creates a container from a bundle: state directory, gofer and
// sandbox, ready for Start. The container is returned locked. On failure
// nothing is left behind.
func Create(cfg *config.Config, a CreateArgs) (*Container, error) {
	if err := specutils.ValidateID(a.ID); err != nil {
		return nil, err
	}
	bundle, err := filepath.Abs(a.Bundle)
	if err != nil {
		return nil, fmt.Errorf("resolving bundle %q: %w", a.Bundle, err)
	}
	spec, err := specutils.LoadSpec(bundle)
	if err != nil {
		return nil, err
	}
	if err := checkUnsupported(spec); err != nil {
		return nil, err
	}
	if err := validateHooks(spec.Hooks); err != nil {
		return nil, err
	}
	if st, err := os.Stat(spec.Root.Path); err != nil {
		return nil, fmt.Errorf("rootfs %q: %w", spec.Root.Path, err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("rootfs %q is not a directory", spec.Root.Path)
	}
	tty, err := newTerminal(spec.Process, !a.foreground, a.ConsoleSocket)
	if err != nil {
		return nil, err
	}
	defer tty.close()
	a.Stdio = tty.stdio(a.Stdio)
	if err := os.MkdirAll(cfg.RootDir, 0o711); err != nil {
		return nil, fmt.Errorf("creating root directory %q: %w", cfg.RootDir, err)
	}
	dir := stateDir(cfg.RootDir, a.ID)
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("%w: %s", ErrExist, a.ID)
		}
		return nil, fmt.Errorf("creating state directory: %w", err)
	}
	unlock, err := lock(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c := &Container{cfg: cfg, dir: dir, unlock: unlock, State: State{
		ID: a.ID, Bundle: bundle, Rootfs: spec.Root.Path, Status: Creating,
		Created: time.Now().UTC(), Annotations: spec.Annotations, Owner: os.Geteuid(),
	}}
	fail := func(err error) (*Container, error) {
		os.RemoveAll(dir)
		unlock()
		return nil, err
	}
	if err := c.save(dir); err != nil {
		return fail(err)
	}
	if err := c.createProcesses(cfg, a, spec); err != nil {
		return fail(err)
	}
	c.Status = Created
	c.Hooks = spec.Hooks
	if err := c.save(dir); err != nil {
		c.destroy()
		return fail(err)
	}
	if err := c.watchMemberTerminal(tty); err != nil {
		c.destroy()
		return fail(err)
	}
	if c.master, err = tty.handOver(); err != nil {
		c.destroy()
		return fail(err)
	}
	if err := c.runCreateHooks(); err != nil {
		c.destroy()
		return fail(err)
	}
	return c, nil
}

// Load loads and locks the container id.
func Load(cfg *config.Config, id string) (*Container, error) {
	if err := specutils.ValidateID(id); err != nil {
		return nil, err
	}
	dir := stateDir(cfg.RootDir, id)
	unlock, err := lock(dir)
	if err != nil {
		if errors.Is(err, ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotExist, id)
		}
		return nil, fmt.Errorf("loading container %q: %w", id, err)
	}
	s, err := loadState(dir)
	if err != nil {
		unlock()
		if errors.Is(err, ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotExist, id)
		}
		return nil, fmt.Errorf("loading container %q: %w", id, err)
	}
	return &Container{State: *s, cfg: cfg, dir: dir, unlock: unlock}, nil
}

// List loads every container under the root, sorted by ID, each unlocked
// again (a snapshot).
func List(cfg *config.Config) ([]*Container, error) {
	ents, err := os.ReadDir(cfg.RootDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", cfg.RootDir, err)
	}
	var cs []*Container
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		c, err := Load(cfg, e.Name())
		if err != nil {
			continue // deleted meanwhile, or not a container
		}
		c.Status = c.CurrentStatus()
		c.Close()
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	return cs, nil
}

// Close releases the container's lock.
func (c *Container) Close() {
	if c.unlock != nil {
		c.unlock()
		c.unlock = nil
	}
}

// CurrentStatus derives the status from the processes: a sandbox that is
// gone is stopped whatever the state file says; otherwise the sandbox
// says whether init started and exited.
func (c *Container) CurrentStatus() Status {
	if c.Status == Creating || !alive(c.SandboxPID, c.SandboxStartTime) {
		return Stopped
	}
	resp, err := sandbox.Call(c.ControlSocket, &control.Request{Method: control.MethodState, ContainerID: c.ID}, nil)
	if err != nil {
		return c.statusOnError(err)
	}
	switch {
	case resp.Status != nil && resp.Status.Exited:
		return Stopped
	case resp.Paused:
		return Paused
	case resp.Started:
		return Running
	}
	return Created
}

// OCIState is the state runsc state and runsc list --format json print:
// the runtime-spec state plus runc's rootfs, created and owner.
type OCIState struct {
	OCIVersion  string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Pid         int               `json:"pid"`
	Status      Status            `json:"status"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Created     time.Time         `json:"created"`
	Owner       string            `json:"owner"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// SandboxPid is Moat's own: the sandbox process's host PID while the
	// container is not stopped (pid may name init's waiter instead).
	SandboxPid int `json:"sandboxPid,omitempty"`
}

// OCIState returns the container's state; a stopped container has pid 0.
// The pid is the one a --pid-file named (init's waiter) while it lives, so
// that the pid file and state agree as with runc; otherwise the sandbox's.
func (c *Container) OCIState() OCIState {
	st := c.CurrentStatus()
	pid, sandbox := 0, 0
	if st != Stopped {
		pid, sandbox = c.SandboxPID, c.SandboxPID
		if c.InitWaiterPID != 0 && alive(c.InitWaiterPID, c.InitWaiterStartTime) {
			pid = c.InitWaiterPID
		}
	}
	owner := fmt.Sprint(c.Owner)
	if u, err := user.LookupId(owner); err == nil {
		owner = u.Username
	}
	return OCIState{
		OCIVersion: specs.Version, ID: c.ID, Pid: pid, Status: st, Bundle: c.Bundle,
		Rootfs: c.Rootfs, Created: c.Created, Owner: owner, Annotations: c.Annotations,
		SandboxPid: sandbox,
	}
}

// call sends a request to the sandbox, which must be alive.
func (c *Container) call(req *control.Request, fds []int) (*control.Response, error) {
	if !alive(c.SandboxPID, c.SandboxStartTime) {
		return nil, fmt.Errorf("%w: %s", ErrNotRunning, c.ID)
	}
	req.ContainerID = c.ID
	return sandbox.Call(c.ControlSocket, req, fds)
}
