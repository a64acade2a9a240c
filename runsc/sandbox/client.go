package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"

	"moat/internal/unet"
	"moat/sentry/control"
)

// ErrUnreachable is returned when the sandbox's control socket does not
// answer (the sandbox is gone).
var ErrUnreachable = errors.New("sandbox not reachable")

// RemoteError is a request the sandbox refused; Errno is the Linux errno
// when the failure is one.
type RemoteError struct {
	Method control.Method
	Msg    string
	Errno  syscall.Errno
}

// Error implements error.Error.
func (e *RemoteError) Error() string { return e.Msg }

// Call sends one request, with fds (sent as SCM_RIGHTS; the caller keeps
// them), to the control socket at path and returns the response. A
// response carrying an error is returned as a *RemoteError.
func Call(path string, req *control.Request, fds []int) (*control.Response, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("creating socket: %w", err)
	}
	if err := withSocketPath(path, func(name string) error {
		return unix.Connect(fd, &unix.SockaddrUnix{Name: name})
	}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("connecting to %s: %w (%w)", path, ErrUnreachable, err)
	}
	conn, err := unet.NewConn(fd)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	defer conn.Close()
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if err := conn.Send(b, fds); err != nil {
		return nil, fmt.Errorf("sending %s request: %w (%w)", req.Method, ErrUnreachable, err)
	}
	buf := make([]byte, control.MaxMessage)
	n, rfds, err := conn.Recv(buf, nil)
	for _, f := range rfds {
		unix.Close(f)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s response: %w (%w)", req.Method, ErrUnreachable, err)
	}
	var resp control.Response
	if err := json.Unmarshal(buf[:n], &resp); err != nil {
		return nil, fmt.Errorf("decoding %s response: %w", req.Method, err)
	}
	if resp.Error != "" {
		return &resp, &RemoteError{Method: req.Method, Msg: resp.Error, Errno: syscall.Errno(resp.Errno)}
	}
	return &resp, nil
}
