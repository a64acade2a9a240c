// Package sandbox is the host side of a sandbox: it starts the gofer and
// the sandbox process (runsc boot) with their namespaces and file
// descriptors, and follows them until they exit.
package sandbox

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"moat/runsc/config"
	"moat/sentry/control"
)

// DoArgs describe a `runsc do` invocation.
type DoArgs struct {
	// RootDir is the host directory served as the sandbox's root.
	RootDir string
	Cwd     string
	Env     []string
	Argv    []string
}

// ExecError is a failure to start the program (the execve errno), which
// `runsc do` reports like a shell does.
type ExecError struct {
	Program string
	Errno   syscall.Errno
}

// Error implements error.Error.
func (e *ExecError) Error() string { return fmt.Sprintf("%s: %s", e.Program, errnoText(e.Errno)) }

// ExitCode is the exit code a shell gives for this failure: 127 when the
// program does not exist, 126 when it exists but cannot be run.
func (e *ExecError) ExitCode() int {
	if e.Errno == syscall.ENOENT || e.Errno == syscall.ENOTDIR {
		return 127
	}
	return 126
}

// errnoText is strerror with the first letter as Linux prints it.
func errnoText(e syscall.Errno) string {
	if e == syscall.ENOEXEC {
		return "cannot execute binary file: Exec format error"
	}
	return capitalize(e.Error())
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Do runs a program in a fresh sandbox and returns its exit status as a
// shell reports it (128+N for death by signal N).
func Do(cfg *config.Config, a DoArgs) (int, error) {
	if len(a.Argv) == 0 {
		return 0, errors.New("no program given")
	}
	st, err := os.Stat(a.RootDir)
	if err != nil {
		return 0, fmt.Errorf("root %q: %w", a.RootDir, err)
	}
	if !st.IsDir() {
		return 0, fmt.Errorf("root %q is not a directory", a.RootDir)
	}
	// Descriptors runsc inherited from its caller must not reach the
	// gofer or the sandbox.
	if err := unix.CloseRange(3, ^uint(0)>>1, unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return 0, fmt.Errorf("marking inherited fds close-on-exec: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("finding runsc: %w", err)
	}
	// The gofer socket: one end for the gofer, one for the sentry.
	gfds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("creating gofer socket: %w", err)
	}
	goferEnd := os.NewFile(uintptr(gfds[0]), "gofer-socket")
	sentryEnd := os.NewFile(uintptr(gfds[1]), "sentry-gofer-socket")
	defer goferEnd.Close()
	defer sentryEnd.Close()

	gofer := exec.Command(self, append(cfg.ToArgs(), "gofer", "--root="+a.RootDir, "--read-only")...)
	gofer.ExtraFiles = []*os.File{goferEnd} // fd 3
	gofer.Stderr = os.Stderr
	// Own process groups: a terminal's ^C reaches runsc do, which relays
	// it to the sandbox; the gofer never sees it.
	gofer.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Cloneflags: syscall.CLONE_NEWNS, Setpgid: true}
	// Pdeathsig fires when the creating thread exits: keep it alive.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := gofer.Start(); err != nil {
		return 0, fmt.Errorf("starting gofer: %w", err)
	}
	defer func() {
		gofer.Process.Kill()
		gofer.Wait()
	}()
	goferEnd.Close()

	argsR, argsW, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		argsR.Close()
		argsW.Close()
		return 0, err
	}
	boot := exec.Command(self, append(cfg.ToArgs(), "boot")...)
	boot.ExtraFiles = []*os.File{argsR, statusW, sentryEnd} // fds 3, 4, 5
	boot.Stdin, boot.Stdout, boot.Stderr = os.Stdin, os.Stdout, os.Stderr
	boot.SysProcAttr = &syscall.SysProcAttr{
		Pdeathsig:  syscall.SIGKILL,
		Setpgid:    true,
		Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS | syscall.CLONE_NEWNET,
	}
	err = boot.Start()
	argsR.Close()
	statusW.Close()
	sentryEnd.Close()
	if err != nil {
		argsW.Close()
		statusR.Close()
		return 0, fmt.Errorf("starting sandbox: %w", err)
	}
	ba := control.BootArgs{
		Argv: a.Argv, Env: a.Env, Cwd: a.Cwd, RootReadOnly: true, TmpOnTmp: true,
		Hostname: "moat", CPUs: runtime.NumCPU(),
	}
	err = json.NewEncoder(argsW).Encode(&ba)
	argsW.Close()
	if err != nil {
		boot.Process.Kill()
		boot.Wait()
		statusR.Close()
		return 0, fmt.Errorf("sending boot arguments: %w", err)
	}
	var ss control.StartStatus
	line, rerr := bufio.NewReader(statusR).ReadBytes('\n')
	statusR.Close()
	if rerr != nil || json.Unmarshal(line, &ss) != nil {
		// The sandbox died before reporting: say how.
		werr := boot.Wait()
		return 0, fmt.Errorf("sandbox failed to start: %v", exitDescription(boot, werr))
	}
	if !ss.Started {
		boot.Wait()
		if ss.Errno != 0 {
			return 0, &ExecError{Program: a.Argv[0], Errno: syscall.Errno(ss.Errno)}
		}
		return 0, fmt.Errorf("sandbox failed to start: %s", ss.Error)
	}
	stop := relaySignals(boot.Process)
	werr := boot.Wait()
	stop()
	if werr != nil {
		var ee *exec.ExitError
		if !errors.As(werr, &ee) {
			return 0, fmt.Errorf("waiting for sandbox: %w", werr)
		}
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			return 0, fmt.Errorf("sandbox killed by %v", ws.Signal())
		}
		return ws.ExitStatus(), nil
	}
	return 0, nil
}

func exitDescription(c *exec.Cmd, err error) string {
	if err == nil {
		return "exited without reporting"
	}
	return err.Error()
}

// relaySignals passes the signals runsc do receives on to the sandbox
// process, which hands them to the program; the returned function stops.
func relaySignals(p *os.Process) func() {
	ch := make(chan os.Signal, 16)
	signal.Notify(ch, control.ForwardedSignals...)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-ch:
				p.Signal(sig)
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
