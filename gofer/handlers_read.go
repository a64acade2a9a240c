package gofer

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
)

func (s *Server) attach(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	if !d.Done() {
		return -1, unix.EINVAL
	}
	if s.full() {
		return -1, unix.ENFILE
	}
	var st unix.Stat_t
	s.mu.Lock()
	root := s.root
	if root == nil {
		s.mu.Unlock()
		return -1, unix.EBADF
	}
	root.refs++
	s.mu.Unlock()
	defer s.put(root)
	if err := unix.Fstat(root.fd, &st); err != nil {
		return -1, errnoOf(err)
	}
	s.mu.Lock()
	h := s.newHandleLocked(root)
	s.mu.Unlock()
	e.Handle(h)
	encodeStat(e, &st)
	return -1, 0
}

func encodeStat(e *proto.Encoder, st *unix.Stat_t) {
	var ps proto.Stat
	ps.FromUnix(st)
	e.Stat(&ps)
}

func (s *Server) walk(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	dh := d.Handle()
	count := int(d.U16())
	if !d.Ok() || count == 0 || count > proto.MaxWalk {
		return -1, unix.EINVAL
	}
	var namesBuf [8]string
	names := namesBuf[:0]
	for range count {
		names = append(names, string(d.BytesRef()))
	}
	if !d.Done() {
		return -1, unix.EINVAL
	}
	for _, n := range names {
		if !validName(n) {
			return -1, unix.EINVAL
		}
	}
	dir, errno := s.lookup(dh)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(dir)
	// The stop errno and count are patched in at the end.
	head := len(e.B)
	e.U32(0)
	e.U16(0)
	var stop unix.Errno
	done := 0
	cur := dir // a reference is held on cur throughout
	for _, name := range names {
		if !cur.isDir() {
			stop = unix.ENOTDIR
			break
		}
		if s.full() {
			stop = unix.ENFILE
			break
		}
		var st unix.Stat_t
		fd, err := openPath(cur.fd, name, &st)
		if err != nil {
			stop = errnoOf(err)
			break
		}
		h, child := s.childHandle(cur, name, fd, &st)
		e.Handle(h)
		encodeStat(e, &st)
		done++
		if cur != dir {
			s.put(cur)
		}
		cur = child
		if child.isSymlink() {
			break
		}
	}
	if cur != dir {
		s.put(cur)
	}
	binary.LittleEndian.PutUint32(e.B[head:], uint32(stop))
	binary.LittleEndian.PutUint16(e.B[head+4:], uint16(done))
	return -1, 0
}

func (s *Server) lookupMany(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	dh := d.Handle()
	count := int(d.U16())
	if !d.Ok() || count == 0 || count > proto.MaxWalk {
		return -1, unix.EINVAL
	}
	var namesBuf [16]string
	names := namesBuf[:0]
	for range count {
		names = append(names, string(d.BytesRef()))
	}
	if !d.Done() {
		return -1, unix.EINVAL
	}
	dir, errno := s.lookupDir(dh)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(dir)
	e.U16(uint16(count))
	for _, name := range names {
		if !validName(name) {
			e.U32(uint32(unix.EINVAL))
			continue
		}
		if s.full() {
			e.U32(uint32(unix.ENFILE))
			continue
		}
		var st unix.Stat_t
		fd, err := openPath(dir.fd, name, &st)
		if err != nil {
			e.U32(uint32(errnoOf(err)))
			continue
		}
		h, n := s.childHandle(dir, name, fd, &st)
		s.put(n)
		e.U32(0)
		e.Handle(h)
		encodeStat(e, &st)
	}
	return -1, 0
}

func (s *Server) walkOpen(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	dh, name, flags := d.Handle(), string(d.BytesRef()), int(d.U32())
	if !d.Done() || !validName(name) || !validOpenFlags(flags, 0) {
		return -1, unix.EINVAL
	}
	dir, errno := s.lookupDir(dh)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(dir)
	if s.full() {
		return -1, unix.ENFILE
	}
	var st unix.Stat_t
	pfd, err := openPath(dir.fd, name, &st)
	if err != nil {
		return -1, errnoOf(err)
	}
	h, n := s.childHandle(dir, name, pfd, &st)
	defer s.put(n)
	e.Handle(h)
	encodeStat(e, &st)
	if n.isSymlink() {
		e.U8(0)
		return -1, 0
	}
	if s.cfg.ReadOnly && writes(flags) && !n.isDir() {
		s.closeHandles([]proto.Handle{h})
		return -1, unix.EROFS
	}
	fd, errno := s.reopen(n, flags)
	if errno != 0 {
		s.closeHandles([]proto.Handle{h})
		return -1, errno
	}
	e.U8(1)
	return fd, 0
}

func (s *Server) stat(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	h := d.Handle()
	if !d.Done() {
		return -1, unix.EINVAL
	}
	n, errno := s.lookup(h)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(n)
	var st unix.Stat_t
	if err := unix.Fstat(n.fd, &st); err != nil {
		return -1, errnoOf(err)
	}
	encodeStat(e, &st)
	return -1, 0
}

func (s *Server) open(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	h := d.Handle()
	flags := int(d.U32())
	if !d.Done() || !validOpenFlags(flags, 0) {
		return -1, unix.EINVAL
	}
	n, errno := s.lookup(h)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(n)
	if s.cfg.ReadOnly && writes(flags) && !n.isDir() {
		return -1, unix.EROFS
	}
	return s.reopen(n, flags)
}

func (s *Server) close(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	count := int(d.U16())
	if !d.Ok() || count > proto.MaxCloseBatch || d.Len() != 8*count {
		return -1, unix.EINVAL
	}
	var buf [16]proto.Handle
	hs := buf[:0]
	for range count {
		hs = append(hs, d.Handle())
	}
	return -1, s.closeHandles(hs)
}

func (s *Server) readlink(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	h := d.Handle()
	if !d.Done() {
		return -1, unix.EINVAL
	}
	n, errno := s.lookup(h)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(n)
	if !n.isSymlink() {
		return -1, unix.EINVAL
	}
	var buf [proto.MaxPath + 1]byte
	l, err := unix.Readlinkat(n.fd, "", buf[:])
	if err != nil {
		return -1, errnoOf(err)
	}
	e.Bytes(buf[:l])
	return -1, 0
}

func (s *Server) statfs(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	h := d.Handle()
	if !d.Done() {
		return -1, unix.EINVAL
	}
	n, errno := s.lookup(h)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(n)
	var st unix.Statfs_t
	if err := unix.Fstatfs(n.fd, &st); err != nil {
		return -1, errnoOf(err)
	}
	e.Statfs(&proto.Statfs{
		Type: uint64(st.Type), Bsize: st.Bsize, Blocks: st.Blocks,
		Bfree: st.Bfree, Bavail: st.Bavail, Files: st.Files, Ffree: st.Ffree,
		Namelen: st.Namelen, Frsize: st.Frsize, Flags: st.Flags,
	})
	return -1, 0
}

func (s *Server) getdents(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	h := d.Handle()
	cookie := d.U64()
	size := int(d.U32())
	if !d.Done() {
		return -1, unix.EINVAL
	}
	size = min(max(size, 512), proto.MaxGetdents)
	n, errno := s.lookupDir(h)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(n)
	fd, err := openAt(n.fd, ".", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return -1, errnoOf(err)
	}
	defer unix.Close(fd)
	if _, err := unix.Seek(fd, int64(cookie), 0); err != nil {
		return -1, errnoOf(err)
	}
	head := len(e.B)
	e.U16(0)
	count := 0
	bp := s.scratch.Get().(*[]byte)
	defer s.scratch.Put(bp)
	buf := (*bp)[:size]
	for count == 0 {
		l, err := unix.Getdents(fd, buf)
		if err != nil {
			return -1, errnoOf(err)
		}
		if l == 0 {
			break
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8,
		// name (NUL-terminated, padded).
		for p := buf[:l]; len(p) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(p[16:]))
			if reclen < 19 || reclen > len(p) {
				return -1, unix.EIO
			}
			name := p[19:reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			if string(name) != "." && string(name) != ".." {
				e.U64(binary.NativeEndian.Uint64(p[0:]))
				e.U64(binary.NativeEndian.Uint64(p[8:]))
				e.U8(p[18])
				e.Bytes(name)
				count++
			}
			p = p[reclen:]
		}
	}
	binary.LittleEndian.PutUint16(e.B[head:], uint16(count))
	return -1, 0
}
