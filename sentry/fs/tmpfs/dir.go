package tmpfs

import (
	"sort"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

// dirent is one name in a directory. serial orders entries for getdents:
// it only grows, so an offset stays valid across changes.
type dirent struct {
	name   string
	inode  tmpfsInode
	serial int64
}

// dirInode is a directory.
type dirInode struct {
	vfs.InodeDefaults
	inode

	// dirMu guards the fields below. It comes before inode.mu.
	dirMu sync.Mutex
	// byName indexes entries; list holds them by increasing serial.
	byName     map[string]*dirent
	list       []*dirent
	nextSerial int64
	// parent is the containing directory (nil for the root); it only
	// feeds link counts.
	parent *dirInode
	// entries counts byName for Stat, which must not take dirMu.
	entries atomic.Int64
}

// bogoDirentSize is what each entry adds to a directory's size, as in
// Linux's shmem (BOGO_DIRENT_SIZE): an empty directory is 40 bytes ("."
// and ".."), and directories have no blocks.
const bogoDirentSize = 20

func (fs *Filesystem) newDir(mode uint32, uid auth.KUID, gid auth.KGID, parent *dirInode) *dirInode {
	d := &dirInode{byName: make(map[string]*dirent), nextSerial: 2, parent: parent}
	d.init(fs, unix.S_IFDIR|mode&07777, uid, gid)
	d.nlink = 2
	fs.inodes.Add(1)
	return d
}

// Stat implements vfs.Inode.Stat.
func (d *dirInode) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.statLocked()
	st.Size = uint64(2+d.entries.Load()) * bogoDirentSize
	st.Blocks = 0
	return st, 0
}

// SetStat implements vfs.Inode.SetStat.
func (d *dirInode) SetStat(_ vfs.Context, opts *vfs.SetStatOptions) linux.Errno {
	if opts.Mask&linux.STATX_SIZE != 0 {
		return linux.EISDIR
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.setStatLocked(opts)
	return 0
}

// Open implements vfs.Inode.Open.
func (d *dirInode) Open(vfs.Context, vfs.VirtualDentry, uint32) (vfs.FileImpl, linux.Errno) {
	return &dirFile{dir: d}, 0
}

// Lookup implements vfs.Inode.Lookup.
func (d *dirInode) Lookup(_ vfs.Context, name string) (vfs.Inode, linux.Errno) {
	d.dirMu.Lock()
	defer d.dirMu.Unlock()
	if e := d.byName[name]; e != nil {
		return e.inode, 0
	}
	return nil, linux.ENOENT
}

// addLocked inserts a new entry.
//
// Preconditions:
// - d.dirMu is held; name is free.
func (d *dirInode) addLocked(name string, child tmpfsInode) {
	e := &dirent{name: name, inode: child, serial: d.nextSerial}
	d.nextSerial++
	d.byName[name] = e
	d.entries.Add(1)
	d.list = append(d.list, e)
	if c, ok := child.(*dirInode); ok {
		c.parent = d
		d.mu.Lock()
		d.nlink++
		d.mu.Unlock()
	}
	d.touchCMTime()
}

// removeLocked drops the entry name.
//
// Preconditions:
// - d.dirMu is held; name exists.
func (d *dirInode) removeLocked(name string) tmpfsInode {
	e := d.byName[name]
	delete(d.byName, name)
	d.entries.Add(-1)
	i := sort.Search(len(d.list), func(i int) bool { return d.list[i].serial >= e.serial })
	d.list = append(d.list[:i], d.list[i+1:]...)
	if _, ok := e.inode.(*dirInode); ok {
		d.mu.Lock()
		d.nlink--
		d.mu.Unlock()
	}
	d.touchCMTime()
	return e.inode
}

// insert adds child as name unless name exists.
func (d *dirInode) insert(name string, child tmpfsInode) linux.Errno {
	d.dirMu.Lock()
	defer d.dirMu.Unlock()
	if d.byName[name] != nil {
		return linux.EEXIST
	}
	d.addLocked(name, child)
	return 0
}

// Create implements vfs.Inode.Create.
func (d *dirInode) Create(_ vfs.Context, name string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	if err := d.fs.reserveInode(); err != 0 {
		return nil, err
	}
	f := d.fs.newRegular(opts.Mode, opts.UID, opts.GID)
	if err := d.insert(name, f); err != 0 {
		d.fs.inodes.Add(-1)
		return nil, err
	}
	return f, 0
}

// Mkdir implements vfs.Inode.Mkdir.
func (d *dirInode) Mkdir(_ vfs.Context, name string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	if err := d.fs.reserveInode(); err != 0 {
		return nil, err
	}
	d.fs.inodes.Add(-1) // newDir counts it.
	c := d.fs.newDir(opts.Mode, opts.UID, opts.GID, d)
	if err := d.insert(name, c); err != 0 {
		d.fs.inodes.Add(-1)
		return nil, err
	}
	return c, 0
}

// Mknod implements vfs.Inode.Mknod.
func (d *dirInode) Mknod(_ vfs.Context, name string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	if err := d.fs.reserveInode(); err != 0 {
		return nil, err
	}
	n := &nodeInode{}
	n.init(d.fs, opts.Mode, opts.UID, opts.GID)
	n.rdev = opts.Dev
	if err := d.insert(name, n); err != 0 {
		d.fs.inodes.Add(-1)
		return nil, err
	}
	return n, 0
}

// Symlink implements vfs.Inode.Symlink.
func (d *dirInode) Symlink(_ vfs.Context, name, target string, opts vfs.CreateOptions) (vfs.Inode, linux.Errno) {
	if err := d.fs.reserveInode(); err != 0 {
		return nil, err
	}
	s := &symlinkInode{target: target}
	s.init(d.fs, unix.S_IFLNK|0o777, opts.UID, opts.GID)
	if err := d.insert(name, s); err != 0 {
		d.fs.inodes.Add(-1)
		return nil, err
	}
	return s, 0
}

// Link implements vfs.Inode.Link.
func (d *dirInode) Link(_ vfs.Context, name string, target vfs.Inode) linux.Errno {
	t, ok := target.(tmpfsInode)
	if !ok || t.base().fs != d.fs {
		return linux.EXDEV
	}
	b := t.base()
	r, _ := t.(*regularInode)
	b.mu.Lock()
	nlink := b.nlink
	// An O_TMPFILE file may get a first name.
	tmpfile := r != nil && nlink == 0 && r.linkable
	b.mu.Unlock()
	if nlink == 0 && !tmpfile {
		return linux.ENOENT
	}
	if nlink >= maxLinks {
		return linux.EMLINK
	}
	if err := d.insert(name, t); err != 0 {
		return err
	}
	b.mu.Lock()
	if tmpfile {
		r.linkable = false
	}
	b.mu.Unlock()
	b.incLinks()
	return 0
}

// maxLinks is the most hard links a file may have.
const maxLinks = 1<<31 - 1

// Unlink implements vfs.Inode.Unlink.
func (d *dirInode) Unlink(_ vfs.Context, name string, _ vfs.Inode) linux.Errno {
	d.dirMu.Lock()
	if d.byName[name] == nil {
		d.dirMu.Unlock()
		return linux.ENOENT
	}
	c := d.removeLocked(name)
	d.dirMu.Unlock()
	dropLink(c)
	return 0
}

// dropLink decrements c's link count and frees it when unused.
func dropLink(c tmpfsInode) {
	if c.base().decLinks() == 0 {
		if r, ok := c.(*regularInode); ok {
			r.maybeFree()
		} else {
			c.base().fs.inodes.Add(-1)
		}
	}
}

// isEmpty reports whether d has no entries.
func (d *dirInode) isEmpty() bool {
	d.dirMu.Lock()
	defer d.dirMu.Unlock()
	return len(d.byName) == 0
}

// Rmdir implements vfs.Inode.Rmdir.
func (d *dirInode) Rmdir(_ vfs.Context, name string, child vfs.Inode) linux.Errno {
	c, ok := child.(*dirInode)
	if !ok {
		return linux.ENOTDIR
	}
	if !c.isEmpty() {
		return linux.ENOTEMPTY
	}
	d.dirMu.Lock()
	if d.byName[name] == nil {
		d.dirMu.Unlock()
		return linux.ENOENT
	}
	d.removeLocked(name)
	d.dirMu.Unlock()
	c.mu.Lock()
	c.nlink = 0
	c.ctime = d.fs.now()
	c.mu.Unlock()
	d.fs.inodes.Add(-1)
	return 0
}
