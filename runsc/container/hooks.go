package container

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/internal/log"
)

// Hook kinds, named as in config.json.
const (
	HookPrestart        = "prestart"
	HookCreateRuntime   = "createRuntime"
	HookCreateContainer = "createContainer"
	HookStartContainer  = "startContainer"
	HookPoststart       = "poststart"
	HookPoststop        = "poststop"
)

// hookList returns the hooks of one kind.
func hookList(h *specs.Hooks, kind string) []specs.Hook {
	if h == nil {
		return nil
	}
	switch kind {
	case HookPrestart:
		return h.Prestart //nolint:staticcheck // deprecated, still part of the spec
	case HookCreateRuntime:
		return h.CreateRuntime
	case HookCreateContainer:
		return h.CreateContainer
	case HookStartContainer:
		return h.StartContainer
	case HookPoststart:
		return h.Poststart
	case HookPoststop:
		return h.Poststop
	}
	return nil
}

// hookWaitDelay bounds how long a hook's output is drained after the hook
// has exited or was killed (a child that kept its stdout open).
const hookWaitDelay = 2 * time.Second

// runHook runs one hook on the host, as the runtime spec says: path with
// args (args[0] is argv[0]; none means path), env (none: runsc's own, as
// runc and gVisor do), the state JSON on stdin, and timeout seconds after
// which the hook and every process of its process group are killed. An
// error names the hook and includes what it wrote.
func runHook(h specs.Hook, state []byte) error {
	args := h.Args
	if len(args) == 0 {
		args = []string{h.Path}
	}
	var stdout, stderr bytes.Buffer
	cmd := &exec.Cmd{
		Path:        h.Path,
		Args:        args,
		Env:         h.Env,
		Stdin:       bytes.NewReader(state),
		Stdout:      &stdout,
		Stderr:      &stderr,
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true},
		WaitDelay:   hookWaitDelay,
	}
	var timeout <-chan time.Time
	if h.Timeout != nil {
		if *h.Timeout <= 0 {
			// The spec wants a timeout greater than zero (validateHooks
			// refuses the config at create).
			return fmt.Errorf("hook %s: timeout %d is not positive", h.Path, *h.Timeout)
		}
		t := time.NewTimer(time.Duration(*h.Timeout) * time.Second)
		defer t.Stop()
		timeout = t.C
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("running hook %s: %w", h.Path, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-timeout:
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		err = fmt.Errorf("timed out after %ds", *h.Timeout)
	}
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf("hook %s: %v", h.Path, err)
	if s := strings.TrimSpace(stdout.String()); s != "" {
		msg += ", stdout: " + s
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		msg += ", stderr: " + s
	}
	return errors.New(msg)
}

// runHooks runs the hooks of kind in order with the container's state
// (status st). It stops at the first failure and returns it: the caller
// destroys the container (prestart, createRuntime, createContainer,
// startContainer).
func (c *Container) runHooks(hooks *specs.Hooks, kind string, st Status) error {
	list := hookList(hooks, kind)
	if len(list) == 0 {
		return nil
	}
	state, err := c.hookState(st)
	if err != nil {
		return err
	}
	for _, h := range list {
		log.Debugf("container %s: running %s hook %s", c.ID, kind, h.Path)
		if err := runHook(h, state); err != nil {
			return fmt.Errorf("%s %w", kind, err)
		}
	}
	return nil
}

// runCreateHooks runs the hooks create runs once the sandbox is ready,
// with status created (gVisor's order): prestart, then createRuntime, then
// createContainer. Every one runs on the host in runsc's namespaces: the
// container's namespaces exist only inside the sentry, where no host
// program can enter (docs/oci.md, "Hooks").
func (c *Container) runCreateHooks() error {
	for _, kind := range []string{HookPrestart, HookCreateRuntime, HookCreateContainer} {
		if err := c.runHooks(c.Hooks, kind, Created); err != nil {
			return err
		}
	}
	return nil
}

// runHooksBestEffort runs every hook of kind, logging a warning for each
// one that fails (poststart, poststop: the spec's lifecycle goes on).
func (c *Container) runHooksBestEffort(hooks *specs.Hooks, kind string, st Status) {
	list := hookList(hooks, kind)
	if len(list) == 0 {
		return
	}
	state, err := c.hookState(st)
	if err != nil {
		log.Warningf("container %s: %s hooks: %v", c.ID, kind, err)
		return
	}
	for _, h := range list {
		log.Debugf("container %s: running %s hook %s", c.ID, kind, h.Path)
		if err := runHook(h, state); err != nil {
			log.Warningf("container %s: %s %v", c.ID, kind, err)
		}
	}
}

// hookState is the state JSON a hook reads on stdin: the runtime-spec
// state with status st and the sandbox's host PID (0 once stopped).
func (c *Container) hookState(st Status) ([]byte, error) {
	pid := c.SandboxPID
	if st == Stopped {
		pid = 0
	}
	b, err := json.Marshal(specs.State{
		Version: specs.Version, ID: c.ID, Status: specs.ContainerState(st),
		Pid: pid, Bundle: c.Bundle, Annotations: c.Annotations,
	})
	if err != nil {
		return nil, fmt.Errorf("encoding the state for hooks: %w", err)
	}
	return b, nil
}

// validateHooks checks the hooks before anything is created: an absolute
// path and a positive timeout, as the runtime spec requires.
func validateHooks(h *specs.Hooks) error {
	for _, kind := range []string{HookPrestart, HookCreateRuntime, HookCreateContainer, HookStartContainer, HookPoststart, HookPoststop} {
		for _, hk := range hookList(h, kind) {
			if !strings.HasPrefix(hk.Path, "/") {
				return fmt.Errorf("%s hook path %q is not absolute", kind, hk.Path)
			}
			if hk.Timeout != nil && *hk.Timeout <= 0 {
				return fmt.Errorf("%s hook %s: timeout must be greater than zero, got %d", kind, hk.Path, *hk.Timeout)
			}
		}
	}
	return nil
}
