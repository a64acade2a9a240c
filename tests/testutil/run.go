package testutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Result is what a finished command left behind.
type Result struct {
	Stdout   string
	Stderr   string
	ExitCode int  // exit status, or 128+N after death by signal N
	TimedOut bool // killed by Run's timeout
}

// String renders a result for test failure messages.
func (r Result) String() string {
	s := fmt.Sprintf("exit code %d", r.ExitCode)
	if r.TimedOut {
		s += " (timed out)"
	}
	return s + "\n--- stdout\n" + r.Stdout + "\n--- stderr\n" + r.Stderr
}

// Cmd describes a command to run: Args[0] is the program; Env is the
// complete environment (nil means empty, never the caller's); Dir the
// working directory ("" means /).
type Cmd struct {
	Args  []string
	Env   []string
	Dir   string
	Stdin string
}

// Run runs c with stdout and stderr captured separately, in a new session
// (so no controlling terminal: the same for native and sandboxed runs) and
// kills its whole process group when timeout passes. An error is returned
// only when the command could not be started at all.
func Run(c Cmd, timeout time.Duration) (Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Args[0], c.Args[1:]...)
	cmd.Env = c.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Dir = c.Dir
	if cmd.Dir == "" {
		cmd.Dir = "/"
	}
	cmd.Stdin = strings.NewReader(c.Stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Cancel = func() error {
		// Kill the whole session's process group, not only the leader.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	res := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	if ctx.Err() == context.DeadlineExceeded {
		res.TimedOut = true
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		res.ExitCode = ExitCode(exitErr.ProcessState.Sys().(syscall.WaitStatus))
	default:
		return res, fmt.Errorf("running %q: %w", c.Args, err)
	}
	return res, nil
}

// ExitCode turns a wait status into a shell-style exit code: the exit
// status, or 128+N for death by signal N (what `runsc do` propagates).
func ExitCode(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
