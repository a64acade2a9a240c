package unix

import (
	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Bind implements bind(2): a path name makes a socket node in the file
// system (EADDRINUSE if the path exists), an abstract name goes into the
// namespace, and an unnamed address picks a free abstract name.
func (s *Socket) Bind(ctx vfs.Context, fs *FS, a Address) linux.Errno {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.local.Unnamed() {
		if a.Path != "" {
			// Linux makes the node before it looks at the socket: an
			// existing path is EADDRINUSE, a new one is removed again.
			if _, err := fs.mknod(ctx, a.Path); err != 0 {
				return err
			}
			fs.VFS.UnlinkAt(ctx, fs.op(a.Path, false))
		}
		return linux.EINVAL
	}
	return s.bindLocked(ctx, fs, a)
}

// bindLocked names s.
//
// Preconditions:
// - s.mu is held; s is unnamed.
func (s *Socket) bindLocked(ctx vfs.Context, fs *FS, a Address) linux.Errno {
	switch {
	case a.IsAbstract:
		if err := s.ns.bindAbstract(a.Abstract, s); err != 0 {
			return err
		}
	case a.Path != "":
		key, err := fs.mknod(ctx, a.Path)
		if err != 0 {
			return err
		}
		s.ns.bindNode(key, s)
		s.localKey = key
	default:
		name, err := s.ns.autobind(s)
		if err != 0 {
			return err
		}
		a = Address{Abstract: name, IsAbstract: true}
	}
	s.local = a
	return 0
}

// autobindLocked names an unnamed socket that passes credentials before
// it connects or sends, as Linux does, so that the receiver can tell
// senders apart.
//
// Preconditions:
// - s.mu is held.
func (s *Socket) autobindLocked() linux.Errno {
	if !s.opts.passcred || !s.local.Unnamed() {
		return 0
	}
	return s.bindLocked(nil, nil, Address{})
}

// LocalAddress implements getsockname(2).
func (s *Socket) LocalAddress() Address {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.local
}

// PeerAddress implements getpeername(2): ENOTCONN without a peer.
func (s *Socket) PeerAddress() (Address, linux.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.peer == nil {
		return Address{}, linux.ENOTCONN
	}
	return s.peerAddr, 0
}
