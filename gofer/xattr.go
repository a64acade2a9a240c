package gofer

import (
	"bytes"
	"strings"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
)

// xattrPrefix is the only extended attribute namespace served: "trusted.",
// "security." and "system." attributes carry host policy (capabilities,
// LSM labels, ACLs) that the sandbox must neither read nor set.
const xattrPrefix = "user."

// xattrNameMax is XATTR_NAME_MAX.
const xattrNameMax = 255

// xattrName checks an attribute name from the wire.
func xattrName(name string) unix.Errno {
	switch {
	case name == "" || len(name) > xattrNameMax || strings.IndexByte(name, 0) >= 0:
		return unix.EINVAL
	case !strings.HasPrefix(name, xattrPrefix):
		return unix.EOPNOTSUPP
	}
	return 0
}

// xattrFD opens n for an extended attribute call. The f*xattr calls refuse
// O_PATH descriptors (and so do the *xattrat calls with AT_EMPTY_PATH), so
// a regular file or directory is reopened read-only like Open does, which
// checks it is still n. Other types cannot carry user.* attributes; for
// them xattrFD returns -1 and no error, and callers answer as Linux does.
func (s *Server) xattrFD(n *node) (int, unix.Errno) {
	if !n.isRegular() && !n.isDir() {
		return -1, 0
	}
	return s.reopen(n, unix.O_RDONLY|unix.O_NONBLOCK)
}

func (s *Server) getxattr(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	h, name, size := d.Handle(), string(d.BytesRef()), int(d.U32())
	if !d.Done() {
		return -1, unix.EINVAL
	}
	if errno := xattrName(name); errno != 0 {
		return -1, errno
	}
	n, errno := s.lookup(h)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(n)
	fd, errno := s.xattrFD(n)
	if errno != 0 {
		return -1, errno
	}
	if fd < 0 {
		return -1, unix.ENODATA
	}
	defer unix.Close(fd)
	bp := s.scratch.Get().(*[]byte)
	defer s.scratch.Put(bp)
	buf := (*bp)[:proto.MaxXattrValue]
	l, err := unix.Fgetxattr(fd, name, buf)
	if err == unix.ERANGE {
		return -1, unix.E2BIG // longer than the protocol carries
	}
	if err != nil {
		return -1, errnoOf(err)
	}
	if size != 0 && l > size {
		return -1, unix.ERANGE
	}
	e.Bytes(buf[:l])
	return -1, 0
}

func (s *Server) setxattr(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	h, name, value, flags := d.Handle(), string(d.BytesRef()), d.BytesRef(), int(d.U32())
	if !d.Done() || flags&^(unix.XATTR_CREATE|unix.XATTR_REPLACE) != 0 || len(value) > proto.MaxXattrValue {
		return -1, unix.EINVAL
	}
	if errno := xattrName(name); errno != 0 {
		return -1, errno
	}
	n, errno := s.lookup(h)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(n)
	if s.cfg.ReadOnly {
		return -1, unix.EROFS
	}
	fd, errno := s.xattrFD(n)
	if errno != 0 {
		return -1, errno
	}
	if fd < 0 {
		return -1, unix.EPERM
	}
	defer unix.Close(fd)
	if err := unix.Fsetxattr(fd, name, value, flags); err != nil {
		return -1, errnoOf(err)
	}
	return -1, 0
}

func (s *Server) listxattr(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	h := d.Handle()
	if !d.Done() {
		return -1, unix.EINVAL
	}
	n, errno := s.lookup(h)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(n)
	fd, errno := s.xattrFD(n)
	if errno != 0 {
		return -1, errno
	}
	if fd < 0 {
		e.U16(0)
		return -1, 0
	}
	defer unix.Close(fd)
	bp := s.scratch.Get().(*[]byte)
	defer s.scratch.Put(bp)
	buf := (*bp)[:proto.MaxXattrValue]
	l, err := unix.Flistxattr(fd, buf)
	if err == unix.ERANGE {
		return -1, unix.E2BIG
	}
	if err != nil {
		return -1, errnoOf(err)
	}
	var names [][]byte
	for _, name := range bytes.Split(buf[:l], []byte{0}) {
		if bytes.HasPrefix(name, []byte(xattrPrefix)) {
			names = append(names, name)
		}
	}
	e.U16(uint16(len(names)))
	for _, name := range names {
		e.Bytes(name)
	}
	return -1, 0
}

func (s *Server) removexattr(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	h, name := d.Handle(), string(d.BytesRef())
	if !d.Done() {
		return -1, unix.EINVAL
	}
	if errno := xattrName(name); errno != 0 {
		return -1, errno
	}
	n, errno := s.lookup(h)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(n)
	if s.cfg.ReadOnly {
		return -1, unix.EROFS
	}
	fd, errno := s.xattrFD(n)
	if errno != 0 {
		return -1, errno
	}
	if fd < 0 {
		return -1, unix.EPERM
	}
	defer unix.Close(fd)
	if err := unix.Fremovexattr(fd, name); err != nil {
		return -1, errnoOf(err)
	}
	return -1, 0
}
