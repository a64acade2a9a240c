package e2eutil

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"moat/tests/testutil"
)

// RunInPty runs args with a new pseudo-terminal of rows×cols as its
// controlling terminal and stdio (for `ctr run -t`, `docker run -t`),
// types input into it, and returns everything written to the terminal
// and the exit code. The command is killed after timeout.
func RunInPty(args, env []string, input string, rows, cols uint16, timeout time.Duration) (testutil.Result, error) {
	master, slave, err := openPty()
	if err != nil {
		return testutil.Result{}, err
	}
	defer master.Close()
	if err := unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols}); err != nil {
		slave.Close()
		return testutil.Result{}, fmt.Errorf("setting the window size: %w", err)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		slave.Close()
		return testutil.Result{}, err
	}
	slave.Close()
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() {
		io.Copy(&out, master) // ends with EIO when the last slave fd closes
		close(copied)
	}()
	if input != "" {
		master.Write([]byte(input))
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	res := testutil.Result{}
	select {
	case err = <-done:
	case <-time.After(timeout):
		cmd.Process.Kill()
		err = <-done
		res.TimedOut = true
	}
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
	}
	if ee, ok := err.(*exec.ExitError); ok {
		res.ExitCode = testutil.ExitCode(ee.Sys().(syscall.WaitStatus))
	} else if err != nil {
		return res, err
	}
	res.Stdout = out.String()
	return res, nil
}

// openPty opens a new pseudo-terminal pair.
func openPty() (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("unlockpt: %w", err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("ptsname: %w", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	return master, slave, nil
}
