package proc

import (
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/fs/pipe"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// AnonInodeNamer is implemented by FileImpls of files without a path
// (eventfd, epoll, timerfd, signalfd, ...) to name themselves in
// /proc/PID/fd: the link reads "anon_inode:" followed by the name, which
// includes Linux's brackets where Linux has them ("[eventfd]").
type AnonInodeNamer interface {
	AnonInodeName() string
}

// fdDir is /proc/PID/fd (links to open files) or /proc/PID/fdinfo.
type fdDir struct {
	node
	info bool
}

// newFDDir returns the taskEntry constructor of fd/ or fdinfo/.
func newFDDir(info bool) func(*taskDir, node) vfs.Inode {
	return func(_ *taskDir, n node) vfs.Inode { return &fdDir{node: n, info: info} }
}

// table returns the task's fd table after the access check.
func (d *fdDir) table(ctx vfs.Context) (*kernel.Task, *kernel.FDTable, linux.Errno) {
	t := d.task()
	if t == nil {
		return nil, nil, linux.ENOENT
	}
	if err := mayAccessTask(ctx, t); err != 0 {
		return nil, nil, err
	}
	ft := t.FDTable()
	if ft == nil {
		return nil, nil, linux.ENOENT
	}
	return t, ft, 0
}

// Lookup implements vfs.Inode.Lookup.
func (d *fdDir) Lookup(ctx vfs.Context, name string) (vfs.Inode, linux.Errno) {
	_, ft, err := d.table(ctx)
	if err != 0 {
		return nil, err
	}
	fd, ok := parseID(name)
	if !ok {
		return nil, linux.ENOENT
	}
	f, _, err := ft.Get(fd)
	if err != 0 {
		return nil, linux.ENOENT
	}
	// The link's mode shows the access mode the file was opened with.
	mode := uint32(unix.S_IFLNK)
	if f.IsReadable() {
		mode |= 0o500
	}
	if f.IsWritable() {
		mode |= 0o300
	}
	f.DecRef()
	if d.info {
		n := d.child(taskIno(inoFDInfo, d.tid, uint64(fd)), unix.S_IFREG|0o400)
		return &fdInfoFile{genFile: genFile{node: n, gen: fdInfoGen(fd)}, fd: fd}, 0
	}
	n := d.child(taskIno(inoFDLink, d.tid, uint64(fd)), mode)
	return d.fs.newFDLink(n, fd), 0
}

// Open implements vfs.Inode.Open.
func (d *fdDir) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	if _, _, err := d.table(ctx); err != 0 {
		return nil, err
	}
	return &dirFile{list: d.list}, 0
}

// list implements lister: fd N lists at offset 2+N.
func (d *fdDir) list(ctx vfs.Context, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	_, ft, err := d.table(ctx)
	if err != 0 {
		return err
	}
	kind, typ := uint64(inoFDLink), uint8(unix.DT_LNK)
	if d.info {
		kind, typ = inoFDInfo, unix.DT_REG
	}
	var ents []vfs.Dirent
	ft.ForEach(func(fd int32, _ *vfs.FileDescription, _ kernel.FDFlags) {
		if int64(fd)+2 >= off {
			ents = append(ents, vfs.Dirent{Name: strconv.Itoa(int(fd)), Ino: taskIno(kind, d.tid, uint64(fd)), Type: typ, NextOff: int64(fd) + 3})
		}
	})
	for _, e := range ents {
		if !emit(e) {
			break
		}
	}
	return 0
}

// openFile returns the task's open file fd with a reference, after the
// access check.
func (fs *filesystem) openFile(ctx vfs.Context, t *kernel.Task, fd int32) (*vfs.FileDescription, kernel.FDFlags, linux.Errno) {
	if err := mayAccessTask(ctx, t); err != 0 {
		return nil, kernel.FDFlags{}, err
	}
	ft := t.FDTable()
	if ft == nil {
		return nil, kernel.FDFlags{}, linux.ENOENT
	}
	f, flags, err := ft.Get(fd)
	if err != 0 {
		return nil, kernel.FDFlags{}, linux.ENOENT
	}
	return f, flags, 0
}

// newFDLink returns the magic link /proc/PID/fd/N.
func (fs *filesystem) newFDLink(n node, fd int32) vfs.Inode {
	l := &fdLink{magicLink: magicLink{symlink: symlink{node: n}}, fd: fd}
	l.target = func(ctx vfs.Context) (string, linux.Errno) {
		t := l.task()
		if t == nil {
			return "", linux.ENOENT
		}
		f, _, err := fs.openFile(ctx, t, fd)
		if err != 0 {
			return "", err
		}
		defer f.DecRef()
		if vd := f.VirtualDentry(); vd.Ok() && !pipe.InPipefs(vd) {
			if text, ok := nsLinkText(vd); ok {
				return text, 0
			}
			return fs.pathOf(ctx, t, vd), 0
		}
		return anonName(ctx, f), 0
	}
	l.resolve = func(ctx vfs.Context) (vfs.VirtualDentry, linux.Errno) {
		t := l.task()
		if t == nil {
			return vfs.VirtualDentry{}, linux.ENOENT
		}
		f, _, err := fs.openFile(ctx, t, fd)
		if err != 0 {
			return vfs.VirtualDentry{}, err
		}
		defer f.DecRef()
		vd := f.VirtualDentry()
		if !vd.Ok() {
			if pvd, ok := pipe.ReopenTarget(t.Kernel().VFS(), f); ok {
				return pvd, 0 // opens the same pipe again
			}
			return vfs.VirtualDentry{}, linux.ENXIO
		}
		return vd, 0
	}
	return l
}

// anonName is the link text of a file without a path.
func anonName(ctx vfs.Context, f *vfs.FileDescription) string {
	if n, ok := f.Impl().(AnonInodeNamer); ok {
		return "anon_inode:" + n.AnonInodeName()
	}
	st, err := f.Stat(ctx, linux.STATX_TYPE|linux.STATX_INO)
	if err == 0 {
		switch uint32(st.Mode) & unix.S_IFMT {
		case unix.S_IFIFO:
			return fmt.Sprintf("pipe:[%d]", st.Ino)
		case unix.S_IFSOCK:
			return fmt.Sprintf("socket:[%d]", st.Ino)
		case 0:
			// Anonymous inodes have no file type.
		default:
			// A host file handed to the sandbox (stdio, donated fds):
			// its host path is not the sandbox's business.
			return fmt.Sprintf("host:[%d]", st.Ino)
		}
	}
	return "anon_inode:[unknown]"
}

// fdLink is /proc/PID/fd/N.
type fdLink struct {
	magicLink
	fd int32
}

// Stat implements vfs.Inode.Stat: ENOENT once the fd is closed (the vfs
// keeps the dentry cached).
func (l *fdLink) Stat(ctx vfs.Context, mask uint32) (linux.Statx, linux.Errno) {
	if !fdOpen(l.task(), l.fd) {
		return linux.Statx{}, linux.ENOENT
	}
	return l.node.Stat(ctx, mask)
}

// fdInfoFile is /proc/PID/fdinfo/N.
type fdInfoFile struct {
	genFile
	fd int32
}

// Stat implements vfs.Inode.Stat like fdLink.Stat.
func (f *fdInfoFile) Stat(ctx vfs.Context, mask uint32) (linux.Statx, linux.Errno) {
	if !fdOpen(f.task(), f.fd) {
		return linux.Statx{}, linux.ENOENT
	}
	return f.node.Stat(ctx, mask)
}

// fdOpen reports whether t has fd open.
func fdOpen(t *kernel.Task, fd int32) bool {
	if t == nil || t.FDTable() == nil {
		return false
	}
	f, _, err := t.FDTable().Get(fd)
	if err != 0 {
		return false
	}
	f.DecRef()
	return true
}

// fdInfoGen returns the generator of /proc/PID/fdinfo/N.
func fdInfoGen(fd int32) generator {
	return func(ctx vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
		ft := t.FDTable()
		if ft == nil {
			return nil, linux.ENOENT
		}
		f, flags, err := ft.Get(fd)
		if err != 0 {
			return nil, linux.ENOENT
		}
		defer f.DecRef()
		var info fdInfo
		info.Pos = f.Offset()
		info.Flags = f.StatusFlags()
		if flags.CloseOnExec {
			info.Flags |= unix.O_CLOEXEC
		}
		if m := f.Mount(); m != nil {
			info.MntID = m.ID()
		}
		if st, err := f.Stat(ctx, linux.STATX_INO); err == 0 {
			info.Ino = st.Ino
		}
		return formatFDInfo(info), 0
	}
}
