package proc

import (
	"slices"
	"strconv"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// child is a named entry of a static directory.
type child struct {
	name  string
	inode vfs.Inode
}

// staticDir is a directory with a fixed list of children.
type staticDir struct {
	node
	children []child
}

// Lookup implements vfs.Inode.Lookup.
func (d *staticDir) Lookup(ctx vfs.Context, name string) (vfs.Inode, linux.Errno) {
	for _, c := range d.children {
		if c.name == name {
			return c.inode, 0
		}
	}
	return nil, linux.ENOENT
}

// Open implements vfs.Inode.Open.
func (d *staticDir) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	return &dirFile{list: d.list}, 0
}

// list implements lister.
func (d *staticDir) list(ctx vfs.Context, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	return emitList(direntsOf(d.children), off, emit)
}

// direntsOf returns the directory entries of cs.
func direntsOf(cs []child) []vfs.Dirent {
	ents := make([]vfs.Dirent, len(cs))
	for i, c := range cs {
		ents[i] = vfs.Dirent{Name: c.name, Ino: inoOf(c.inode), Type: vfs.DirentType(c.inode.Perms().Type())}
	}
	return ents
}

// inoOf returns a procfs inode's number.
func inoOf(i vfs.Inode) uint64 {
	if n, ok := i.(interface{ nodeIno() uint64 }); ok {
		return n.nodeIno()
	}
	return 0
}

// nodeIno returns the inode number (for directory listings).
func (n *node) nodeIno() uint64 { return n.ino }

// rootDir is /proc: static entries, then one directory per process.
type rootDir struct {
	staticDir
}

// pidOffset is the directory offset of process directory 0; process P
// lists at pidOffset+P, so a listing resumes correctly while processes
// come and go.
const pidOffset = 1 << 32

// Lookup implements vfs.Inode.Lookup. Every thread ID resolves, as in
// Linux, but only processes are listed.
func (d *rootDir) Lookup(ctx vfs.Context, name string) (vfs.Inode, linux.Errno) {
	if tid, ok := parseID(name); ok {
		t := d.fs.ns.TaskWithID(tid)
		if t == nil {
			if t = d.fs.processTask(tid); t == nil {
				return nil, linux.ENOENT
			}
		}
		dir := d.fs.newTaskDir(t, false)
		dir.tid = tid
		dir.ino = taskIno(inoTaskDir, tid, 0)
		return dir, 0
	}
	return d.staticDir.Lookup(ctx, name)
}

// Open implements vfs.Inode.Open.
func (d *rootDir) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	return &dirFile{list: d.list}, 0
}

// list implements lister.
func (d *rootDir) list(ctx vfs.Context, off int64, emit func(vfs.Dirent) bool) linux.Errno {
	stop := false
	if off < pidOffset {
		ents := direntsOf(d.children)
		emitList(ents, off, func(e vfs.Dirent) bool {
			stop = !emit(e)
			return !stop
		})
		if stop {
			return 0
		}
		off = pidOffset
	}
	for _, pid := range processIDs(d.fs.ns) {
		if pidOffset+int64(pid) < off {
			continue
		}
		e := vfs.Dirent{
			Name:    strconv.Itoa(int(pid)),
			Ino:     taskIno(inoTaskDir, pid, 0),
			Type:    unix.DT_DIR,
			NextOff: pidOffset + int64(pid) + 1,
		}
		if !emit(e) {
			break
		}
	}
	return 0
}

// processIDs returns the PIDs, in ns, of the processes ns sees, sorted.
func processIDs(ns *kernel.PIDNamespace) []int32 {
	var pids []int32
	for _, tg := range ns.ThreadGroups() {
		if pid := ns.IDOfThreadGroup(tg); pid > 0 {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	return pids
}

// processTask returns a live thread of the process whose PID is id once
// its leader has exited (pthread_exit in main): Linux keeps /proc/PID of
// such a process, and the sentry shows it through the thread with the
// lowest TID. Nil if there is no such process.
func (fs *filesystem) processTask(id int32) *kernel.Task {
	tg := fs.ns.ThreadGroupWithID(id)
	if tg == nil {
		return nil
	}
	var best *kernel.Task
	for _, t := range tg.Threads() {
		if best == nil || fs.ns.IDOfTask(t) < fs.ns.IDOfTask(best) {
			best = t
		}
	}
	return best
}

// parseID parses a decimal PID, TID or fd without sign or leading zeros.
func parseID(s string) (int32, bool) {
	if s == "" || len(s) > 10 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return int32(n), true
}
