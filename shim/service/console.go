package service

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// consoleSock is the Unix socket given to runsc as --console-socket: runsc
// connects and sends the pty master with SCM_RIGHTS (runc's protocol).
type consoleSock struct {
	dir  string
	path string
	l    *net.UnixListener
}

func newConsoleSock() (*consoleSock, error) {
	dir, err := os.MkdirTemp("", "moat-shim-pty")
	if err != nil {
		return nil, fmt.Errorf("creating console socket: %w", err)
	}
	path := filepath.Join(dir, "pty.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("creating console socket: %w", err)
	}
	return &consoleSock{dir: dir, path: path, l: l}, nil
}

// receive accepts one connection and returns the descriptor it carries.
func (c *consoleSock) receive(timeout time.Duration) (*os.File, error) {
	c.l.SetDeadline(time.Now().Add(timeout))
	conn, err := c.l.AcceptUnix()
	if err != nil {
		return nil, fmt.Errorf("receiving the pty master: %w", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	name := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4*4))
	n, oobn, _, _, err := conn.ReadMsgUnix(name, oob)
	if err != nil {
		return nil, fmt.Errorf("receiving the pty master: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, fmt.Errorf("receiving the pty master: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		if f, err := unix.ParseUnixRights(&m); err == nil {
			fds = append(fds, f...)
		}
	}
	if len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, fmt.Errorf("receiving the pty master: got %d descriptors, want 1", len(fds))
	}
	unix.CloseOnExec(fds[0])
	return os.NewFile(uintptr(fds[0]), string(name[:n])), nil
}

func (c *consoleSock) close() {
	c.l.Close()
	os.RemoveAll(c.dir)
}
