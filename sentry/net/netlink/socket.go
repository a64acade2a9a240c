package netlink

import (
	"encoding/binary"
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/net"
	"moat/sentry/net/inet"
	"moat/sentry/vfs"
)

// sizeofSockaddrNl is sizeof(struct sockaddr_nl).
const sizeofSockaddrNl = 12

// maxProtocol is MAX_LINKS: protocols from here on are EPROTONOSUPPORT
// on Linux as well.
const maxProtocol = 32

// Socket is a NETLINK_ROUTE socket: the vfs.FileImpl of its open file.
// The kernel's answers to its requests queue on it as datagrams.
type Socket struct {
	vfs.FileDefaults
	stack *inet.Stack
	typ   int32
	inode net.Inode
	queue vfs.Queue

	// mu guards the fields below.
	mu sync.Mutex
	// portID is the bound port ID (0: unbound); groups the multicast
	// groups joined, which never carry anything here since the
	// interfaces never change.
	portID, groups uint32
	// dstPID and dstGroups are the connected destination.
	dstPID, dstGroups uint32
	msgs              [][]byte
	size              int
	err               linux.Errno
	changes           net.Changes
	opts              options
}

// options are the socket options a netlink socket keeps.
type options struct {
	net.Options
	passcred bool
	// flags are the SOL_NETLINK boolean options by number.
	flags map[int32]bool
}

// New implements socket(AF_NETLINK, typ, protocol): SOCK_RAW or
// SOCK_DGRAM of NETLINK_ROUTE.
func New(ctx vfs.Context, st *inet.Stack, fs net.SockFS, typ, protocol int32, nonblock bool) (*vfs.FileDescription, linux.Errno) {
	if typ != unix.SOCK_RAW && typ != unix.SOCK_DGRAM {
		return nil, linux.ESOCKTNOSUPPORT
	}
	if protocol != unix.NETLINK_ROUTE || protocol >= maxProtocol {
		return nil, linux.EPROTONOSUPPORT
	}
	s := &Socket{stack: st, typ: typ, inode: net.NewInode(ctx, fs),
		opts: options{Options: net.DefaultOptions(net.DefaultBuf, net.DefaultBuf), flags: map[int32]bool{}}}
	s.changes.Init()
	return vfs.NewFileDescription(s, vfs.VirtualDentry{}, net.OpenFlags(nonblock)), 0
}

// Type returns SOCK_RAW or SOCK_DGRAM.
func (s *Socket) Type() int32 { return s.typ }

// IsStream implements vfs.StreamFile.IsStream.
func (*Socket) IsStream() bool { return true }

// Stat implements vfs.FileStater.Stat.
func (s *Socket) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) { return s.inode.Stat(), 0 }

// SetStat implements vfs.FileStater.SetStat.
func (*Socket) SetStat(vfs.Context, *vfs.SetStatOptions) linux.Errno { return linux.EPERM }

// Release implements vfs.FileImpl.Release.
func (s *Socket) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.portID != 0 {
		s.stack.ReleaseNetlinkPort(s.portID)
		s.portID = 0
	}
	s.msgs, s.size = nil, 0
}

// parse reads a struct sockaddr_nl: EINVAL when short or of another
// family.
func parse(b []byte) (pid, groups uint32, err linux.Errno) {
	if len(b) < sizeofSockaddrNl || binary.LittleEndian.Uint16(b) != unix.AF_NETLINK {
		return 0, 0, linux.EINVAL
	}
	return binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[8:]), 0
}

func encode(pid, groups uint32) []byte {
	b := make([]byte, sizeofSockaddrNl)
	binary.LittleEndian.PutUint16(b, unix.AF_NETLINK)
	binary.LittleEndian.PutUint32(b[4:], pid)
	binary.LittleEndian.PutUint32(b[8:], groups)
	return b
}

// Bind implements bind(2): port ID 0 picks one (the process's ID when
// free); a port ID in use is EADDRINUSE; rebinding to another is EINVAL.
func (s *Socket) Bind(ctx vfs.Context, b []byte) linux.Errno {
	pid, groups, err := parse(b)
	if err != 0 {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.portID != 0 && pid != 0 && pid != s.portID {
		return linux.EINVAL
	}
	if s.portID == 0 {
		if pid != 0 {
			p, ok := s.stack.ClaimNetlinkPort(pid, false)
			if !ok {
				return linux.EADDRINUSE
			}
			s.portID = p
		} else if err := s.autobindLocked(ctx); err != 0 {
			return err
		}
	}
	s.groups = groups
	return 0
}

// autobindLocked gives an unbound socket a port ID: the caller's
// process ID when free, else a negative one.
//
// Preconditions:
// - s.mu is held.
func (s *Socket) autobindLocked(ctx vfs.Context) linux.Errno {
	if s.portID != 0 {
		return 0
	}
	p, _ := s.stack.ClaimNetlinkPort(uint32(net.PIDOf(ctx)), true)
	s.portID = p
	return 0
}

// Connect implements connect(2): the destination of sends without an
// address; AF_UNSPEC clears it.
func (s *Socket) Connect(ctx vfs.Context, b []byte) linux.Errno {
	if len(b) >= 2 && binary.LittleEndian.Uint16(b) == unix.AF_UNSPEC {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.dstPID, s.dstGroups = 0, 0
		return 0
	}
	pid, groups, err := parse(b)
	if err != 0 {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dstPID, s.dstGroups = pid, groups
	return s.autobindLocked(ctx)
}

// LocalAddress returns the encoded name getsockname reports.
func (s *Socket) LocalAddress() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return encode(s.portID, s.groups)
}

// PeerAddress returns the connected destination (the kernel's, 0, by
// default), as Linux's getpeername reports it.
func (s *Socket) PeerAddress() ([]byte, linux.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return encode(s.dstPID, s.dstGroups), 0
}

// Shutdown implements shutdown(2): netlink sockets have none
// (EOPNOTSUPP, as Linux's sock_no_shutdown).
func (*Socket) Shutdown(int32) linux.Errno { return linux.EOPNOTSUPP }

// MaxRecord returns the largest request accepted whole.
func (s *Socket) MaxRecord() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.SndBuf
}

// Read implements vfs.FileImpl.Read.
func (s *Socket) Read(ctx vfs.Context, fd *vfs.FileDescription, dst []byte, _ int64) (int, linux.Errno) {
	r, err := s.RecvMsg(ctx, dst, net.RecvOptions{Nonblock: fd.StatusFlags()&unix.O_NONBLOCK != 0})
	return r.N, err
}

// Write implements vfs.FileImpl.Write.
func (s *Socket) Write(ctx vfs.Context, _ *vfs.FileDescription, src []byte, _ int64) (int, linux.Errno) {
	return s.SendMsg(ctx, src, net.SendOptions{})
}

// Readiness implements vfs.Waitable.Readiness: readable with an answer
// queued, always writable.
func (s *Socket) Readiness(_ vfs.Context, mask uint32) uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := vfs.EventWritable
	if len(s.msgs) > 0 {
		r |= vfs.EventReadable
	}
	if s.err != 0 {
		r |= vfs.EventErr
	}
	return r & mask
}

// EventRegister implements vfs.Waitable.EventRegister.
func (s *Socket) EventRegister(w *vfs.Waiter) func() { return s.queue.EventRegister(w) }

// Ioctl implements vfs.FileImpl.Ioctl: FIONREAD, the next answer's
// size.
func (s *Socket) Ioctl(ctx vfs.Context, _ *vfs.FileDescription, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	if cmd != unix.SIOCINQ {
		return 0, linux.ENOTTY
	}
	s.mu.Lock()
	n := 0
	if len(s.msgs) > 0 {
		n = len(s.msgs[0])
	}
	s.mu.Unlock()
	return 0, mem.CopyOut(arg, net.EncodeInt(int32(n)))
}
