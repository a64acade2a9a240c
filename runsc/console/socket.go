package console

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// Socket is a connection to a caller's --console-socket.
type Socket struct {
	conn *net.UnixConn
}

// Dial connects to the console socket at path. It is done before anything
// is started, so that a wrong path fails early, with runc's message
// ("dial unix PATH: connect: no such file or directory").
func Dial(path string) (*Socket, error) {
	c, err := net.Dial("unix", path)
	if err != nil {
		return nil, err
	}
	return &Socket{conn: c.(*net.UnixConn)}, nil
}

// SendMaster sends the pty master as runc does: one message whose data
// is the master's name (/dev/ptmx) and whose SCM_RIGHTS carry its fd.
func (s *Socket) SendMaster(master *os.File) error {
	rights := unix.UnixRights(int(master.Fd()))
	_, _, err := s.conn.WriteMsgUnix([]byte(master.Name()), rights, nil)
	if err != nil {
		return fmt.Errorf("sending the pty master to the console socket: %w", err)
	}
	return nil
}

// Close closes the connection.
func (s *Socket) Close() { s.conn.Close() }
