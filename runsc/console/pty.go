// Package console makes the host pseudo-terminals of containers whose
// process has a terminal (process.terminal) and hands them out the way
// runc does: the master to the caller (over --console-socket, or copied
// to runsc's own terminal for a foreground run or exec), the replica to
// the sandbox (docs/tty.md).
package console

import (
	"fmt"
	"os"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Pty is a host pseudo-terminal pair.
type Pty struct {
	// Master is the caller's end; its name is /dev/ptmx, which is what
	// runc sends with it over a console socket.
	Master *os.File
	// Replica is /dev/pts/N, in raw mode: the sandbox's line discipline
	// does the terminal's work, the host one only carries bytes.
	Replica *os.File
}

// NewPty opens a host pty, unlocks it, opens its replica and puts the
// replica in raw mode. size, when not nil, is the initial window size
// (process.consoleSize).
func NewPty(size *specs.Box) (*Pty, error) {
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening a pty: %w", err)
	}
	p, err := openReplica(master)
	if err != nil {
		master.Close()
		return nil, err
	}
	if size != nil {
		if err := SetSize(p.Master, &unix.Winsize{Row: uint16(size.Height), Col: uint16(size.Width)}); err != nil {
			p.Close()
			return nil, err
		}
	}
	return p, nil
}

func openReplica(master *os.File) (*Pty, error) {
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		return nil, fmt.Errorf("unlocking the pty: %w", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		return nil, fmt.Errorf("reading the pty's number: %w", err)
	}
	name := "/dev/pts/" + strconv.FormatUint(uint64(n), 10)
	replica, err := os.OpenFile(name, os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening the pty's replica: %w", err)
	}
	if _, err := MakeRaw(replica); err != nil {
		replica.Close()
		return nil, err
	}
	return &Pty{Master: master, Replica: replica}, nil
}

// Close closes both ends (those still open).
func (p *Pty) Close() {
	if p.Master != nil {
		p.Master.Close()
	}
	if p.Replica != nil {
		p.Replica.Close()
	}
}

// SetSize sets f's window size (TIOCSWINSZ).
func SetSize(f *os.File, ws *unix.Winsize) error {
	if err := unix.IoctlSetWinsize(int(f.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		return fmt.Errorf("setting the window size: %w", err)
	}
	return nil
}

// Size returns f's window size (TIOCGWINSZ).
func Size(f *os.File) (*unix.Winsize, error) {
	return unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// MakeRaw puts the terminal f in raw mode, as cfmakeraw(3) does, and
// returns a function that restores its settings.
func MakeRaw(f *os.File) (restore func(), err error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, fmt.Errorf("reading terminal settings: %w", err)
	}
	t := *old
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return nil, fmt.Errorf("setting raw mode: %w", err)
	}
	return func() { unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}
