package container

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/internal/log"
	"moat/runsc/specutils"
	"moat/sentry/control"
)

// ExecArgs describe a process to run in a running container.
type ExecArgs struct {
	// Process is the process to run; LoadProcess or DefaultProcess make
	// one.
	Process *specs.Process
	// Stdio are its stdin, stdout and stderr (passed to the sandbox).
	Stdio [3]*os.File
	// Detach returns once the process has started.
	Detach bool
	// PIDFile gets the process's PID: in the sandbox, or with Detach the
	// host PID of a waiter for it (waiter.go).
	PIDFile string
	// InternalPIDFile gets the process's PID in the sandbox (gVisor's
	// --internal-pid-file).
	InternalPIDFile string
	// ConsoleSocket receives the master of the process's terminal
	// (Process.Terminal), as with runc exec --console-socket.
	ConsoleSocket string
}

// DefaultProcess is the container's own process with args instead of its
// args (runc exec's defaults: the spec's env, cwd and user).
func (c *Container) DefaultProcess(args []string) (*specs.Process, error) {
	spec, err := specutils.LoadSpec(c.Bundle)
	if err != nil {
		return nil, err
	}
	p := *spec.Process
	p.Args = args
	p.Terminal = false
	return &p, nil
}

// Exec runs a process in the running container (runsc exec). Without
// Detach it waits for the process and returns its shell-style exit code.
// The lock is released once the process has started.
func (c *Container) Exec(a ExecArgs) (int, error) {
	if err := specutils.ValidateProcess(a.Process); err != nil {
		return 0, err
	}
	if st := c.CurrentStatus(); st != Running {
		return 0, fmt.Errorf("cannot exec in a container that is %s: %w", st, ErrNotRunning)
	}
	b, err := json.Marshal(a.Process)
	if err != nil {
		return 0, err
	}
	tty, err := c.execTerminal(a)
	if err != nil {
		return 0, err
	}
	defer tty.close()
	fds, names := tty.execFDs(a.Stdio)
	var sigs *SignalRelay
	if !a.Detach {
		// From before the process runs: a signal sent once it has
		// started must reach it, not end runsc with its default action.
		sigs = catchSignals()
		defer sigs.stop()
	}
	resp, err := c.call(&control.Request{
		Method: control.MethodExec,
		Exec:   &control.ExecArgs{Process: b},
		FDs:    names,
	}, fds)
	if err != nil {
		return 0, fmt.Errorf("exec in container %q: %w", c.ID, err)
	}
	pid := resp.PID
	master, err := tty.started()
	if err != nil {
		return 0, err
	}
	if err := c.writeExecPIDFiles(a, pid); err != nil {
		return 0, err
	}
	c.Close()
	if a.Detach {
		return 0, nil
	}
	att, err := attach(master, a.Stdio)
	if err != nil {
		return 0, err
	}
	defer att.Close()
	sigs.relay(c, pid)
	code, err := c.WaitPID(pid)
	att.Close() // the process's last output first
	return code, err
}

// SignalRelay passes the terminating signals runsc receives on to a
// process of the container (runsc run, exec, the waiter).
type SignalRelay struct {
	ch chan os.Signal
}

// catchSignals starts catching the signals to relay; until relay is
// called they wait in a buffer (runc too sets its handler up before the
// process starts).
func catchSignals() *SignalRelay {
	r := &SignalRelay{ch: make(chan os.Signal, 16)}
	signal.Notify(r.ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	return r
}

// relay passes the signals caught, those already waiting first, on to
// pid (0: init) until stop is called.
func (r *SignalRelay) relay(c *Container, pid int32) {
	go func() {
		for s := range r.ch {
			req := &control.Request{Method: control.MethodSignal, Signal: &control.SignalArgs{Signo: int(s.(syscall.Signal)), PID: pid}}
			if _, err := c.call(req, nil); err != nil {
				log.Warningf("forwarding %v: %v", s, err)
			}
		}
	}()
}

// stop ends catching (and relaying); the signals go back to their
// default actions.
func (r *SignalRelay) stop() {
	signal.Stop(r.ch)
	close(r.ch)
}

// WaitPID waits for a process started by exec (a PID in the sandbox) and
// returns its shell-style exit code; it can be collected once.
func (c *Container) WaitPID(pid int32) (int, error) {
	c.Close()
	resp, err := c.call(&control.Request{Method: control.MethodWaitPID, PID: pid}, nil)
	if err != nil {
		return 0, fmt.Errorf("waiting for process %d: %w", pid, err)
	}
	return resp.Status.Code, nil
}

// Processes lists the container's processes (runsc ps).
func (c *Container) Processes() ([]control.ProcessInfo, error) {
	if st := c.CurrentStatus(); st == Stopped {
		return nil, nil
	}
	resp, err := c.call(&control.Request{Method: control.MethodPs}, nil)
	if err != nil {
		return nil, fmt.Errorf("listing processes of %q: %w", c.ID, err)
	}
	return resp.Processes, nil
}

// Stats reports the sandbox's resource usage.
func (c *Container) Stats() (*control.Stats, error) {
	resp, err := c.call(&control.Request{Method: control.MethodStats}, nil)
	if err != nil {
		return nil, fmt.Errorf("reading stats of %q: %w", c.ID, err)
	}
	if resp.Stats != nil && resp.Stats.Memory == 0 {
		// TODO(#3): the sentry's own accounting; until then what the
		// host says the sandbox and its stubs hold.
		resp.Stats.Memory = treeRSS(c.SandboxPID)
	}
	return resp.Stats, nil
}
