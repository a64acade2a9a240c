package console

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The resize watcher (runsc tty-watch). The host kernel signals a window
// size change of a pty only to the foreground process group of the
// session whose controlling terminal it is. The sandbox process holds its
// init's terminal that way, but a process has only one controlling
// terminal, so each exec'd process's terminal gets a watcher: a small host
// process in a session of its own whose controlling terminal is that pty.
// It holds no descriptor of the pty (so the pty's end is still seen when
// the sandbox closes its replica), gets SIGWINCH on every change and
// passes it on to the sandbox process through a pidfd; the sandbox then
// reads the new size of its host terminals. It exits when the terminal
// hangs up (its master was closed: SIGHUP) or the sandbox exits.

// Descriptors of the watcher process.
const (
	watchPidfdFD   = 3
	watchReplicaFD = 4
)

// StartWatcher starts the watcher for the pty whose replica is given:
// self is runsc's path and args the global flags it runs with. sandbox
// is a pidfd of the sandbox process. It returns once the watcher is
// ready to pass signals on.
func StartWatcher(self string, args []string, replica, sandbox *os.File) (*os.Process, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd := exec.Command(self, append(args, "tty-watch")...)
	cmd.ExtraFiles = []*os.File{sandbox, replica}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: watchReplicaFD}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return nil, fmt.Errorf("starting the terminal's resize watcher: %w", err)
	}
	line, _ := bufio.NewReader(r).ReadString('\n')
	if line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("the terminal's resize watcher failed: %s", strings.TrimSpace(line))
	}
	return cmd.Process, nil
}

// Watch is the watcher's body (runsc tty-watch).
func Watch() error {
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, unix.SIGWINCH)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, unix.SIGHUP)
	if err := unix.Close(watchReplicaFD); err != nil {
		return fmt.Errorf("closing the replica: %w", err)
	}
	gone := make(chan struct{})
	go func() {
		fds := []unix.PollFd{{Fd: watchPidfdFD, Events: unix.POLLIN}}
		for {
			if _, err := unix.Poll(fds, -1); err != unix.EINTR {
				break
			}
		}
		close(gone)
	}()
	fmt.Fprint(os.Stdout, "ready\n")
	os.Stdout.Close()
	os.Stderr.Close()
	for {
		select {
		case <-winch:
			if err := unix.PidfdSendSignal(watchPidfdFD, unix.SIGWINCH, nil, 0); err != nil {
				return nil // the sandbox is gone
			}
		case <-hup:
			return nil
		case <-gone:
			return nil
		}
	}
}
