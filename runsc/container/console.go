package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"moat/runsc/console"
)

// Terminals (process.terminal, docs/tty.md). runsc makes a host pty for a
// process with a terminal: its replica goes to the sandbox, its master to
// the caller's --console-socket (create, run --detach, exec --detach) or,
// for a foreground run or exec, stays with runsc, which copies it to and
// from its own stdio.

// checkTerminal applies runc's rules on a terminal and a console socket:
// a process that runs detached (create, --detach) needs a console socket
// to have a terminal, and a console socket is only for a detached process
// with a terminal.
func checkTerminal(terminal, detach bool, consoleSocket string) error {
	if detach && terminal && consoleSocket == "" {
		return errors.New("cannot allocate tty if runsc will detach without setting console socket")
	}
	if (!detach || !terminal) && consoleSocket != "" {
		return errors.New("cannot use console socket if runsc will not detach or allocate tty")
	}
	return nil
}

// terminal is a process's host pty while runsc sets the process up.
type terminal struct {
	pty    *console.Pty
	socket *console.Socket // nil: runsc keeps the master
	// watcher is the resize watcher of a terminal that is not the
	// sandbox's controlling terminal (an exec'd process's, a pod
	// member's), until handOver leaves it to itself.
	watcher *os.Process
}

// newTerminal makes the host pty of process p when it has a terminal
// (nil otherwise), after checking the flags and connecting to the console
// socket, so that a wrong socket fails before anything is started.
func newTerminal(p *specs.Process, detach bool, consoleSocket string) (*terminal, error) {
	if err := checkTerminal(p != nil && p.Terminal, detach, consoleSocket); err != nil {
		return nil, err
	}
	if p == nil || !p.Terminal {
		return nil, nil
	}
	t := &terminal{}
	if consoleSocket != "" {
		s, err := console.Dial(consoleSocket)
		if err != nil {
			return nil, err
		}
		t.socket = s
	}
	pty, err := console.NewPty(p.ConsoleSize)
	if err != nil {
		t.close()
		return nil, err
	}
	t.pty = pty
	return t, nil
}

// stdio is what the sandbox gets as the process's stdio: the replica, or
// def without a terminal.
func (t *terminal) stdio(def [3]*os.File) [3]*os.File {
	if t == nil {
		return def
	}
	r := t.pty.Replica
	return [3]*os.File{r, r, r}
}

// handOver is called once the sandbox holds the replica: runsc closes its
// copy, a resize watcher is left to itself (it ends with the terminal or
// the sandbox), and the master goes to the console socket. It returns the
// master when runsc keeps it (no socket), for the caller to attach to
// and close.
func (t *terminal) handOver() (*os.File, error) {
	if t == nil {
		return nil, nil
	}
	if t.watcher != nil {
		t.watcher.Release()
		t.watcher = nil
	}
	t.pty.Replica.Close()
	t.pty.Replica = nil
	if t.socket == nil {
		m := t.pty.Master
		t.pty.Master = nil
		return m, nil
	}
	return nil, t.socket.SendMaster(t.pty.Master)
}

// close closes whatever was not handed over, and kills a watcher that
// was not released (the process did not start). A nil t is fine.
func (t *terminal) close() {
	if t == nil {
		return
	}
	if t.watcher != nil {
		t.watcher.Kill()
		t.watcher.Wait()
	}
	if t.pty != nil {
		t.pty.Close()
	}
	if t.socket != nil {
		t.socket.Close()
	}
}

// execTerminal makes the terminal of a process to exec (nil without
// one) and starts its resize watcher (console.StartWatcher), which passes
// window size changes on to this container's sandbox.
func (c *Container) execTerminal(a ExecArgs) (*terminal, error) {
	t, err := newTerminal(a.Process, a.Detach, a.ConsoleSocket)
	if t == nil || err != nil {
		return nil, err
	}
	if err := c.startResizeWatcher(t); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

// startResizeWatcher starts the resize watcher of t, whose replica is not
// the sandbox's controlling terminal (an exec'd process's, a pod
// member's), and records it for delete.
func (c *Container) startResizeWatcher(t *terminal) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding runsc: %w", err)
	}
	fd, err := unix.PidfdOpen(c.SandboxPID, 0)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrNotRunning, c.ID)
	}
	pidfd := os.NewFile(uintptr(fd), "sandbox-pidfd")
	defer pidfd.Close()
	// The pidfd names the sandbox only if the PID was not reused first.
	if !alive(c.SandboxPID, c.SandboxStartTime) {
		return fmt.Errorf("%w: %s", ErrNotRunning, c.ID)
	}
	if t.watcher, err = console.StartWatcher(self, c.cfg.ToArgs(), t.pty.Replica, pidfd); err != nil {
		return err
	}
	return c.recordWatcher(t.watcher.Pid)
}

// Each resize watcher is recorded in the state directory as
// tty-watch-<host PID> holding its start time, so that delete can end
// the watchers left (they would follow the sandbox anyway, a moment
// later).
const watcherPrefix = "tty-watch-"

func (c *Container) recordWatcher(pid int) error {
	_, start, err := procStat(pid)
	if err == nil {
		err = os.WriteFile(filepath.Join(c.dir, watcherPrefix+strconv.Itoa(pid)), []byte(strconv.FormatUint(start, 10)), 0o600)
	}
	if err != nil {
		return fmt.Errorf("recording the terminal's resize watcher: %w", err)
	}
	return nil
}

// killWatchers kills the container's resize watchers still running
// (delete).
func (c *Container) killWatchers() {
	ents, _ := os.ReadDir(c.dir)
	for _, e := range ents {
		n, ok := strings.CutPrefix(e.Name(), watcherPrefix)
		if !ok {
			continue
		}
		pid, err1 := strconv.Atoi(n)
		b, err2 := os.ReadFile(filepath.Join(c.dir, e.Name()))
		start, err3 := strconv.ParseUint(string(b), 10, 64)
		if err1 == nil && err2 == nil && err3 == nil {
			killAndWait(pid, start, 2*time.Second)
		}
	}
}

// execFDs are the descriptors an exec request passes, with their names:
// stdio, or the terminal's replica alone.
func (t *terminal) execFDs(stdio [3]*os.File) ([]int, []string) {
	if t == nil {
		return []int{int(stdio[0].Fd()), int(stdio[1].Fd()), int(stdio[2].Fd())}, []string{"stdin", "stdout", "stderr"}
	}
	return []int{int(t.pty.Replica.Fd())}, []string{"terminal"}
}

// started is called once the exec'd process runs (handOver).
func (t *terminal) started() (*os.File, error) { return t.handOver() }

// attachTerminal copies between stdio and the terminal of a foreground
// run (console.Attach); it returns nil when runsc kept no master.
func (c *Container) attachTerminal(stdio [3]*os.File) (*console.Attachment, error) {
	m := c.master
	c.master = nil
	return attach(m, stdio)
}

// attach copies between stdio and master, which it owns (nil: nothing).
func attach(m *os.File, stdio [3]*os.File) (*console.Attachment, error) {
	if m == nil {
		return nil, nil
	}
	a, err := console.Attach(m, stdio[0], stdio[1])
	if err != nil {
		m.Close()
		return nil, err
	}
	return a, nil
}

// watchMemberTerminal starts the resize watcher of a pod member's terminal
// (nil t: none): the sandbox's controlling terminal is its own
// container's, if any.
func (c *Container) watchMemberTerminal(t *terminal) error {
	if t == nil || c.SandboxID == "" {
		return nil
	}
	return c.startResizeWatcher(t)
}
