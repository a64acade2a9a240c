package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/sys/reaper"
)

// runsc runs the runsc command line for one container. Every child goes
// through reaper.Default: the shim is a subreaper that reaps all of its
// children on SIGCHLD, so exec.Cmd.Wait alone would race with it.
type runsc struct {
	opts  *Options
	id    string
	exits *exitWatcher // nil in the manager's cleanup
}

// cmdIO are the standard streams of one runsc invocation; nil means
// /dev/null for stdin and a captured buffer for stdout and stderr.
type cmdIO struct {
	stdin          io.Reader
	stdout, stderr *os.File
}

// run runs `runsc <global flags> args...` and returns its stdout. A
// failure carries runsc's own message (its stderr, "runsc: " removed),
// mapped to a containerd error class by classify.
func (r *runsc) run(ctx context.Context, sio cmdIO, args ...string) ([]byte, error) {
	full := append(r.opts.runscFlags(r.id), args...)
	cmd := exec.Command(r.opts.Binary, full...)
	var out, errb bytes.Buffer
	cmd.Stdin = sio.stdin
	cmd.Stdout, cmd.Stderr = &out, &errb
	if sio.stdout != nil {
		cmd.Stdout = sio.stdout
	}
	if sio.stderr != nil {
		cmd.Stderr = sio.stderr
	}
	ec, err := reaper.Default.Start(cmd)
	if err != nil {
		return nil, fmt.Errorf("running %s: %w", r.opts.Binary, err)
	}
	status, err := reaper.Default.Wait(cmd, ec)
	r.exits.forget(cmd.Process.Pid)
	if err != nil {
		return nil, fmt.Errorf("waiting for runsc %s: %w", args[0], err)
	}
	if status != 0 {
		return out.Bytes(), r.failure(args[0], status, errb.String())
	}
	return out.Bytes(), nil
}

// failure builds the error of a runsc command that exited with status,
// having written msg on stderr.
func (r *runsc) failure(command string, status int, msg string) error {
	msg = strings.TrimSpace(msg)
	if i := strings.LastIndex(msg, "\nrunsc: "); i >= 0 {
		msg = msg[i+1:]
	}
	msg = strings.TrimPrefix(msg, "runsc: ")
	if msg == "" {
		msg = "exit status " + strconv.Itoa(status)
	}
	return classify(fmt.Errorf("runsc %s %s: %s", command, r.id, msg))
}

// classify wraps err in the containerd error class its message names, so
// that the Task API answers with the right gRPC code.
func classify(err error) error {
	m := err.Error()
	switch {
	case strings.Contains(m, "does not exist"):
		return fmt.Errorf("%w: %s", errdefs.ErrNotFound, m)
	case strings.Contains(m, "not implemented"), strings.Contains(m, "not supported"):
		return fmt.Errorf("%w: %s", errdefs.ErrNotImplemented, m)
	case strings.Contains(m, "id exists"):
		return fmt.Errorf("%w: %s", errdefs.ErrAlreadyExists, m)
	case strings.Contains(m, "cannot "), strings.Contains(m, "not running"), strings.Contains(m, "not stopped"):
		return fmt.Errorf("%w: %s", errdefs.ErrFailedPrecondition, m)
	}
	return err
}

// create runs `runsc create`; the container's stdio are sio's.
func (r *runsc) create(ctx context.Context, bundle, pidFile, consoleSocket string, sio cmdIO) error {
	args := []string{"create", "--bundle", bundle, "--pid-file", pidFile}
	if consoleSocket != "" {
		args = append(args, "--console-socket", consoleSocket)
	}
	_, err := r.run(ctx, sio, append(args, r.id)...)
	return err
}

// exec runs `runsc exec --detach` with the process in processFile; the
// waiter's PID goes to pidFile, the process's PID in the sandbox to
// internalPIDFile.
func (r *runsc) exec(ctx context.Context, processFile, pidFile, internalPIDFile, consoleSocket string, sio cmdIO) error {
	args := []string{"exec", "--process", processFile, "--detach", "--pid-file", pidFile, "--internal-pid-file", internalPIDFile}
	if consoleSocket != "" {
		args = append(args, "--console-socket", consoleSocket)
	}
	_, err := r.run(ctx, sio, append(args, r.id)...)
	return err
}

// simple runs a command whose only argument besides flags is the ID.
func (r *runsc) simple(ctx context.Context, command string, flags ...string) error {
	_, err := r.run(ctx, cmdIO{}, append(append([]string{command}, flags...), r.id)...)
	return err
}

// kill signals init, every process (all), or the exec'd process pid.
func (r *runsc) kill(ctx context.Context, sig uint32, all bool, pid int) error {
	args := []string{"kill"}
	if all {
		args = append(args, "--all")
	}
	if pid != 0 {
		args = append(args, "--pid", strconv.Itoa(pid))
	}
	_, err := r.run(ctx, cmdIO{}, append(args, r.id, strconv.Itoa(int(sig)))...)
	return err
}

// delete runs `runsc delete --force`.
func (r *runsc) delete(ctx context.Context) error {
	return r.simple(ctx, "delete", "--force")
}

// sandboxPID returns the sandbox's host PID from `runsc state`.
func (r *runsc) sandboxPID(ctx context.Context) (int, error) {
	st, err := r.state(ctx)
	if err != nil {
		return 0, err
	}
	if st.SandboxPid != 0 {
		return st.SandboxPid, nil
	}
	return st.Pid, nil
}

// ociState is the part of `runsc state` the shim reads: pid names init's
// waiter once create had a --pid-file, sandboxPid the sandbox.
type ociState struct {
	Status     string `json:"status"`
	Pid        int    `json:"pid"`
	SandboxPid int    `json:"sandboxPid"`
}

func (r *runsc) state(ctx context.Context) (*ociState, error) {
	out, err := r.run(ctx, cmdIO{}, "state", r.id)
	if err != nil {
		return nil, err
	}
	var st ociState
	if err := json.Unmarshal(out, &st); err != nil {
		return nil, fmt.Errorf("runsc state %s: unexpected output %q", r.id, out)
	}
	return &st, nil
}

// pidPair is one process of `runsc ps --format pidmap`: the host PID
// that runs it (its stub) and its PID in the sandbox.
type pidPair struct {
	HostPID    int `json:"hostPid"`
	SandboxPID int `json:"sandboxPid"`
}

// ps returns the container's processes.
func (r *runsc) ps(ctx context.Context) ([]pidPair, error) {
	out, err := r.run(ctx, cmdIO{}, "ps", "--format", "pidmap", r.id)
	if err != nil {
		return nil, err
	}
	var pids []pidPair
	if err := json.Unmarshal(out, &pids); err != nil {
		return nil, fmt.Errorf("runsc ps %s: unexpected output %q", r.id, out)
	}
	return pids, nil
}

// update applies the runtime-spec LinuxResources JSON in resources.
func (r *runsc) update(ctx context.Context, resources []byte) error {
	_, err := r.run(ctx, cmdIO{stdin: bytes.NewReader(resources)}, "update", "--resources", "-", r.id)
	return err
}

// stats returns one `runsc events --stats` event.
func (r *runsc) stats(ctx context.Context) (*statsEvent, error) {
	out, err := r.run(ctx, cmdIO{}, "events", "--stats", r.id)
	if err != nil {
		return nil, err
	}
	var ev statsEvent
	if err := json.Unmarshal(out, &ev); err != nil {
		return nil, fmt.Errorf("runsc events --stats %s: unexpected output %q", r.id, out)
	}
	return &ev, nil
}

// readPIDFile reads a pid file runsc wrote.
func readPIDFile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("pid file %s: %w", path, err)
	}
	return pid, nil
}

// errProcessGone is the error of signalling a process that has exited.
var errProcessGone = fmt.Errorf("process already finished: %w", errdefs.ErrNotFound)

// isNoSuchProcess reports whether err is runsc saying that the target
// is not running any more.
func isNoSuchProcess(err error) bool {
	return err != nil && (errors.Is(err, syscall.ESRCH) || strings.Contains(err.Error(), "not running") ||
		strings.Contains(err.Error(), "no such process"))
}

// waitTimeout is how long the shim waits for output to drain or a
// console to arrive before it gives up on them.
const waitTimeout = 10 * time.Second
