package syscalls

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/net"
	"moat/sentry/net/inet"
	"moat/sentry/net/netlink"
	netunix "moat/sentry/net/unix"
	"moat/sentry/vfs"
)

// socketOps is what the socket calls need of a socket of any family.
// Addresses come and go encoded as the application passes them; each
// family parses its own.
type socketOps interface {
	Type() int32
	Bind(t *kernel.Task, addr []byte) linux.Errno
	Listen(t *kernel.Task, backlog int32) linux.Errno
	Connect(t *kernel.Task, addr []byte, nonblock bool) linux.Errno
	// Accept returns the next connection as a new file (non-blocking
	// with newNonblock) and its peer's address.
	Accept(t *kernel.Task, nonblock, newNonblock bool) (*vfs.FileDescription, []byte, linux.Errno)
	LocalAddress() []byte
	PeerAddress() ([]byte, linux.Errno)
	Shutdown(how int32) linux.Errno
	GetSockOpt(level, name int32) ([]byte, linux.Errno)
	SetSockOpt(t *kernel.Task, level, name int32, v []byte) linux.Errno
}

// msgSocket is a socket without control messages (inet, netlink): its
// data path takes plain buffers.
type msgSocket interface {
	SendMsg(ctx vfs.Context, data []byte, o net.SendOptions) (int, linux.Errno)
	RecvMsg(ctx vfs.Context, dst []byte, o net.RecvOptions) (net.RecvResult, linux.Errno)
	// MaxRecord is the largest message sent whole; 0 for a byte stream.
	MaxRecord() int
}

// opsOf returns the socket operations of a file, or nil if it is not a
// socket.
func opsOf(f *vfs.FileDescription) socketOps {
	switch s := f.Impl().(type) {
	case *netunix.Socket:
		return unixOps{s}
	case *inet.Socket:
		return inetOps{s}
	case *netlink.Socket:
		return netlinkOps{s}
	}
	return nil
}

// socketIoctl is ioctl(2) on a socket: the family's own commands, then
// the interface queries any socket takes, as Linux's sock_ioctl hands
// them to dev_ioctl.
func socketIoctl(t *kernel.Task, f *vfs.FileDescription, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	r, err := f.Ioctl(t, t, cmd, arg)
	if err == linux.ENOTTY {
		return netStack(t).Ioctl(t, cmd, arg)
	}
	return r, err
}

// sockFS is the sandbox's sockfs, which numbers every socket's inode.
func sockFS(t *kernel.Task) *netunix.Namespace { return netunix.NamespaceOf(t.Kernel().VFS()) }

// netStack is the sandbox's network namespace.
func netStack(t *kernel.Task) *inet.Stack { return inet.StackOf(t.Kernel().VFS()) }

// unixOps adapts a Unix socket, whose path names resolve in the task's
// file system.
type unixOps struct{ *netunix.Socket }

func (s unixOps) Bind(t *kernel.Task, b []byte) linux.Errno {
	a, err := netunix.ParseAddress(b)
	if err != 0 {
		return err
	}
	return s.Socket.Bind(t, socketFS(t), a)
}

func (s unixOps) Listen(t *kernel.Task, backlog int32) linux.Errno {
	return s.Socket.Listen(t, backlog)
}

func (s unixOps) Connect(t *kernel.Task, b []byte, nonblock bool) linux.Errno {
	if len(b) >= 2 && b[0] == unix.AF_UNSPEC && b[1] == 0 && s.Type() == unix.SOCK_DGRAM {
		return s.Disconnect()
	}
	a, err := netunix.ParseAddress(b)
	if err != 0 {
		return err
	}
	return s.Socket.Connect(t, socketFS(t), a, nonblock)
}

func (s unixOps) Accept(t *kernel.Task, nonblock, newNonblock bool) (*vfs.FileDescription, []byte, linux.Errno) {
	ns, err := s.Socket.Accept(t, nonblock)
	if err != 0 {
		return nil, nil, err
	}
	peer, _ := ns.PeerAddress()
	return netunix.NewFile(ns, newNonblock), peer.Encode(), 0
}

func (s unixOps) LocalAddress() []byte { return s.Socket.LocalAddress().Encode() }

func (s unixOps) PeerAddress() ([]byte, linux.Errno) {
	a, err := s.Socket.PeerAddress()
	return a.Encode(), err
}

func (s unixOps) SetSockOpt(t *kernel.Task, level, name int32, v []byte) linux.Errno {
	return s.Socket.SetSockOpt(t, level, name, v)
}

// inetOps adapts an AF_INET or AF_INET6 socket.
type inetOps struct{ *inet.Socket }

func (s inetOps) Bind(t *kernel.Task, b []byte) linux.Errno { return s.Socket.Bind(t, b) }

func (s inetOps) Listen(t *kernel.Task, backlog int32) linux.Errno {
	return s.Socket.Listen(t, backlog)
}

func (s inetOps) Connect(t *kernel.Task, b []byte, nonblock bool) linux.Errno {
	return s.Socket.Connect(t, b, nonblock)
}

func (s inetOps) Accept(t *kernel.Task, nonblock, newNonblock bool) (*vfs.FileDescription, []byte, linux.Errno) {
	ns, err := s.Socket.Accept(t, nonblock)
	if err != 0 {
		return nil, nil, err
	}
	peer, _ := ns.PeerAddress()
	return inet.NewFile(ns, newNonblock), peer, 0
}

func (s inetOps) SetSockOpt(t *kernel.Task, level, name int32, v []byte) linux.Errno {
	return s.Socket.SetSockOpt(t, level, name, v)
}

// netlinkOps adapts a netlink socket.
type netlinkOps struct{ *netlink.Socket }

func (s netlinkOps) Bind(t *kernel.Task, b []byte) linux.Errno { return s.Socket.Bind(t, b) }

func (s netlinkOps) Listen(*kernel.Task, int32) linux.Errno { return linux.EOPNOTSUPP }

func (s netlinkOps) Connect(t *kernel.Task, b []byte, _ bool) linux.Errno {
	return s.Socket.Connect(t, b)
}

func (s netlinkOps) Accept(*kernel.Task, bool, bool) (*vfs.FileDescription, []byte, linux.Errno) {
	return nil, nil, linux.EOPNOTSUPP
}

func (s netlinkOps) SetSockOpt(t *kernel.Task, level, name int32, v []byte) linux.Errno {
	return s.Socket.SetSockOpt(t, level, name, v)
}
