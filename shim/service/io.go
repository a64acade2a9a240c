package service

import (
	"context"
	"fmt"
	"io"
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
// Nothing here blocks on a FIFO: output FIFOs are opened by goroutines
// of their own and the stdin FIFO without waiting (O_NONBLOCK), so Create
// never waits for containerd's side.
type procIO struct {
	ctx    context.Context
	cancel context.CancelFunc

	// child are the process's ends (stdin, stdout, stderr) passed to runsc;
	// closeChild closes them once runsc has handed them on.
	child [3]*os.File

	// stdinHold is the shim's own writer on the stdin FIFO (runc's shim
	// keeps one too): the FIFO reaches its end only once containerd's
	// writer has closed and CloseIO closed this one, so CloseIO never
	// overtakes data still in the FIFO.
	stdinMu   sync.Mutex // guards stdinHold
	stdinHold io.Closer
	stdinIn   io.ReadCloser // the FIFO's reader

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
	if stdin != "" {
		if p.stdinIn, err = fifo.OpenFifo(ctx, stdin, syscall.O_RDONLY|syscall.O_NONBLOCK, 0); err != nil {
			return nil, fmt.Errorf("opening stdin %s: %w", stdin, err)
		}
		if p.stdinHold, err = fifo.OpenFifo(ctx, stdin, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err != nil {
			return nil, fmt.Errorf("opening stdin %s: %w", stdin, err)
		}
	}
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
		p.child[0] = r
		go p.copyStdin(w)
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
	go p.copyErr(r, newOutput(ctx, stderr))
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
	// Release before the shim's child ends close: until then stderr
	// cannot end, so its copier never finishes with bytes still held.
	p.errHold.release()
	p.closeChild()
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

// copyStdin copies the stdin FIFO into w (the process's stdin pipe) and
// closes w at the FIFO's end.
func (p *procIO) copyStdin(w io.WriteCloser) {
	io.Copy(w, p.stdinIn)
	w.Close()
}

// closeStdin lets the process's stdin end (CloseIO) once what containerd
// wrote has been read.
func (p *procIO) closeStdin() {
	p.stdinMu.Lock()
	defer p.stdinMu.Unlock()
	if p.stdinHold != nil {
		p.stdinHold.Close()
		p.stdinHold = nil
	}
}

// copyOut copies r to the output at path until r ends.
func (p *procIO) copyOut(r *os.File, path string) {
	defer p.outputs.Done()
	out := newOutput(p.ctx, path)
	io.Copy(out, r)
	r.Close()
	out.Close()
}

// copyErr copies r (stderr) through errHold to out (nil: discard).
func (p *procIO) copyErr(r *os.File, out *output) {
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
	if p.stdinIn != nil {
		go io.Copy(m, p.stdinIn)
	}
	out := newOutput(p.ctx, p.stdoutPath)
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
	if p.stdinIn != nil {
		p.stdinIn.Close()
	}
	p.cancel()
	if p.console != nil {
		p.console.Close()
	}
	if p.socket != nil {
		p.socket.close()
	}
}
