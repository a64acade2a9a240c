package proc

import (
	"fmt"
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// /proc/PID/ns: one magic link per namespace type, reading "TYPE:[INO]",
// that opens an nsfs inode whose number is the namespace's, so programs
// can tell whether two processes share a namespace (readlink, stat -L,
// fstat of an open link). The sandbox's namespaces are the sentry's: the
// PID namespaces of pod containers, their IPC namespaces, and one mount,
// network, UTS and cgroup namespace per sandbox. The user and time
// namespaces are the initial ones, as a runc container without a user
// namespace sees them (PROC_USER_INIT_INO, PROC_TIME_INIT_INO); the
// others get numbers from Linux's dynamic range. setns(2) is not
// supported; the open files answer NS_GET_NSTYPE.

// Linux's fixed inode numbers of the initial user and time namespaces.
const (
	userInitIno = 0xEFFFFFFD
	timeInitIno = 0xEFFFFFFA
)

// nsFirstIno is where Linux's proc_alloc_inum starts.
const nsFirstIno = 0xF0000000

// nsTypes lists the links of /proc/PID/ns in Linux's order, with the
// clone flag NS_GET_NSTYPE answers.
var nsTypes = []struct {
	name string
	flag uintptr
}{
	{"cgroup", unix.CLONE_NEWCGROUP}, {"ipc", unix.CLONE_NEWIPC}, {"mnt", unix.CLONE_NEWNS},
	{"net", unix.CLONE_NEWNET}, {"pid", unix.CLONE_NEWPID}, {"pid_for_children", unix.CLONE_NEWPID},
	{"time", unix.CLONE_NEWTIME}, {"time_for_children", unix.CLONE_NEWTIME},
	{"user", unix.CLONE_NEWUSER}, {"uts", unix.CLONE_NEWUTS},
}

// nsfs numbers the namespaces of one VFS (the sandbox's): a detached file
// system holding the inodes the links open.
type nsfs struct {
	mu   sync.Mutex
	inos map[any]uint64
	next uint64
}

const nsfsKey = "proc-nsfs"

// nsfsMagic is NSFS_MAGIC.
const nsfsMagic = 0x6e736673

// Name implements vfs.FilesystemImpl.Name.
func (*nsfs) Name() string { return "nsfs" }

// StatFS implements vfs.FilesystemImpl.StatFS.
func (*nsfs) StatFS(vfs.Context) (linux.Statfs, linux.Errno) {
	return linux.Statfs{Type: nsfsMagic, Bsize: 4096, Namelen: 255}, 0
}

// Release implements vfs.FilesystemImpl.Release.
func (*nsfs) Release() {}

// ino returns the number of the namespace key, assigning one on first use.
func (n *nsfs) ino(key any) uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	if i, ok := n.inos[key]; ok {
		return i
	}
	i := nsFirstIno + n.next
	n.next++
	n.inos[key] = i
	return i
}

// nsfsRoot is nsfs's root, which no path reaches.
type nsfsRoot struct{ vfs.InodeDefaults }

// Perms implements vfs.Inode.Perms.
func (nsfsRoot) Perms() vfs.Perms { return vfs.Perms{Mode: unix.S_IFDIR | 0o555} }

// Stat implements vfs.Inode.Stat.
func (nsfsRoot) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{Mask: linux.STATX_BASIC_STATS, Mode: unix.S_IFDIR | 0o555, Nlink: 2, Ino: 1}, 0
}

func (fs *filesystem) nsMount() (*vfs.Mount, *nsfs) {
	m := fs.v.AnonymousMount(nsfsKey, func() *vfs.Filesystem {
		return fs.v.NewFilesystem(&nsfs{inos: map[any]uint64{}}, nsfsRoot{})
	})
	return m, m.Filesystem().Impl().(*nsfs)
}

// nsKey is a namespace's identity in nsfs.
type nsKey struct {
	kind string
	obj  any
}

// nsIno returns the inode number of t's namespace of the given type.
func (fs *filesystem) nsIno(t *kernel.Task, name string) uint64 {
	var key nsKey
	switch name {
	case "user":
		return userInitIno
	case "time", "time_for_children":
		return timeInitIno
	case "ipc":
		key = nsKey{"ipc", t.IPCNamespace()}
	case "pid", "pid_for_children":
		key = nsKey{"pid", t.PIDNamespace()}
	default:
		// cgroup, mnt, net, uts: one each per sandbox.
		key = nsKey{name, fs.v}
	}
	_, n := fs.nsMount()
	return n.ino(key)
}

// nsDir is /proc/PID/ns.
type nsDir struct{ node }

func newNSDir(_ *taskDir, n node) vfs.Inode { return &nsDir{node: n} }

// Lookup implements vfs.Inode.Lookup.
func (d *nsDir) Lookup(ctx vfs.Context, name string) (vfs.Inode, linux.Errno) {
	if d.task() == nil {
		return nil, linux.ENOENT
	}
	for i, e := range nsTypes {
		if e.name == name {
			return d.newLink(i), 0
		}
	}
	return nil, linux.ENOENT
}

// Open implements vfs.Inode.Open.
func (d *nsDir) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	if d.task() == nil {
		return nil, linux.ENOENT
	}
	return &dirFile{list: d.list}, 0
}

func (d *nsDir) list(ctx vfs.Context, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	if d.task() == nil {
		return 0
	}
	var ents []vfs.Dirent
	for i, e := range nsTypes {
		ents = append(ents, vfs.Dirent{Name: e.name, Ino: d.linkIno(i), Type: vfs.DirentType(unix.S_IFLNK)})
	}
	return emitList(ents, off, emit)
}

// linkIno numbers link i; the task/TID bit of the directory's own number
// carries over.
func (d *nsDir) linkIno(i int) uint64 {
	return taskIno(inoNSLink, d.tid, d.ino&(1<<16)|uint64(i))
}

// newLink returns the magic link of nsTypes[i]: readlink needs the
// ptrace read access check, as Linux's proc_ns_readlink.
func (d *nsDir) newLink(i int) vfs.Inode {
	l := &magicLink{symlink: symlink{node: d.child(d.linkIno(i), unix.S_IFLNK|0o777)}}
	kind := nsTypes[i]
	ino := func(ctx vfs.Context) (uint64, linux.Errno) {
		t := l.task()
		if t == nil {
			return 0, linux.ENOENT
		}
		if err := mayAccessTask(ctx, t); err != 0 {
			return 0, err
		}
		return l.fs.nsIno(t, kind.name), 0
	}
	name := kind.name
	if n := len("_for_children"); len(name) > n && name[len(name)-n:] == "_for_children" {
		name = name[:len(name)-n]
	}
	l.target = func(ctx vfs.Context) (string, linux.Errno) {
		i, err := ino(ctx)
		if err != 0 {
			return "", err
		}
		return fmt.Sprintf("%s:[%d]", name, i), 0
	}
	l.resolve = func(ctx vfs.Context) (vfs.VirtualDentry, linux.Errno) {
		i, err := ino(ctx)
		if err != 0 {
			return vfs.VirtualDentry{}, err
		}
		m, _ := l.fs.nsMount()
		text := fmt.Sprintf("%s:[%d]", name, i)
		return l.fs.v.UnlinkedDentry(m, &nsInode{ino: i, flag: kind.flag, text: text}, text), 0
	}
	return l
}

// nsInode is a namespace as an nsfs file.
type nsInode struct {
	vfs.InodeDefaults
	ino  uint64
	flag uintptr
	// text is what links to it read: TYPE:[INO].
	text string
}

// Perms implements vfs.Inode.Perms.
func (n *nsInode) Perms() vfs.Perms { return vfs.Perms{Mode: unix.S_IFREG | 0o444} }

// Stat implements vfs.Inode.Stat.
func (n *nsInode) Stat(vfs.Context, uint32) (linux.Statx, linux.Errno) {
	return linux.Statx{Mask: linux.STATX_BASIC_STATS, Mode: unix.S_IFREG | 0o444, Nlink: 1, Ino: n.ino, Blksize: 4096}, 0
}

// Open implements vfs.Inode.Open.
func (n *nsInode) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	return &nsFile{flag: n.flag}, 0
}

// nsLinkText returns what /proc/PID/fd/N reads for a namespace file,
// TYPE:[INO]; ok is false for other files.
func nsLinkText(vd vfs.VirtualDentry) (string, bool) {
	n, ok := vd.Dentry().Inode().(*nsInode)
	if !ok {
		return "", false
	}
	return n.text, true
}

// nsFile is an open namespace: nsfs files cannot be read or written
// (EINVAL, as Linux's, which have no read or write method).
type nsFile struct {
	vfs.FileDefaults
	flag uintptr
}

// nsGetNSType is NS_GET_NSTYPE (_IO(0xb7, 0x3)).
const nsGetNSType = 0xb703

// Ioctl implements vfs.FileImpl.Ioctl: NS_GET_NSTYPE; the ioctls that
// lead to other namespaces (NS_GET_USERNS, NS_GET_PARENT, ...) are not
// supported.
func (f *nsFile) Ioctl(ctx vfs.Context, fd *vfs.FileDescription, mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	if cmd == nsGetNSType {
		return f.flag, 0
	}
	return 0, linux.ENOTTY
}
