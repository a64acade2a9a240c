package console

import (
	"io"
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
)

// Attachment copies between runsc's own stdio and a pty master, for a
// foreground run or exec without a console socket: what the user types
// reaches the container's terminal, what the container prints comes back.
// When runsc's stdin is a terminal it is in raw mode meanwhile (the
// container's line discipline does the editing), and its window size
// follows to the pty on every SIGWINCH runsc gets and before any input.
type Attachment struct {
	master  *os.File
	restore func()
	winch   chan os.Signal
	outDone chan struct{}
}

// Attach starts copying between in, out and master.
func Attach(master, in, out *os.File) (*Attachment, error) {
	a := &Attachment{master: master, outDone: make(chan struct{})}
	resize := func() {}
	if IsTerminal(in) {
		restore, err := MakeRaw(in)
		if err != nil {
			return nil, err
		}
		a.restore = restore
		a.winch = make(chan os.Signal, 1)
		signal.Notify(a.winch, unix.SIGWINCH)
		resize = func() {
			if ws, err := Size(in); err == nil {
				SetSize(master, ws)
			}
		}
		resize()
		go func() {
			for range a.winch {
				resize()
			}
		}()
	}
	// Ends when in does; the container's terminal stays open.
	go copyInput(master, in, resize)
	go func() {
		// Ends with EIO once the sandbox closed its end: no process
		// in the container holds the terminal any more.
		io.Copy(out, master)
		close(a.outDone)
	}()
	return a, nil
}

// copyInput copies in to master, passing the size of in on first each
// time: SIGWINCH may come after the input typed once the window was
// resized, which must not reach the container before the new size.
func copyInput(master, in *os.File, resize func()) {
	buf := make([]byte, 32*1024)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			resize()
			if _, werr := master.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// Close waits until the container's output has all been copied, then
// restores runsc's terminal and closes the master. Calling it again, or
// on nil, does nothing.
func (a *Attachment) Close() {
	if a == nil || a.master == nil {
		return
	}
	<-a.outDone
	if a.winch != nil {
		signal.Stop(a.winch)
		close(a.winch)
	}
	if a.restore != nil {
		a.restore()
	}
	a.master.Close()
	a.master = nil
}
