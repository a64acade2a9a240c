package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"moat/runsc/sandbox"
	"moat/sentry/control"
)

// Start runs the container's process (runsc start).
func (c *Container) Start() error {
	if st := c.CurrentStatus(); st != Created {
		return fmt.Errorf("cannot start a container that is %s: %w", st, ErrBadState)
	}
	if err := c.runHooks(c.Hooks, HookStartContainer, Created); err != nil {
		c.destroy()
		return fmt.Errorf("starting container %q: %w", c.ID, err)
	}
	if _, err := c.call(&control.Request{Method: control.MethodStart}, nil); err != nil {
		return fmt.Errorf("starting container %q: %w", c.ID, err)
	}
	c.Status = Running
	if err := c.save(c.dir); err != nil {
		return err
	}
	c.runHooksBestEffort(c.Hooks, HookPoststart, Running)
	return nil
}

// Signal sends sig to the container's init, to every process with all, or
// to the sandbox process pid when it is not 0 (runsc kill). A created container that is sent a signal that would
// kill a process waiting to start (runc's behaviour) is destroyed: its
// status becomes stopped.
func (c *Container) Signal(sig syscall.Signal, all bool, pid int32) error {
	switch st := c.CurrentStatus(); st {
	case Running, Paused:
	case Created:
		switch sig {
		case syscall.SIGKILL, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT:
			c.killProcesses()
		}
		return nil
	default:
		return fmt.Errorf("%w: %s", ErrNotRunning, c.ID)
	}
	_, err := c.call(&control.Request{Method: control.MethodSignal, Signal: &control.SignalArgs{Signo: int(sig), All: all, PID: pid}}, nil)
	if err != nil {
		return fmt.Errorf("signalling container %q: %w", c.ID, err)
	}
	return nil
}

// Wait waits for init to exit and returns its shell-style exit code
// (128+N after death by signal N). The container's lock is released
// while waiting, so that kill and state work meanwhile.
func (c *Container) Wait() (int, error) {
	st := c.CurrentStatus()
	if st == Created || st == Creating {
		return 0, fmt.Errorf("cannot wait for a container that is %s: %w", st, ErrBadState)
	}
	return c.waitInit()
}

// waitInit is Wait without its state check: a waiter (waiter.go) starts
// waiting at create.
func (c *Container) waitInit() (int, error) {
	if !alive(c.SandboxPID, c.SandboxStartTime) {
		// The sandbox is gone: killed from outside.
		return 128 + int(syscall.SIGKILL), nil
	}
	c.Close()
	resp, err := sandbox.Call(c.ControlSocket, &control.Request{Method: control.MethodWait, ContainerID: c.ID}, nil)
	if errors.Is(err, sandbox.ErrUnreachable) {
		return 128 + int(syscall.SIGKILL), nil
	}
	if err != nil {
		return 0, fmt.Errorf("waiting for container %q: %w", c.ID, err)
	}
	return resp.Status.Code, nil
}

// Delete destroys the container: its sandbox and gofer are killed and its
// state directory removed (runsc delete). A running container is deleted
// only with force.
func (c *Container) Delete(force bool) error {
	if st := c.CurrentStatus(); (st == Running || st == Paused) && !force {
		return fmt.Errorf("cannot delete container %s that is not stopped: %w (use --force)", c.ID, ErrBadState)
	}
	return c.destroy()
}

// killProcesses kills and waits for the sandbox and the gofer. Stubs die
// with the sandbox (PTRACE_O_EXITKILL), the gofer is killed explicitly.
func (c *Container) killProcesses() error {
	if c.SandboxID != "" {
		return c.killPodMember()
	}
	err1 := killAndWait(c.SandboxPID, c.SandboxStartTime, 10*time.Second)
	err2 := killAndWait(c.GoferPID, c.GoferStartTime, 10*time.Second)
	return errors.Join(err1, err2, c.killPodGofers())
}

// destroy kills the processes, removes the state directory and runs the
// poststop hooks.
func (c *Container) destroy() error {
	if err := c.killProcesses(); err != nil {
		return fmt.Errorf("destroying container %q: %w", c.ID, err)
	}
	c.killWaiters() // before the cgroup goes: they are in it
	if err := c.destroyCgroup(); err != nil {
		return err
	}
	c.killWatchers()
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("removing state of container %q: %w", c.ID, err)
	}
	// Once: run destroys again after a start that destroyed the container.
	hooks := c.Hooks
	c.Hooks = nil
	c.runHooksBestEffort(hooks, HookPoststop, Stopped)
	return nil
}

// WritePIDFile starts a waiter for init (waiter.go), records it as the pid
// `state` reports, and writes its host PID to path atomically, as runc's
// --pid-file does with init's.
func (c *Container) WritePIDFile(path string) error {
	if path == "" {
		return nil
	}
	pid, err := c.StartWaiter(0)
	if err != nil {
		return err
	}
	_, start, err := procStat(pid)
	if err != nil {
		return fmt.Errorf("waiter %d: %w", pid, err)
	}
	c.InitWaiterPID, c.InitWaiterStartTime = pid, start
	if err := c.save(c.dir); err != nil {
		return err
	}
	return writePIDFile(path, pid)
}

func writePIDFile(path string, pid int) error {
	if path == "" {
		return nil
	}
	path, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(fmt.Sprint(pid)), 0o644); err != nil {
		return fmt.Errorf("writing pid file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing pid file: %w", err)
	}
	return nil
}
