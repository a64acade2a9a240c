package integration

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Terminals (docs/tty.md): a busybox shell driven through the pty master
// that runsc sends over --console-socket, or through the test's own pty
// for a foreground run.

// ttyTimeout bounds every wait for output (a hang fails the test; no
// duration is asserted).
const ttyTimeout = 30 * time.Second

// consoleSocket listens on a Unix socket the way containerd's shim does
// and receives one pty master.
type consoleSocket struct {
	path   string
	l      *net.UnixListener
	master chan *os.File
	err    chan error
}

func listenConsole(t *testing.T) *consoleSocket {
	t.Helper()
	path := filepath.Join(t.TempDir(), "console.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	cs := &consoleSocket{path: path, l: l, master: make(chan *os.File, 1), err: make(chan error, 1)}
	go func() {
		f, err := cs.accept()
		if err != nil {
			cs.err <- err
			return
		}
		cs.master <- f
	}()
	return cs
}

// accept takes one connection and one message: the master's name as
// data, its descriptor as SCM_RIGHTS, as runc sends them.
func (cs *consoleSocket) accept() (*os.File, error) {
	c, err := cs.l.AcceptUnix()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4*4))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, err
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, err
	}
	var fds []int
	for _, m := range msgs {
		r, err := unix.ParseUnixRights(&m)
		if err != nil {
			return nil, err
		}
		fds = append(fds, r...)
	}
	if len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, fmt.Errorf("got %d descriptors, want 1", len(fds))
	}
	if name := string(buf[:n]); name != "/dev/ptmx" {
		unix.Close(fds[0])
		return nil, fmt.Errorf("master sent with name %q, want /dev/ptmx (runc's)", name)
	}
	unix.SetNonblock(fds[0], true) // so that Close ends a pending read
	return os.NewFile(uintptr(fds[0]), "master"), nil
}

// receive returns the master runsc sent.
func (cs *consoleSocket) receive(t *testing.T) *term {
	t.Helper()
	select {
	case f := <-cs.master:
		return newTerm(t, f)
	case err := <-cs.err:
		t.Fatalf("console socket: %v", err)
	case <-time.After(ttyTimeout):
		t.Fatalf("console socket: no master after %v", ttyTimeout)
	}
	return nil
}

// term is the test's end of a terminal: it keeps everything read from f.
type term struct {
	t    *testing.T
	f    *os.File
	mu   sync.Mutex
	out  []byte
	mark int // expect looks after this offset
	eof  bool
	wake chan struct{}
}

func newTerm(t *testing.T, f *os.File) *term {
	tm := &term{t: t, f: f, wake: make(chan struct{}, 1)}
	t.Cleanup(func() { f.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			tm.mu.Lock()
			tm.out = append(tm.out, buf[:n]...)
			if err != nil {
				tm.eof = true
			}
			tm.mu.Unlock()
			select {
			case tm.wake <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	return tm
}

// send types s.
func (tm *term) send(s string) {
	tm.t.Helper()
	if _, err := tm.f.Write([]byte(s)); err != nil {
		tm.t.Fatalf("writing %q to the terminal: %v", s, err)
	}
}

// expect waits until the output after the last match matches re, and
// returns the match.
func (tm *term) expect(re string) string {
	tm.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(ttyTimeout)
	for {
		tm.mu.Lock()
		if loc := rx.FindIndex(tm.out[tm.mark:]); loc != nil {
			m := string(tm.out[tm.mark+loc[0] : tm.mark+loc[1]])
			tm.mark += loc[1]
			tm.mu.Unlock()
			return m
		}
		eof, out := tm.eof, string(tm.out[tm.mark:])
		tm.mu.Unlock()
		if eof {
			tm.t.Fatalf("terminal closed before %q; output since the last match: %q", re, out)
		}
		select {
		case <-tm.wake:
		case <-deadline:
			tm.t.Fatalf("no %q on the terminal after %v; output since the last match: %q", re, ttyTimeout, out)
		}
	}
}

// expectEOF waits until the other side of the terminal is gone.
func (tm *term) expectEOF() {
	tm.t.Helper()
	deadline := time.After(ttyTimeout)
	for {
		tm.mu.Lock()
		eof := tm.eof
		tm.mu.Unlock()
		if eof {
			return
		}
		select {
		case <-tm.wake:
		case <-deadline:
			tm.t.Fatalf("the terminal did not end after %v", ttyTimeout)
		}
	}
}

// resize sets the window size, as containerd's shim does on the master.
func (tm *term) resize(rows, cols uint16) {
	tm.t.Helper()
	if err := unix.IoctlSetWinsize(int(tm.f.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols}); err != nil {
		tm.t.Fatal(err)
	}
}

// ttyBundle is a bundle whose process is an interactive busybox shell
// with a terminal of 33x77.
func (o *oci) ttyBundle(args ...string) string {
	return o.bundle(func(s *specs.Spec) {
		s.Process.Terminal = true
		s.Process.ConsoleSize = &specs.Box{Height: 33, Width: 77}
	}, args...)
}

// waitForProcess polls runsc ps until a process whose command line is
// cmd runs in the container, and returns its row's fields.
func (o *oci) waitForProcess(id, cmd string) []string {
	o.t.Helper()
	deadline := time.Now().Add(ttyTimeout)
	for {
		r := o.must("ps", id)
		for _, l := range strings.Split(r.stdout, "\n") {
			if strings.HasSuffix(strings.TrimSpace(l), " "+cmd) {
				return strings.Fields(l)
			}
		}
		if time.Now().After(deadline) {
			o.t.Fatalf("no %s in the container after %v:\n%s", cmd, ttyTimeout, r.stdout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// driveShell runs the checks every terminal gets, on a busybox sh -i
// whose terminal starts at rows x cols: its name, its size and a
// resize, SIGWINCH reaching a foreground job, ^C interrupting one while
// the shell survives, and canonical input echoed by the line discipline.
func driveShell(o *oci, tm *term, id string, rows, cols int) {
	o.t.Helper()
	tm.expect(`# `)
	tm.send("tty\n")
	tm.expect(`/dev/pts/[0-9]+\r\n`)
	tm.send("stty size\n")
	tm.expect(fmt.Sprintf(`\r\n%d %d\r\n`, rows, cols))
	tm.resize(40, 100)
	tm.send("stty size\n")
	tm.expect(`\r\n40 100\r\n`)

	// A job in the foreground gets SIGWINCH when the size changes.
	tm.send(`sh -c 'trap "echo WINCH-\$((40+2)); exit 0" WINCH; echo READY-$((1+1)); while :; do sleep 1; done'` + "\n")
	tm.expect(`READY-2`)
	tm.resize(41, 101)
	tm.expect(`WINCH-42`)

	// ^C sends SIGINT to the foreground job, not to the shell.
	tm.send("sleep 100\n")
	if row := o.waitForProcess(id, "sleep 100"); !regexp.MustCompile(`^pts/[0-9]+$`).MatchString(row[4]) {
		o.t.Errorf("runsc ps: TTY of sleep is %q, want pts/N", row[4])
	}
	tm.send("\x03")
	tm.expect(`\^C`)
	tm.send("echo st=$?\n")
	tm.expect(`st=130\r\n`)

	// Canonical input: typed characters are echoed, erased with DEL, and
	// the line reaches read(2) only at the newline.
	tm.send("echo R-$((5+5)); read v; echo got-$v\n")
	tm.expect(`R-10\r\n`)
	tm.send("typx\x7fed\n")
	tm.expect(`typx\x08 \x08ed\r\n`)
	tm.expect(`got-typed\r\n`)
}

// TestOCITerminalConsoleSocket creates a container whose process has a
// terminal, receives the master over --console-socket and drives the
// shell; its exit status reaches runsc wait and state.
func TestOCITerminalConsoleSocket(t *testing.T) {
	o := newOCI(t)
	cs := listenConsole(t)
	o.must("create", "--console-socket", cs.path, "--bundle", o.ttyBundle("sh", "-i"), "t1")
	tm := cs.receive(t)
	o.must("start", "t1")
	driveShell(o, tm, "t1", 33, 77)
	tm.send("exit 7\n")
	if r := o.must("wait", "t1"); strings.TrimSpace(r.stdout) != `{"id":"t1","exitStatus":7}` {
		t.Errorf("wait: %s", r)
	}
	o.waitStatus("t1", "stopped")
	// Nothing in the container holds the terminal any more: the sandbox
	// closed its end.
	tm.expectEOF()
	o.must("delete", "t1")
}

// TestOCITerminalRunDetached is run --detach --console-socket.
func TestOCITerminalRunDetached(t *testing.T) {
	o := newOCI(t)
	cs := listenConsole(t)
	o.must("run", "--detach", "--console-socket", cs.path, "--bundle", o.ttyBundle("sh", "-i"), "t2")
	tm := cs.receive(t)
	tm.expect(`# `)
	tm.send("stty size\n")
	tm.expect(`\r\n33 77\r\n`)
	// Output well past the pty queues arrives whole.
	tm.send("head -c 300000 /dev/zero | tr '\\0' x; echo; echo end-$((2+2))\n")
	if got := tm.expect(`x+\r\nend-4\r\n`); strings.Count(got, "x") != 300000 {
		t.Errorf("got %d x, want 300000", strings.Count(got, "x"))
	}
	// And a long typed line reaches read(2) whole.
	tm.send("echo R-$((6+6)); read v; echo len-${#v}\n")
	tm.expect(`R-12\r\n`)
	tm.send(strings.Repeat("y", 3000) + "\n")
	tm.expect(`len-3000\r\n`)
	tm.send("exit 4\n")
	if r := o.must("wait", "t2"); strings.TrimSpace(r.stdout) != `{"id":"t2","exitStatus":4}` {
		t.Errorf("wait: %s", r)
	}
	o.must("delete", "t2")
}

// TestOCITerminalHangup closes the master while the shell runs: the
// sandbox sees the host terminal hang up and hangs up the container's, so
// the shell, its session's leader, dies of SIGHUP.
func TestOCITerminalHangup(t *testing.T) {
	o := newOCI(t)
	cs := listenConsole(t)
	o.must("run", "--detach", "--console-socket", cs.path, "--bundle", o.ttyBundle("sh", "-i"), "h1")
	tm := cs.receive(t)
	tm.expect(`# `)
	tm.f.Close()
	if r := o.must("wait", "h1"); strings.TrimSpace(r.stdout) != `{"id":"h1","exitStatus":129}` {
		t.Errorf("wait: %s", r)
	}
	o.must("delete", "h1")
}

// TestOCIRunTerminalFromFile runs a terminal bundle in the foreground with
// files as runsc's stdio: the input still goes through the container's
// terminal (echoed), and the output comes back.
func TestOCIRunTerminalFromFile(t *testing.T) {
	o := newOCI(t)
	r := o.runIn("echo hi-$((1+2)); exit 9\n", "run", "--bundle", o.ttyBundle("sh"), "f1")
	if r.code != 9 || !strings.Contains(r.stdout, "echo hi-$((1+2)); exit 9\r\n") || !strings.Contains(r.stdout, "hi-3\r\n") {
		t.Errorf("run: %s", r)
	}
}

// TestOCIPodMemberTerminal gives a terminal to a container created in
// another container's sandbox (a Kubernetes pod's container with tty):
// the sandbox's controlling terminal is not its, so its size changes come
// through a resize watcher.
func TestOCIPodMemberTerminal(t *testing.T) {
	o := newOCI(t)
	o.must("run", "--detach", "--bundle", o.bundle(podSandbox("p0"), "sleep", "1000"), "p0")
	member := podMember("p0", podRootfs(t, "m1"), t.TempDir(), false)
	bundle := o.bundle(func(s *specs.Spec) {
		member(s)
		s.Process.Terminal = true
		s.Process.ConsoleSize = &specs.Box{Height: 33, Width: 77}
	}, "sh", "-i")
	cs := listenConsole(t)
	o.must("create", "--console-socket", cs.path, "--bundle", bundle, "m1")
	tm := cs.receive(t)
	o.must("start", "m1")
	driveShell(o, tm, "m1", 33, 77)
	tm.send("exit 8\n")
	if r := o.must("wait", "m1"); strings.TrimSpace(r.stdout) != `{"id":"m1","exitStatus":8}` {
		t.Errorf("wait: %s", r)
	}
	tm.expectEOF()
	o.must("delete", "m1")
	o.must("delete", "--force", "p0")
}

// TestOCIExecTerminal runs exec --tty --console-socket (argv and
// --process forms) into a container whose own process has no terminal.
func TestOCIExecTerminal(t *testing.T) {
	o := newOCI(t)
	o.must("run", "--detach", "--bundle", o.bundle(nil, "sleep", "1000"), "e1")

	cs := listenConsole(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	o.must("exec", "--detach", "--tty", "--console-socket", cs.path, "--pid-file", pidFile, "e1", "sh", "-i")
	tm := cs.receive(t)
	pid, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	// Without consoleSize the terminal starts at 0x0, as with runc; the
	// caller sizes it (containerd does at once).
	tm.resize(24, 80)
	driveShell(o, tm, "e1", 24, 80)
	tm.send("exit 5\n")
	if r := o.must("wait", "--pid", string(pid), "e1"); strings.TrimSpace(r.stdout) != `{"id":"e1","exitStatus":5}` {
		t.Errorf("wait --pid: %s", r)
	}
	tm.expectEOF()

	// --process with terminal and consoleSize.
	proc := specs.Process{
		Terminal: true, ConsoleSize: &specs.Box{Height: 12, Width: 34},
		Args: []string{"sh", "-i"}, Env: []string{"PATH=/bin"}, Cwd: "/tmp",
	}
	b, _ := json.Marshal(&proc)
	pf := filepath.Join(t.TempDir(), "process.json")
	if err := os.WriteFile(pf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cs2 := listenConsole(t)
	o.must("exec", "--detach", "--console-socket", cs2.path, "--pid-file", pidFile, "--process", pf, "e1")
	tm2 := cs2.receive(t)
	pid, _ = os.ReadFile(pidFile)
	tm2.expect(`# `)
	tm2.send("pwd; stty size; exit 6\n")
	tm2.expect(`\r\n/tmp\r\n12 34\r\n`)
	if r := o.must("wait", "--pid", string(pid), "e1"); strings.TrimSpace(r.stdout) != `{"id":"e1","exitStatus":6}` {
		t.Errorf("wait --pid: %s", r)
	}
	o.must("delete", "--force", "e1")
}

// foregroundTerminal is the test's own pty, to be runsc's stdio and
// controlling terminal, as a person's shell would give it.
type foregroundTerminal struct {
	tm      *term
	replica *os.File
	before  *unix.Termios
}

func newForegroundTerminal(t *testing.T, rows, cols uint16) *foregroundTerminal {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	replica, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { replica.Close() })
	unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
	before, err := unix.IoctlGetTermios(int(replica.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	unix.SetNonblock(int(master.Fd()), true)
	return &foregroundTerminal{tm: newTerm(t, master), replica: replica, before: before}
}

// start runs runsc with args, the terminal as its stdio and controlling
// terminal; the channel gets its exit.
func (ft *foregroundTerminal) start(o *oci, args ...string) (*exec.Cmd, chan error) {
	o.t.Helper()
	cmd := exec.Command(o.runsc, append([]string{"--root=" + o.root}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = ft.replica, ft.replica, ft.replica
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	cmd.Env = []string{}
	if err := cmd.Start(); err != nil {
		o.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return cmd, done
}

// finish waits for runsc to exit with want and checks that it restored
// the terminal's settings.
func (ft *foregroundTerminal) finish(t *testing.T, cmd *exec.Cmd, done chan error, want int) {
	t.Helper()
	var err error
	select {
	case err = <-done:
	case <-time.After(ttyTimeout):
		cmd.Process.Kill()
		t.Fatalf("runsc did not exit after the shell did")
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != want {
		t.Errorf("runsc: %v, want exit status %d", err, want)
	}
	after, err := unix.IoctlGetTermios(int(ft.replica.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if after.Lflag != ft.before.Lflag || after.Iflag != ft.before.Iflag || after.Oflag != ft.before.Oflag {
		t.Errorf("runsc left the terminal changed: lflag %#x iflag %#x oflag %#x, was %#x %#x %#x",
			after.Lflag, after.Iflag, after.Oflag, ft.before.Lflag, ft.before.Iflag, ft.before.Oflag)
	}
}

// TestOCIRunInteractive runs a terminal bundle in the foreground from the
// test's own terminal: runsc makes the pty, puts the test's terminal in
// raw mode (restored at exit), copies both ways and follows its window
// size (not consoleSize).
func TestOCIRunInteractive(t *testing.T) {
	o := newOCI(t)
	ft := newForegroundTerminal(t, 20, 60)
	cmd, done := ft.start(o, "run", "--bundle", o.ttyBundle("sh", "-i"), "i1")
	driveShell(o, ft.tm, "i1", 20, 60)
	ft.tm.send("exit 3\n")
	ft.finish(t, cmd, done, 3)
}

// TestOCIExecInteractive is exec --tty in the foreground from the test's
// own terminal.
func TestOCIExecInteractive(t *testing.T) {
	o := newOCI(t)
	o.must("run", "--detach", "--bundle", o.bundle(nil, "sleep", "1000"), "i2")
	ft := newForegroundTerminal(t, 21, 61)
	cmd, done := ft.start(o, "exec", "--tty", "i2", "sh", "-i")
	driveShell(o, ft.tm, "i2", 21, 61)
	ft.tm.send("exit 2\n")
	ft.finish(t, cmd, done, 2)
	o.must("delete", "--force", "i2")
}

// TestOCITerminalBadInput: runc's rules on terminals and console sockets,
// and sockets that do not answer; nothing is left behind (checkClean).
func TestOCITerminalBadInput(t *testing.T) {
	o := newOCI(t)
	tty := o.ttyBundle("sh")
	plain := o.bundle(nil, "sleep", "1000")
	notSocket := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notSocket, nil, 0o644)
	cs := listenConsole(t)

	o.fails("cannot allocate tty if runsc will detach without setting console socket", "create", "--bundle", tty, "b1")
	o.fails("cannot allocate tty if runsc will detach without setting console socket", "run", "--detach", "--bundle", tty, "b1")
	o.fails("cannot use console socket if runsc will not detach or allocate tty", "create", "--console-socket", cs.path, "--bundle", plain, "b1")
	o.fails("cannot use console socket if runsc will not detach or allocate tty", "run", "--console-socket", cs.path, "--bundle", tty, "b1")
	o.fails("dial unix /nonexistent/console.sock: connect: no such file or directory", "create", "--console-socket", "/nonexistent/console.sock", "--bundle", tty, "b1")
	o.fails("connect: connection refused", "create", "--console-socket", notSocket, "--bundle", tty, "b1")
	if ents, _ := os.ReadDir(o.root); len(ents) != 0 {
		t.Errorf("state left after failed creates: %v", ents)
	}

	o.must("run", "--detach", "--bundle", plain, "b2")
	o.fails("cannot allocate tty if runsc will detach without setting console socket", "exec", "--detach", "--tty", "b2", "sh")
	o.fails("cannot use console socket if runsc will not detach or allocate tty", "exec", "--console-socket", cs.path, "b2", "sh")
	o.fails("no such file or directory", "exec", "--detach", "--tty", "--console-socket", "/nonexistent/console.sock", "b2", "sh")
	o.must("delete", "--force", "b2")
}
