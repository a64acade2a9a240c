package gofer

import (
	"golang.org/x/sys/unix"

	"moat/gofer/proto"
)

// node is one file of the served tree, held open as an O_PATH descriptor.
// Nodes are shared: walking to the same name twice gives two handles to one
// node, so a rename seen by the server moves every handle at once.
type node struct {
	// fd is an O_PATH|O_NOFOLLOW descriptor of the file; it is closed when
	// refs drops to zero.
	fd int
	// dev, ino and mode (type bits only) identify the file; they never
	// change.
	dev, ino uint64
	mode     uint32

	// The fields below are guarded by Server.mu.

	// refs counts handles, children and operations in flight holding
	// the node.
	refs int
	// parent and name are where the node lives, used to reopen it; the
	// root has no parent. parent holds a reference while set.
	parent *node
	name   string
	// detached is set once name no longer names the node (it was
	// unlinked, or replaced by a rename or by another file).
	detached bool
	// children indexes the live children by name; they are not
	// references.
	children map[string]*node
}

func (n *node) isDir() bool     { return n.mode&unix.S_IFMT == unix.S_IFDIR }
func (n *node) isSymlink() bool { return n.mode&unix.S_IFMT == unix.S_IFLNK }
func (n *node) isRegular() bool { return n.mode&unix.S_IFMT == unix.S_IFREG }

// rootNode returns the served root (nil once the server has shut down).
func (s *Server) rootNode() *node {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.root
}

// full reports whether the connection holds Config.MaxHandles handles.
func (s *Server) full() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.handles) >= s.cfg.MaxHandles
}

// lookup returns the node of h with a reference the caller drops with put.
func (s *Server) lookup(h proto.Handle) (*node, unix.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.handles[h]
	if !ok {
		return nil, unix.EBADF
	}
	n.refs++
	return n, 0
}

// lookupDir is lookup for a handle that must be a directory.
func (s *Server) lookupDir(h proto.Handle) (*node, unix.Errno) {
	n, errno := s.lookup(h)
	if errno != 0 {
		return nil, errno
	}
	if !n.isDir() {
		s.put(n)
		return nil, unix.ENOTDIR
	}
	return n, 0
}

// put drops a reference taken by lookup or parentOf.
func (s *Server) put(n *node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.decRefLocked(n)
}

// decRefLocked drops a reference to n, freeing it (and dropping its
// reference on its parent) when it was the last.
//
// Preconditions:
//   - s.mu is held.
func (s *Server) decRefLocked(n *node) {
	for n != nil {
		n.refs--
		if n.refs > 0 {
			return
		}
		p := n.parent
		if p != nil && !n.detached && p.children[n.name] == n {
			delete(p.children, n.name)
		}
		n.parent = nil
		unix.Close(n.fd)
		n.fd = -1
		n = p
	}
}

// newHandleLocked returns a new handle for n.
//
// Preconditions:
//   - s.mu is held.
func (s *Server) newHandleLocked(n *node) proto.Handle {
	s.nextHandle++
	h := proto.Handle(s.nextHandle)
	s.handles[h] = n
	n.refs++
	return h
}

// childHandle records that name in parent is the file open as fd with
// attributes st, and returns a new handle for it and its node. An existing
// node for the same file is reused (and fd closed); one for a different
// file is detached. The caller gives up fd, and gets a reference to the
// node, which it drops with put: the handle alone does not keep the node
// alive, since a client may close a handle it has not been told about yet.
func (s *Server) childHandle(parent *node, name string, fd int, st *unix.Stat_t) (proto.Handle, *node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := parent.children[name]; c != nil {
		if c.dev == st.Dev && c.ino == st.Ino {
			unix.Close(fd)
			c.refs++
			return s.newHandleLocked(c), c
		}
		s.detachLocked(c)
	}
	c := &node{fd: fd, dev: st.Dev, ino: st.Ino, mode: st.Mode & unix.S_IFMT, parent: parent, name: name}
	parent.refs++
	if parent.children == nil {
		parent.children = make(map[string]*node)
	}
	parent.children[name] = c
	c.refs++
	return s.newHandleLocked(c), c
}

// detachLocked marks that n's name no longer names it.
//
// Preconditions:
//   - s.mu is held.
func (s *Server) detachLocked(n *node) {
	if n.detached {
		return
	}
	if p := n.parent; p != nil && p.children[n.name] == n {
		delete(p.children, n.name)
	}
	n.detached = true
}

// detachChild detaches whatever node parent's child name was.
func (s *Server) detachChild(parent *node, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := parent.children[name]; c != nil {
		s.detachLocked(c)
	}
}

// moveLocked records that n is now called name in parent, replacing what
// was there.
//
// Preconditions:
//   - s.mu is held.
func (s *Server) moveLocked(n, parent *node, name string) {
	if old := parent.children[name]; old != nil && old != n {
		s.detachLocked(old)
	}
	if p := n.parent; p != nil && !n.detached && p.children[n.name] == n {
		delete(p.children, n.name)
	}
	parent.refs++
	if parent.children == nil {
		parent.children = make(map[string]*node)
	}
	parent.children[name] = n
	old := n.parent
	n.parent, n.name, n.detached = parent, name, false
	if old != nil {
		s.decRefLocked(old)
	}
}

// parentOf returns n's parent (with a reference the caller drops with put)
// and name, or ESTALE when n has no name any more (the root, or a
// detached node).
func (s *Server) parentOf(n *node) (*node, string, unix.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n.parent == nil || n.detached {
		return nil, "", unix.ESTALE
	}
	n.parent.refs++
	return n.parent, n.name, 0
}

// closeHandles drops handles; unknown ones give EBADF after the rest are
// dropped.
func (s *Server) closeHandles(hs []proto.Handle) unix.Errno {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errno unix.Errno
	for _, h := range hs {
		n, ok := s.handles[h]
		if !ok {
			errno = unix.EBADF
			continue
		}
		delete(s.handles, h)
		s.decRefLocked(n)
	}
	return errno
}

// closeAllLocked drops every handle and the root.
//
// Preconditions:
//   - s.mu is held.
func (s *Server) closeAllLocked() {
	for h, n := range s.handles {
		delete(s.handles, h)
		s.decRefLocked(n)
	}
	if s.root != nil {
		s.decRefLocked(s.root)
		s.root = nil
	}
}
