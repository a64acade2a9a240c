package proc

import (
	"strconv"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// taskDir is /proc/TID or /proc/PID/task/TID.
type taskDir struct {
	node
	// thread is set under task/: files describe the thread alone rather
	// than its process, and there is no task/ subdirectory.
	thread bool
}

// newTaskDir returns the directory of t.
func (fs *filesystem) newTaskDir(t *kernel.Task, thread bool) *taskDir {
	tid := fs.ns.IDOfTask(t)
	d := &taskDir{
		node:   node{fs: fs, ino: taskIno(inoTaskDir, tid, 0), mode: unix.S_IFDIR | 0o555, tid: tid},
		thread: thread,
	}
	if thread {
		d.ino = taskIno(inoTaskDir, tid, 1)
		d.tgid = fs.ns.IDOfThreadGroup(t.ThreadGroup())
	}
	return d
}

// taskEntry describes one name in a task directory.
type taskEntry struct {
	name string
	// mode has the file type and permission bits.
	mode uint32
	// processOnly entries do not appear under task/TID.
	processOnly bool
	// make returns the inode; n has its identity filled in.
	make func(d *taskDir, n node) vfs.Inode
}

// taskEntries lists a task directory, in order.
var taskEntries = []taskEntry{
	{"auxv", unix.S_IFREG | 0o400, false, fileOf(genAuxv, nil)},
	{"cgroup", unix.S_IFREG | 0o444, false, fileOf(genCgroup, nil)},
	{"cmdline", unix.S_IFREG | 0o444, false, fileOf(genCmdline, nil)},
	{"comm", unix.S_IFREG | 0o644, false, fileOf(genComm, writeComm)},
	{"cwd", unix.S_IFLNK | 0o777, false, newCwdLink},
	{"environ", unix.S_IFREG | 0o400, false, fileOf(genEnviron, nil)},
	{"exe", unix.S_IFLNK | 0o777, false, newExeLink},
	{"fd", unix.S_IFDIR | 0o500, false, newFDDir(false)},
	{"fdinfo", unix.S_IFDIR | 0o500, false, newFDDir(true)},
	{"gid_map", unix.S_IFREG | 0o644, false, fileOf(genIDMap, writeIDMap)},
	{"limits", unix.S_IFREG | 0o444, false, fileOf(genLimits, nil)},
	{"maps", unix.S_IFREG | 0o444, false, fileOf(genMaps, nil)},
	{"mountinfo", unix.S_IFREG | 0o444, false, mountsFile(true)},
	{"mounts", unix.S_IFREG | 0o444, false, mountsFile(false)},
	{"ns", unix.S_IFDIR | 0o511, false, newNSDir},
	{"oom_score_adj", unix.S_IFREG | 0o644, false, oomScoreAdjFile},
	{"personality", unix.S_IFREG | 0o400, false, fileOf(genPersonality, nil)},
	{"projid_map", unix.S_IFREG | 0o644, false, fileOf(genIDMap, writeIDMap)},
	{"root", unix.S_IFLNK | 0o777, false, newRootLink},
	{"setgroups", unix.S_IFREG | 0o644, false, fileOf(genSetgroups, writeSetgroups)},
	{"smaps_rollup", unix.S_IFREG | 0o444, false, fileOf(genSmapsRollup, nil)},
	{"stat", unix.S_IFREG | 0o444, false, statFile},
	{"statm", unix.S_IFREG | 0o444, false, fileOf(genStatm, nil)},
	{"status", unix.S_IFREG | 0o444, false, statusFile},
	{"task", unix.S_IFDIR | 0o555, true, newThreadsDir},
	{"uid_map", unix.S_IFREG | 0o644, false, fileOf(genIDMap, writeIDMap)},
}

// fileOf returns a taskEntry constructor for a generated file.
func fileOf(gen generator, w writer) func(*taskDir, node) vfs.Inode {
	return func(_ *taskDir, n node) vfs.Inode { return &genFile{node: n, gen: gen, write: w} }
}

// entries returns the entries of d with their indexes in taskEntries.
func (d *taskDir) entries() []int {
	var out []int
	for i, e := range taskEntries {
		if !(d.thread && e.processOnly) {
			out = append(out, i)
		}
	}
	return out
}

// entryNode returns the identity of entry i of d.
func (d *taskDir) entryNode(i int) node {
	n := uint64(i)
	if d.thread {
		n |= 1 << 16
	}
	return d.child(taskIno(inoTaskFile, d.tid, n), taskEntries[i].mode)
}

// Lookup implements vfs.Inode.Lookup.
func (d *taskDir) Lookup(ctx vfs.Context, name string) (vfs.Inode, linux.Errno) {
	if d.task() == nil {
		return nil, linux.ENOENT
	}
	for _, i := range d.entries() {
		if taskEntries[i].name == name {
			return taskEntries[i].make(d, d.entryNode(i)), 0
		}
	}
	return nil, linux.ENOENT
}

// Open implements vfs.Inode.Open.
func (d *taskDir) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	if d.task() == nil {
		return nil, linux.ENOENT
	}
	return &dirFile{list: d.list}, 0
}

// list implements lister.
func (d *taskDir) list(ctx vfs.Context, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	if d.task() == nil {
		return 0
	}
	var ents []vfs.Dirent
	for _, i := range d.entries() {
		n := d.entryNode(i)
		ents = append(ents, vfs.Dirent{Name: taskEntries[i].name, Ino: n.ino, Type: vfs.DirentType(n.mode & unix.S_IFMT)})
	}
	return emitList(ents, off, emit)
}

// threadsDir is /proc/PID/task: one directory per thread of the process.
type threadsDir struct {
	node
}

func newThreadsDir(d *taskDir, n node) vfs.Inode { return &threadsDir{node: n} }

// Lookup implements vfs.Inode.Lookup.
func (d *threadsDir) Lookup(ctx vfs.Context, name string) (vfs.Inode, linux.Errno) {
	leader := d.task()
	tid, ok := parseID(name)
	if leader == nil || !ok {
		return nil, linux.ENOENT
	}
	t := d.fs.ns.TaskWithID(tid)
	if t == nil || t.ThreadGroup() != leader.ThreadGroup() {
		return nil, linux.ENOENT
	}
	return d.fs.newTaskDir(t, true), 0
}

// Open implements vfs.Inode.Open.
func (d *threadsDir) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	if d.task() == nil {
		return nil, linux.ENOENT
	}
	return &dirFile{list: d.list}, 0
}

// list implements lister: thread TID lists at offset 2+TID.
func (d *threadsDir) list(ctx vfs.Context, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	t := d.task()
	if t == nil {
		return 0
	}
	for _, th := range t.ThreadGroup().Threads() {
		tid := d.fs.ns.IDOfTask(th)
		if int64(tid)+2 < off {
			continue
		}
		e := vfs.Dirent{Name: strconv.Itoa(int(tid)), Ino: taskIno(inoTaskDir, tid, 1), Type: unix.DT_DIR, NextOff: int64(tid) + 3}
		if !emit(e) {
			break
		}
	}
	return 0
}
