package service

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/fifo"
	"golang.org/x/sys/unix"
)

// procIO connects a process's stdio to containerd's (FIFOs named in the
// Create or Exec request, or file:// URLs). Without a terminal the
// process gets pipes whose other ends the shim copies; with one it gets
// a pty whose master runsc sends over a console socket.
//
// Nothing here blocks on a FIFO: output FIFOs are opened read-write and
// the stdin FIFO by a copying goroutine, so Create never waits for
// containerd's side.
type procIO struct {
	ctx    context.Context
	cancel context.CancelFunc

	// child are the process's ends (stdin, stdout, stderr) passed to runsc;
	// closeChild closes them once runsc has handed them on.
	child [3]*os.File

	stdinMu sync.Mutex     // guards stdin
	stdin   io.WriteCloser // the shim's end of stdin, nil once closed

	console *os.File     // the pty master, terminal only
	socket  *consoleSock // where the master arrives, terminal only
	errHold *heldWriter  // holds what reaches stderr until the process starts

	stdinPath, stdoutPath string
	outputs               sync.WaitGroup // output copiers
	errDone               chan struct{}  // closed when the stderr copier ends
}

// newProcIO prepares stdio for a process; stdin, stdout, stderr are the
// request's paths ("" for none).
func newProcIO(stdin, stdout, stderr string, terminal bool) (_ *procIO, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &procIO{ctx: ctx, cancel: cancel, errDone: make(chan struct{}), stdinPath: stdin, stdoutPath: stdout}
	defer func() {
		if err != nil {
			p.close()
		}
	}()
	// runsc's own error messages reach the process's stderr (its stdio
	// are the process's); errHold keeps them out of the container's log.
	p.errHold = &heldWriter{}
	if terminal {
		if p.socket, err = newConsoleSock(); err != nil {
			return nil, err
		}
		if p.child[0], err = os.Open(os.DevNull); err != nil {
			return nil, err
		}
		if p.child[1], err = os.OpenFile(os.DevNull, os.O_WRONLY, 0); err != nil {
			return nil, err
		}
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		p.child[2] = w
		go p.copyErr(r, nil)
		return p, nil
	}
	if stdin != "" {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		p.child[0], p.stdin = r, w
		go p.copyStdin(w, stdin)
	} else if p.child[0], err = os.Open(os.DevNull); err != nil {
		return nil, err
	}
	if stdout != "" {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		p.child[1] = w
		p.outputs.Add(1)
		go p.copyOut(r, stdout)
	} else if p.child[1], err = os.OpenFile(os.DevNull, os.O_WRONLY, 0); err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p.child[2] = w
	p.outputs.Add(1)
	go p.copyErr(r, &lazyOutput{path: stderr})
	return p, nil
}

// cmdIO is what runsc gets as its own stdio.
func (p *procIO) cmdIO() cmdIO {
	return cmdIO{stdin: p.child[0], stdout: p.child[1], stderr: p.child[2]}
}

// terminal reports whether the process has a terminal.
func (p *procIO) terminal() bool { return p.socket != nil || p.console != nil }

// consolePath is the console socket for runsc, "" without a terminal.
func (p *procIO) consolePath() string {
	if p.socket == nil {
		return ""
	}
	return p.socket.path
}

// started is called once runsc has created or exec'd the process with
// success: the shim's copies of the child ends are closed, held stderr
// output goes on to containerd, and a terminal's master is received.
func (p *procIO) started() error {
	p.closeChild()
	p.errHold.release()
	if p.socket == nil {
		return nil
	}
	m, err := p.socket.receive(waitTimeout)
	p.socket.close()
	p.socket = nil
	if err != nil {
		return err
	}
	p.console = m
	p.outputs.Add(1)
	go p.copyConsole(m)
	return nil
}

// failed is called when runsc failed to create or exec the process: it
// returns what runsc wrote on the process's stderr (its error message).
func (p *procIO) failed() string {
	p.closeChild()
	select {
	case <-p.errDone:
	case <-time.After(waitTimeout):
	}
	return p.errHold.text()
}

func (p *procIO) closeChild() {
	for i, f := range p.child {
		if f != nil {
			f.Close()
			p.child[i] = nil
		}
	}
}

// copyStdin copies the stdin FIFO into w and closes w at its end.
func (p *procIO) copyStdin(w io.WriteCloser, path string) {
	f, err := fifo.OpenFifo(p.ctx, path, syscall.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err == nil {
		io.Copy(w, f)
		f.Close()
	}
	p.closeStdin()
}

// closeStdin closes the process's stdin (CloseIO).
func (p *procIO) closeStdin() {
	p.stdinMu.Lock()
	defer p.stdinMu.Unlock()
	if p.stdin != nil {
		p.stdin.Close()
		p.stdin = nil
	}
}

// copyOut copies r to the output at path until r ends.
func (p *procIO) copyOut(r *os.File, path string) {
	defer p.outputs.Done()
	out := &lazyOutput{path: path}
	io.Copy(out, r)
	r.Close()
	out.Close()
}

// copyErr copies r (stderr) through errHold to out (nil: discard).
func (p *procIO) copyErr(r *os.File, out *lazyOutput) {
	if out != nil {
		defer p.outputs.Done()
		p.errHold.setDest(out)
	}
	io.Copy(p.errHold, r)
	r.Close()
	close(p.errDone)
	p.errHold.finish()
}

// copyConsole connects the pty master m to the stdin and stdout FIFOs.
func (p *procIO) copyConsole(m *os.File) {
	defer p.outputs.Done()
	if p.stdinPath != "" {
		go func() {
			f, err := fifo.OpenFifo(p.ctx, p.stdinPath, syscall.O_RDONLY|syscall.O_NONBLOCK, 0)
			if err == nil {
				io.Copy(m, f)
				f.Close()
			}
		}()
	}
	out := &lazyOutput{path: p.stdoutPath}
	io.Copy(out, m) // ends with EIO once the last replica is closed
	out.Close()
}

// resize sets the terminal's window size.
func (p *procIO) resize(width, height uint32) error {
	if p.console == nil {
		return fmt.Errorf("the process has no terminal")
	}
	ws := &unix.Winsize{Col: uint16(width), Row: uint16(height)}
	return unix.IoctlSetWinsize(int(p.console.Fd()), unix.TIOCSWINSZ, ws)
}

// waitOutput waits (at most timeout) until the process's output has all
// reached containerd.
func (p *procIO) waitOutput(timeout time.Duration) {
	done := make(chan struct{})
	go func() {
		p.outputs.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

// close releases everything: FIFOs being opened, pipes, the console.
func (p *procIO) close() {
	p.closeChild()
	p.closeStdin()
	p.cancel()
	if p.console != nil {
		p.console.Close()
	}
	if p.socket != nil {
		p.socket.close()
	}
}

// lazyOutput opens its destination on the first write (or at Close).
// When the destination cannot be opened, output is discarded so that the
// process never blocks on a full pipe.
type lazyOutput struct {
	path string
	w    io.WriteCloser
	err  error
}

// Write implements io.Writer.Write.
func (o *lazyOutput) Write(b []byte) (int, error) {
	if o.w == nil && o.err == nil {
		o.w, o.err = openOutput(o.path)
	}
	if o.err != nil {
		return len(b), nil
	}
	if _, err := o.w.Write(b); err != nil {
		o.err = err
	}
	return len(b), nil
}

// Close implements io.Closer.Close; it opens the destination first, so
// that a reader waiting on the FIFO sees the end of the stream.
func (o *lazyOutput) Close() error {
	if o.w == nil && o.err == nil {
		o.w, o.err = openOutput(o.path)
	}
	if o.w != nil {
		return o.w.Close()
	}
	return nil
}

// openOutput opens an output: a FIFO path, or a file:// URL (appended
// to). A FIFO is opened read-write, which never blocks: output waits in
// the FIFO for containerd's reader, and closing it ends the reader's
// stream (no writer is left).
func openOutput(path string) (io.WriteCloser, error) {
	if path == "" {
		return nil, fmt.Errorf("no output")
	}
	u, err := url.Parse(path)
	if err == nil && u.Scheme != "" {
		if u.Scheme != "file" {
			return nil, fmt.Errorf("stdio URL scheme %q is not supported", u.Scheme)
		}
		return os.OpenFile(u.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	}
	return os.OpenFile(path, os.O_RDWR, 0)
}

// heldWriter keeps what it is given until release, then passes it on to
// its destination; without a release its text is runsc's error message.
type heldWriter struct {
	mu       sync.Mutex // guards the fields below
	held     bytes.Buffer
	released bool
	dst      io.WriteCloser
}

func (h *heldWriter) setDest(w io.WriteCloser) {
	h.mu.Lock()
	h.dst = w
	h.mu.Unlock()
}

// Write implements io.Writer.Write. Held bytes are flushed (outside the
// lock: a FIFO may block) before new ones once released.
func (h *heldWriter) Write(b []byte) (int, error) {
	h.mu.Lock()
	if !h.released {
		defer h.mu.Unlock()
		return h.held.Write(b)
	}
	pending := append([]byte(nil), h.held.Bytes()...)
	h.held.Reset()
	dst := h.dst
	h.mu.Unlock()
	if dst != nil {
		dst.Write(pending)
		dst.Write(b)
	}
	return len(b), nil
}

func (h *heldWriter) release() {
	h.mu.Lock()
	h.released = true
	h.mu.Unlock()
}

// finish flushes released bytes and closes the destination.
func (h *heldWriter) finish() {
	h.Write(nil)
	h.mu.Lock()
	dst := h.dst
	h.mu.Unlock()
	if dst != nil {
		dst.Close()
	}
}

func (h *heldWriter) text() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held.String()
}
