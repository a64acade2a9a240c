package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
	"moat/sentry/net/inet"
	"moat/sentry/net/netlink"
	netunix "moat/sentry/net/unix"
	"moat/sentry/vfs"
)

// sockTypeMask is SOCK_TYPE_MASK: the type bits of socket's type argument.
const sockTypeMask = 0xf

// sockMax is SOCK_MAX: types from here on are EINVAL in any family.
const sockMax = unix.SOCK_PACKET + 1

// sockFlags splits socket(2)'s type argument into the type and the
// SOCK_NONBLOCK/SOCK_CLOEXEC flags; other bits, and types no family has,
// are EINVAL (before the family is looked at, as on Linux).
func sockFlags(arg int32) (typ int32, nonblock, cloexec bool, err linux.Errno) {
	flags := arg &^ sockTypeMask
	if flags&^(unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC) != 0 || arg&sockTypeMask >= sockMax {
		return 0, false, false, linux.EINVAL
	}
	return arg & sockTypeMask, flags&unix.SOCK_NONBLOCK != 0, flags&unix.SOCK_CLOEXEC != 0, 0
}

// Socket implements Linux syscall socket(2): AF_UNIX, AF_INET and
// AF_INET6 (TCP and UDP on the sandbox's loopback network) and
// AF_NETLINK (NETLINK_ROUTE); other families are EAFNOSUPPORT.
func Socket(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	domain := args.Int(0)
	typ, nonblock, cloexec, err := sockFlags(args.Int(1))
	if err != 0 {
		return 0, err
	}
	var f *vfs.FileDescription
	switch domain {
	case unix.AF_UNIX:
		f, err = netunix.New(t, sockFS(t), typ, args.Int(2), nonblock)
	case unix.AF_INET, unix.AF_INET6:
		f, err = inet.New(t, netStack(t), sockFS(t), domain, typ, args.Int(2), nonblock)
	case unix.AF_NETLINK:
		f, err = netlink.New(t, netStack(t), sockFS(t), typ, args.Int(2), nonblock)
	default:
		return 0, linux.EAFNOSUPPORT
	}
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(0, f, kernel.FDFlags{CloseOnExec: cloexec})
	return uintptr(fd), err
}

// Socketpair implements Linux syscall socketpair(2) for AF_UNIX; the inet
// families cannot make pairs (EOPNOTSUPP, as on Linux).
func Socketpair(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	domain := args.Int(0)
	typ, nonblock, cloexec, err := sockFlags(args.Int(1))
	if err != 0 {
		return 0, err
	}
	switch domain {
	case unix.AF_UNIX:
	case unix.AF_INET, unix.AF_INET6:
		return 0, linux.EOPNOTSUPP
	default:
		return 0, linux.EAFNOSUPPORT
	}
	a, b, err := netunix.Pair(t, sockFS(t), typ, args.Int(2), nonblock)
	if err != 0 {
		return 0, err
	}
	defer a.DecRef()
	defer b.DecRef()
	flags := kernel.FDFlags{CloseOnExec: cloexec}
	fa, err := t.FDTable().NewFD(0, a, flags)
	if err != 0 {
		return 0, err
	}
	fb, err := t.FDTable().NewFD(0, b, flags)
	if err != 0 {
		closeFD(t, fa)
		return 0, err
	}
	var sv [8]byte
	binary.LittleEndian.PutUint32(sv[0:], uint32(fa))
	binary.LittleEndian.PutUint32(sv[4:], uint32(fb))
	if err := t.CopyOut(args.Pointer(3), sv[:]); err != 0 {
		closeFD(t, fa)
		closeFD(t, fb)
		return 0, err
	}
	return 0, 0
}

// closeFD removes fd from the task's table (undoing a new descriptor).
func closeFD(t *kernel.Task, fd int32) {
	if f, err := t.FDTable().Remove(fd); err == 0 {
		f.DecRef()
	}
}

// getSocket returns the socket fd names, with a reference to its file
// the caller drops: EBADF for a bad descriptor, ENOTSOCK for a file that
// is not a socket.
func getSocket(t *kernel.Task, fd int32) (*vfs.FileDescription, socketOps, linux.Errno) {
	f, err := getFile(t, fd)
	if err != 0 {
		return nil, nil, err
	}
	s := opsOf(f)
	if s == nil {
		f.DecRef()
		return nil, nil, linux.ENOTSOCK
	}
	return f, s, 0
}

// socketFS is the task's view of the file system for socket path names.
func socketFS(t *kernel.Task) *netunix.FS {
	root, cwd := t.FSContext().RootAndWorkingDirectory()
	return &netunix.FS{VFS: t.Kernel().VFS(), Root: root, Cwd: cwd, Umask: t.FSContext().Umask()}
}

// sockaddrStorage is sizeof(struct sockaddr_storage), the most any
// address argument may hold.
const sockaddrStorage = 128

// copyInSockaddr reads an address argument of n bytes.
func copyInSockaddr(t *kernel.Task, addr uintptr, n int32) ([]byte, linux.Errno) {
	if n < 0 || n > sockaddrStorage {
		return nil, linux.EINVAL
	}
	b := make([]byte, n)
	if n > 0 {
		if err := t.CopyIn(addr, b); err != 0 {
			return nil, err
		}
	}
	return b, 0
}

// copyInAddress reads a struct sockaddr_un argument.
func copyInAddress(t *kernel.Task, addr uintptr, n int32) (netunix.Address, linux.Errno) {
	b, err := copyInSockaddr(t, addr, n)
	if err != 0 {
		return netunix.Address{}, err
	}
	return netunix.ParseAddress(b)
}

// copyOutAddress writes a into the buffer at addr whose length the
// socklen_t at lenAddr holds (truncating), and stores the full length
// there, as getsockname(2) and accept(2) do.
func copyOutAddress(t *kernel.Task, addr, lenAddr uintptr, enc []byte) linux.Errno {
	var lb [4]byte
	if err := t.CopyIn(lenAddr, lb[:]); err != 0 {
		return err
	}
	n := int32(binary.LittleEndian.Uint32(lb[:]))
	if n < 0 {
		return linux.EINVAL
	}
	if c := min(int(n), len(enc)); c > 0 {
		if err := t.CopyOut(addr, enc[:c]); err != 0 {
			return err
		}
	}
	binary.LittleEndian.PutUint32(lb[:], uint32(len(enc)))
	return t.CopyOut(lenAddr, lb[:])
}

// Bind implements Linux syscall bind(2).
func Bind(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, s, err := getSocket(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	b, err := copyInSockaddr(t, args.Pointer(1), args.Int(2))
	if err != 0 {
		return 0, err
	}
	return 0, s.Bind(t, b)
}

// Listen implements Linux syscall listen(2).
func Listen(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, s, err := getSocket(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	return 0, s.Listen(t, args.Int(1))
}

// Connect implements Linux syscall connect(2). AF_UNSPEC dissolves a
// datagram socket's association.
func Connect(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, s, err := getSocket(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	b, err := copyInSockaddr(t, args.Pointer(1), args.Int(2))
	if err != 0 {
		return 0, err
	}
	return 0, s.Connect(t, b, f.StatusFlags()&unix.O_NONBLOCK != 0)
}

// Accept implements Linux syscall accept(2).
func Accept(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return accept4(t, args.Int(0), args.Pointer(1), args.Pointer(2), 0)
}

// Accept4 implements Linux syscall accept4(2).
func Accept4(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return accept4(t, args.Int(0), args.Pointer(1), args.Pointer(2), args.Int(3))
}

func accept4(t *kernel.Task, fd int32, addr, lenAddr uintptr, flags int32) (uintptr, linux.Errno) {
	if flags&^(unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	f, s, err := getSocket(t, fd)
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	nf, peer, err := s.Accept(t, f.StatusFlags()&unix.O_NONBLOCK != 0, flags&unix.SOCK_NONBLOCK != 0)
	if err != 0 {
		return 0, err
	}
	defer nf.DecRef()
	if addr != 0 {
		if err := copyOutAddress(t, addr, lenAddr, peer); err != 0 {
			return 0, err
		}
	}
	nfd, err := t.FDTable().NewFD(0, nf, kernel.FDFlags{CloseOnExec: flags&unix.SOCK_CLOEXEC != 0})
	return uintptr(nfd), err
}

// Getsockname implements Linux syscall getsockname(2).
func Getsockname(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, s, err := getSocket(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	return 0, copyOutAddress(t, args.Pointer(1), args.Pointer(2), s.LocalAddress())
}

// Getpeername implements Linux syscall getpeername(2).
func Getpeername(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, s, err := getSocket(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	a, err := s.PeerAddress()
	if err != 0 {
		return 0, err
	}
	return 0, copyOutAddress(t, args.Pointer(1), args.Pointer(2), a)
}

// Shutdown implements Linux syscall shutdown(2).
func Shutdown(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, s, err := getSocket(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	return 0, s.Shutdown(args.Int(1))
}
