package boot

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"moat/internal/log"
	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/devpts"
	"moat/sentry/kernel"
)

// Terminals of container processes (process.terminal; docs/tty.md).
//
// runsc makes a host pty, hands its master to the caller (--console-socket,
// or its own terminal for a foreground run or exec) and gives the sandbox
// the replica only, in raw mode. For each such process the sandbox opens a
// pty of its own (devpts.Console): its replica is the process's stdin,
// stdout, stderr and controlling terminal, and a console copies bytes
// between the host replica and the sentry master. The line discipline, echo,
// signal characters, job control and window size are therefore all the
// sentry's; the host pty only carries bytes.
//
// Window size: the host kernel sends SIGWINCH to the foreground group of a
// host pty whose size changes. The sandbox process holds the host replica
// of its init's terminal as its own controlling terminal (runsc create
// starts it that way), so it gets that signal itself; for an exec'd
// process, a small host process (runsc tty-watch) holds the replica as its
// controlling terminal and passes the signal on to the sandbox. On every
// SIGWINCH the sandbox reads the size of each host replica (TIOCGWINSZ)
// and copies a changed one into its pty, which signals the container's
// foreground group. The signal is late at times (a loaded host schedules
// the watcher and the Go runtime's signal loop whenever it likes), so a
// console also reads its host size before passing input on: a command
// typed after a resize sees the new size.

// consoles is the set of live consoles of a sandbox, resized together.
type consoles struct {
	// mu guards set.
	mu  sync.Mutex
	set map[*console]struct{}
}

// watchResizes syncs every console's size with its host terminal on each
// SIGWINCH the sandbox process receives. It runs for the sandbox's life.
func (cs *consoles) watchResizes() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, unix.SIGWINCH)
	go func() {
		for range ch {
			cs.mu.Lock()
			for con := range cs.set {
				con.syncSizeLocked()
			}
			cs.mu.Unlock()
		}
	}()
}

// console copies bytes between a host pty replica and a sentry pty.
type console struct {
	cs     *consoles
	pty    *devpts.Console
	host   *os.File // non-blocking: the Go poller waits for it
	hostFD int
	ctx    *consoleContext
	once   sync.Once
}

// start makes con copy between pty and the host terminal hostFD, which
// it owns from now on, until either side ends.
func (cs *consoles) start(pty *devpts.Console, ctx *consoleContext, hostFD int) *console {
	if err := unix.SetNonblock(hostFD, true); err != nil {
		// A blocking descriptor still works; only stop would not cut a
		// pending read short.
		log.Warningf("terminal %s: %v", pty.Name(), err)
	}
	con := &console{cs: cs, pty: pty, host: os.NewFile(uintptr(hostFD), "host-tty"), hostFD: hostFD, ctx: ctx}
	cs.mu.Lock()
	if cs.set == nil {
		cs.set = make(map[*console]struct{})
	}
	cs.set[con] = struct{}{}
	con.syncSizeLocked()
	cs.mu.Unlock()
	go con.hostToSentry()
	go con.sentryToHost()
	return con
}

// syncSizeLocked copies the host terminal's window size into the pty (a
// change signals the foreground group).
//
// Preconditions:
// - con.cs.mu is held (the host fd is open while con is in the set).
func (con *console) syncSizeLocked() {
	ws, err := unix.IoctlGetWinsize(con.hostFD, unix.TIOCGWINSZ)
	if err != nil {
		return
	}
	con.pty.SetSize(linux.Winsize{Row: ws.Row, Col: ws.Col, Xpixel: ws.Xpixel, Ypixel: ws.Ypixel})
}

// syncSize is syncSizeLocked for a console that may have stopped.
func (con *console) syncSize() {
	con.cs.mu.Lock()
	defer con.cs.mu.Unlock()
	if _, ok := con.cs.set[con]; ok {
		con.syncSizeLocked()
	}
}

// hostToSentry copies what the host terminal's user types into the pty's
// line discipline until the host side hangs up (its master was closed).
func (con *console) hostToSentry() {
	defer con.stop()
	buf := make([]byte, 4096)
	for {
		n, err := con.host.Read(buf)
		if n > 0 {
			// The size first: SIGWINCH comes through other processes
			// (a watcher, the Go runtime's signal loop) and may arrive
			// after the input a user typed once the window was resized,
			// which must not run with the old size.
			con.syncSize()
		}
		for done := 0; done < n; {
			m, errno := con.pty.Master.Write(con.ctx, buf[done:n])
			if errno != 0 {
				return
			}
			done += m
		}
		if err != nil {
			return
		}
	}
}

// sentryToHost copies the pty's output to the host terminal until every
// replica file is closed (the process and whatever inherited its
// terminal are gone).
func (con *console) sentryToHost() {
	defer con.stop()
	buf := make([]byte, 4096)
	for {
		n, errno := con.pty.Master.Read(con.ctx, buf)
		if n > 0 {
			if _, err := con.host.Write(buf[:n]); err != nil {
				return
			}
		}
		if errno != 0 {
			return
		}
	}
}

// stop ends both copies, closes the host replica (its master's reader
// sees the end) and the pty's master (a hangup for its session).
func (con *console) stop() {
	con.once.Do(func() {
		close(con.ctx.done)
		con.cs.mu.Lock()
		delete(con.cs.set, con)
		con.cs.mu.Unlock()
		con.host.Close()
		con.pty.Master.DecRef()
	})
}

// consoleContext is the vfs context of a console's copies: the process's
// credentials, and blocking that stop cuts short.
type consoleContext struct {
	creds *auth.Credentials
	done  chan struct{}
}

// Credentials implements vfs.Context.Credentials.
func (c *consoleContext) Credentials() *auth.Credentials { return c.creds }

// Interrupted implements vfs.Interruptible.Interrupted.
func (c *consoleContext) Interrupted() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Block implements vfs.Interruptible.Block.
func (c *consoleContext) Block(ch <-chan struct{}) linux.Errno {
	select {
	case <-ch:
		return 0
	case <-c.done:
		return linux.ERESTARTSYS
	}
}

// takeHostTerminal moves the host terminal of init, which runsc passed as
// the sandbox's stdin, stdout and stderr (and made the sandbox's
// controlling terminal), to a descriptor of its own, and points the
// sandbox's stdio at /dev/null: once init's console stops, nothing in the
// sandbox holds the host replica open any more. The sandbox ignores
// SIGHUP, which the host sends it when the master is closed.
//
// Preconditions:
//   - The process is not confined yet (/dev/null is reachable).
func takeHostTerminal(stdio []int) (int, error) {
	if len(stdio) == 0 {
		return -1, fmt.Errorf("process.terminal: no terminal was passed")
	}
	fd, err := unix.FcntlInt(uintptr(stdio[0]), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return -1, fmt.Errorf("process.terminal: %w", err)
	}
	null, err := unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("process.terminal: opening /dev/null: %w", err)
	}
	defer unix.Close(null)
	for _, s := range stdio {
		if err := unix.Dup3(null, s, 0); err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("process.terminal: %w", err)
		}
	}
	signal.Ignore(unix.SIGHUP)
	return fd, nil
}

// containerTTY is a container's terminal state.
type containerTTY struct {
	consoles consoles
}

// setupTerminals prepares a container for terminals: the sandbox follows
// its host terminals' sizes, and when init has a terminal its host
// replica becomes init's only stdio descriptor, which prepare turns into
// a console. For the sandbox's own container the replica is the
// sandbox's stdio; a pod member's came as the three stdio descriptors of
// MethodCreateContainer, of which one is kept.
//
// Preconditions:
//   - For the sandbox's own container, the process is not confined yet.
func (c *Container) setupTerminals(stdio []int) error {
	c.tty.consoles.watchResizes()
	if !c.Spec.Process.Terminal {
		return nil
	}
	if c.sub {
		if len(stdio) == 0 {
			return fmt.Errorf("process.terminal: no terminal was passed")
		}
		closeAll(stdio[1:])
		c.sb.stdio = stdio[:1]
		return nil
	}
	fd, err := takeHostTerminal(stdio)
	if err != nil {
		return err
	}
	c.sb.stdio = []int{fd}
	return nil
}

// installTerminal opens a sentry pty for a process whose host terminal
// is hostFD (a host pty replica), installs the pty's replica as
// descriptors 0, 1 and 2 of fdt (owned by creds, as if the process had
// opened it) and starts the console. On success the console owns hostFD;
// on failure the caller still does. It returns the terminal the
// process's session acquires before it runs.
func (c *Container) installTerminal(creds *auth.Credentials, hostFD int, fdt *kernel.FDTable) (kernel.StartTerminal, error) {
	if _, err := unix.IoctlGetTermios(hostFD, unix.TCGETS); err != nil {
		return nil, fmt.Errorf("process.terminal: the descriptor runsc passed is not a terminal: %w", err)
	}
	ctx := &consoleContext{creds: creds, done: make(chan struct{})}
	pty, errno := devpts.OpenConsole(ctx, c.sb.VFS, c.sb.Root())
	if errno != 0 {
		return nil, fmt.Errorf("process.terminal: opening /dev/ptmx: %w", errno)
	}
	defer pty.Replica.DecRef()
	for i := int32(0); i < 3; i++ {
		if errno := fdt.NewFDAt(i, pty.Replica, kernel.FDFlags{}); errno != 0 {
			pty.Master.DecRef()
			return nil, fmt.Errorf("installing the terminal as fd %d: %w", i, errno)
		}
	}
	log.Debugf("terminal %s", pty.Name())
	c.tty.consoles.start(pty, ctx, hostFD)
	return pty, nil
}

// stdioMismatch checks the descriptors an exec request passed: "stdin",
// "stdout" and "stderr", or for a process with a terminal the host
// terminal alone ("terminal"). It returns what is wrong, or "".
func stdioMismatch(p *specs.Process, names []string, fds []int) string {
	want := "stdin,stdout,stderr"
	if p.Terminal {
		want = "terminal"
	}
	if len(fds) != len(names) || strings.Join(names, ",") != want {
		return fmt.Sprintf("exec: want the descriptors %s, got %q", want, names)
	}
	return ""
}
