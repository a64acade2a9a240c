package gofer

import (
	"golang.org/x/sys/unix"

	"moat/gofer/proto"
)

// writeDir is the common prologue of the requests that change a directory:
// it checks for a read-only server, a valid name and, when the request
// makes a handle, room for one (Config.MaxHandles), and returns the directory's node, with a reference the caller drops with
// put.
func (s *Server) writeDir(h proto.Handle, name string, makes bool) (*node, unix.Errno) {
	if s.cfg.ReadOnly {
		return nil, unix.EROFS
	}
	if !validName(name) {
		return nil, unix.EINVAL
	}
	if makes && s.full() {
		return nil, unix.ENFILE
	}
	return s.lookupDir(h)
}

// setOwnerMode gives the new file open as the O_PATH descriptor fd the
// owner uid/gid (unless NoID) and then, if it differs from what creation
// left, the permission bits perm (chown may clear set-id bits, and the
// process umask may have masked some). st is refreshed.
func setOwnerMode(fd int, uid, gid, perm uint32, st *unix.Stat_t) error {
	if uid != proto.NoID || gid != proto.NoID {
		if err := unix.Fchownat(fd, "", int(int32(uid)), int(int32(gid)), unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
	}
	if err := unix.Fstat(fd, st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK && st.Mode&07777 != perm&07777 {
		if err := unix.Fchmodat(fd, "", perm&07777, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
		return unix.Fstat(fd, st)
	}
	return nil
}

// finishNew gives the just-created name in dir its owner and mode and
// returns a handle for it. When want is set, the name must still be that
// file (ESTALE otherwise). On failure the name is removed again
// (unlinkFlags says how) if it is still the new file.
func (s *Server) finishNew(dir *node, name string, uid, gid, perm uint32, unlinkFlags int, want *unix.Stat_t, e *proto.Encoder) unix.Errno {
	var st unix.Stat_t
	fd, err := openPath(dir.fd, name, &st)
	if err != nil {
		return errnoOf(err)
	}
	if want != nil && (st.Dev != want.Dev || st.Ino != want.Ino) {
		unix.Close(fd)
		return unix.ESTALE
	}
	if err := setOwnerMode(fd, uid, gid, perm, &st); err != nil {
		unix.Close(fd)
		unix.Unlinkat(dir.fd, name, unlinkFlags)
		return errnoOf(err)
	}
	h, n := s.childHandle(dir, name, fd, &st)
	s.put(n)
	e.Handle(h)
	encodeStat(e, &st)
	return 0
}

func (s *Server) create(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	dh, name := d.Handle(), string(d.BytesRef())
	flags, mode, uid, gid := int(d.U32()), d.U32(), d.U32(), d.U32()
	if !d.Done() || !validOpenFlags(flags, unix.O_EXCL) || flags&unix.O_DIRECTORY != 0 {
		return -1, unix.EINVAL
	}
	dir, errno := s.writeDir(dh, name, true)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(dir)
	perm := mode & 07777
	fd, err := openAt(dir.fd, name, flags|unix.O_CREAT|unix.O_EXCL, perm)
	if err == unix.EEXIST && flags&unix.O_EXCL == 0 {
		// An existing file is opened like Open would: walk, then reopen
		// through its node.
		var st unix.Stat_t
		pfd, err := openPath(dir.fd, name, &st)
		if err != nil {
			return -1, errnoOf(err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFREG {
			unix.Close(pfd)
			return -1, unix.EEXIST
		}
		h, n := s.childHandle(dir, name, pfd, &st)
		fd, errno := s.reopen(n, flags&^unix.O_EXCL)
		s.put(n)
		if errno != 0 {
			s.closeHandles([]proto.Handle{h})
			return -1, errno
		}
		e.Handle(h)
		encodeStat(e, &st)
		return fd, 0
	}
	if err != nil {
		return -1, errnoOf(err)
	}
	var fst unix.Stat_t
	if err := unix.Fstat(fd, &fst); err != nil {
		errno = errnoOf(err)
	} else {
		errno = s.finishNew(dir, name, uid, gid, perm, 0, &fst, e)
	}
	if errno != 0 {
		unix.Close(fd)
		return -1, errno
	}
	return fd, 0
}

func (s *Server) mkdir(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	dh, name := d.Handle(), string(d.BytesRef())
	mode, uid, gid := d.U32(), d.U32(), d.U32()
	if !d.Done() {
		return -1, unix.EINVAL
	}
	dir, errno := s.writeDir(dh, name, true)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(dir)
	if err := unix.Mkdirat(dir.fd, name, mode&07777); err != nil {
		return -1, errnoOf(err)
	}
	return -1, s.finishNew(dir, name, uid, gid, mode&07777, unix.AT_REMOVEDIR, nil, e)
}

func (s *Server) symlink(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	dh, name, target := d.Handle(), string(d.BytesRef()), string(d.BytesRef())
	uid, gid := d.U32(), d.U32()
	if !d.Done() {
		return -1, unix.EINVAL
	}
	if target == "" || len(target) > proto.MaxPath {
		return -1, unix.ENOENT
	}
	for i := 0; i < len(target); i++ {
		if target[i] == 0 {
			return -1, unix.EINVAL
		}
	}
	dir, errno := s.writeDir(dh, name, true)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(dir)
	if err := unix.Symlinkat(target, dir.fd, name); err != nil {
		return -1, errnoOf(err)
	}
	return -1, s.finishNew(dir, name, uid, gid, 0777, 0, nil, e)
}

func (s *Server) mknod(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	dh, name := d.Handle(), string(d.BytesRef())
	mode, uid, gid := d.U32(), d.U32(), d.U32()
	if !d.Done() {
		return -1, unix.EINVAL
	}
	if t := mode & unix.S_IFMT; t != unix.S_IFIFO && t != unix.S_IFSOCK {
		return -1, unix.EPERM
	}
	dir, errno := s.writeDir(dh, name, true)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(dir)
	if err := unix.Mknodat(dir.fd, name, mode&(unix.S_IFMT|07777), 0); err != nil {
		return -1, errnoOf(err)
	}
	return -1, s.finishNew(dir, name, uid, gid, mode&07777, 0, nil, e)
}

func (s *Server) link(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	dh, name, th := d.Handle(), string(d.BytesRef()), d.Handle()
	if !d.Done() {
		return -1, unix.EINVAL
	}
	dir, errno := s.writeDir(dh, name, true)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(dir)
	target, errno := s.lookup(th)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(target)
	if target.isDir() {
		return -1, unix.EPERM
	}
	// Linking the O_PATH descriptor itself is race-free but needs
	// CAP_DAC_READ_SEARCH; without it, link by name and check.
	err := unix.Linkat(target.fd, "", dir.fd, name, unix.AT_EMPTY_PATH)
	if err == unix.ENOENT || err == unix.EPERM {
		p, pname, errno := s.parentOf(target)
		if errno != 0 {
			return -1, errno
		}
		err = unix.Linkat(p.fd, pname, dir.fd, name, 0)
		s.put(p)
	}
	if err != nil {
		return -1, errnoOf(err)
	}
	var st unix.Stat_t
	fd, err := openPath(dir.fd, name, &st)
	if err != nil {
		return -1, errnoOf(err)
	}
	if !sameFile(target, &st) {
		unix.Close(fd)
		unix.Unlinkat(dir.fd, name, 0)
		return -1, unix.ESTALE
	}
	h, n := s.childHandle(dir, name, fd, &st)
	s.put(n)
	e.Handle(h)
	encodeStat(e, &st)
	return -1, 0
}

func (s *Server) unlink(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	dh, name, flags := d.Handle(), string(d.BytesRef()), int(d.U32())
	if !d.Done() || flags&^unix.AT_REMOVEDIR != 0 {
		return -1, unix.EINVAL
	}
	dir, errno := s.writeDir(dh, name, false)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(dir)
	if err := unix.Unlinkat(dir.fd, name, flags); err != nil {
		return -1, errnoOf(err)
	}
	s.detachChild(dir, name)
	return -1, 0
}

func (s *Server) rename(d *proto.Decoder, e *proto.Encoder) (int, unix.Errno) {
	oh, oname := d.Handle(), string(d.BytesRef())
	nh, nname := d.Handle(), string(d.BytesRef())
	flags := int(d.U32())
	const known = unix.RENAME_NOREPLACE | unix.RENAME_EXCHANGE
	if !d.Done() || flags&^known != 0 || flags == known {
		return -1, unix.EINVAL
	}
	odir, errno := s.writeDir(oh, oname, false)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(odir)
	ndir, errno := s.writeDir(nh, nname, false)
	if errno != 0 {
		return -1, errno
	}
	defer s.put(ndir)
	if err := unix.Renameat2(odir.fd, oname, ndir.fd, nname, uint(flags)); err != nil {
		return -1, errnoOf(err)
	}
	if flags&unix.RENAME_EXCHANGE == 0 {
		// Renaming a name onto another link of the same file does
		// nothing on Linux: both names stay, and so do their nodes.
		var st unix.Stat_t
		if unix.Fstatat(odir.fd, oname, &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
			return -1, 0
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	moved, other := odir.children[oname], ndir.children[nname]
	if moved == other {
		return -1, 0 // renamed onto itself (or both unknown)
	}
	if flags&unix.RENAME_EXCHANGE != 0 {
		if moved != nil {
			s.moveLocked(moved, ndir, nname)
		}
		if other != nil {
			s.moveLocked(other, odir, oname)
		}
		return -1, 0
	}
	if other != nil {
		s.detachLocked(other)
	}
	if moved != nil {
		s.moveLocked(moved, ndir, nname)
	}
	return -1, 0
}
