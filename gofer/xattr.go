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

// xattrErrno maps a host failure of the *xattrat calls: a kernel without
// them (before 6.13) reports ENOSYS, which the protocol turns into
// EOPNOTSUPP.
func xattrErrno(err error) unix.Errno {
	if err == unix.ENOSYS {
		return unix.EOPNOTSUPP
	}
	return errnoOf(err)
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
	buf := make([]byte, proto.MaxXattrValue)
	l, err := getxattrat(n.fd, name, buf)
	if err == unix.ERANGE {
		return -1, unix.E2BIG // longer than the protocol carries
	}
	if err != nil {
		return -1, xattrErrno(err)
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
	if err := setxattrat(n.fd, name, value, flags); err != nil {
		return -1, xattrErrno(err)
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
	buf := make([]byte, proto.MaxXattrValue)
	l, err := listxattrat(n.fd, buf)
	if err == unix.ERANGE {
		return -1, unix.E2BIG
	}
	if err != nil {
		return -1, xattrErrno(err)
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
	if err := removexattrat(n.fd, name); err != nil {
		return -1, xattrErrno(err)
	}
	return -1, 0
}
