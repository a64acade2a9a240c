package proc

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/pipe"
	"moat/sentry/kernel"
	"moat/sentry/mm"
	"moat/sentry/vfs"
)

// builder allocates the static inodes of an instance.
type builder struct {
	fs  *filesystem
	ino uint64
}

func (b *builder) node(mode uint32) node {
	b.ino++
	return node{fs: b.fs, ino: b.ino, mode: mode}
}

// file returns a read-only file (mode 0444).
func (b *builder) file(gen generator) *genFile {
	return &genFile{node: b.node(unix.S_IFREG | 0o444), gen: gen}
}

// text returns a read-only file that renders fn.
func (b *builder) text(fn func() string) *genFile {
	return b.file(func(vfs.Context, *kernel.Task) ([]byte, linux.Errno) { return []byte(fn() + "\n"), 0 })
}

// link returns a symlink whose target fn computes.
func (b *builder) link(fn func(ctx vfs.Context) (string, linux.Errno)) *symlink {
	return &symlink{node: b.node(unix.S_IFLNK | 0o777), target: fn}
}

// dir returns a directory of children.
func (b *builder) dir(children ...child) *staticDir {
	return &staticDir{node: b.node(unix.S_IFDIR | 0o555), children: children}
}

// newRoot builds /proc's static tree.
func (fs *filesystem) newRoot() vfs.Inode {
	b := &builder{fs: fs}
	root := &rootDir{staticDir{node: b.node(unix.S_IFDIR | 0o555)}}
	root.children = []child{
		{"cgroups", b.file(fs.genCgroups)},
		{"cpuinfo", b.file(fs.genCPUInfo)},
		{"filesystems", b.text(func() string { return strings.TrimSuffix(filesystemsText, "\n") })},
		{"loadavg", b.file(fs.genLoadavg)},
		{"meminfo", b.file(fs.genMeminfo)},
		{"mounts", b.link(func(vfs.Context) (string, linux.Errno) { return "self/mounts", 0 })},
		{"net", fs.newNet(b)},
		{"self", b.link(fs.selfTarget)},
		{"stat", b.file(fs.genStat)},
		{"sys", fs.newSys(b)},
		{"sysvipc", fs.newSysvipc(b)},
		{"thread-self", b.link(fs.threadSelfTarget)},
		{"uptime", b.file(fs.genUptime)},
		{"version", b.file(fs.genVersion)},
	}
	return root
}

// selfTarget is /proc/self's target: the caller's PID (in the instance's
// namespace; none for a caller it does not see).
func (fs *filesystem) selfTarget(ctx vfs.Context) (string, linux.Errno) {
	t := callerTask(ctx)
	if t == nil {
		return "", linux.ENOENT
	}
	pid := fs.ns.IDOfThreadGroup(t.ThreadGroup())
	if pid == 0 {
		return "", linux.ENOENT
	}
	return strconv.Itoa(int(pid)), 0
}

// threadSelfTarget is /proc/thread-self's target: PID/task/TID.
func (fs *filesystem) threadSelfTarget(ctx vfs.Context) (string, linux.Errno) {
	pid, errno := fs.selfTarget(ctx)
	if errno != 0 {
		return "", errno
	}
	return pid + "/task/" + strconv.Itoa(int(fs.ns.IDOfTask(callerTask(ctx)))), 0
}

func (fs *filesystem) genCPUInfo(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
	return formatCPUInfo(fs.host.CPUInfo, fs.k.CPUs()), 0
}

func (fs *filesystem) genMeminfo(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
	live := fs.live()
	l := fs.host.MemoryLimit
	if r, ok := fs.k.Resources(); ok { // a container's limit, which runsc update changes
		l = r.MemoryLimit
	}
	if l > 0 && (!live.Valid || l < live.TotalRAM) {
		return formatMeminfo(limitedMeminfo(l, fs.sandboxMemory()), LiveStats{}), 0
	}
	return formatMeminfo(fs.host.Meminfo, live), 0
}

// sandboxMemory estimates the memory the sandbox's processes use: the sum
// of their resident estimates, each address space counted once.
func (fs *filesystem) sandboxMemory() uint64 {
	seen := make(map[*mm.MemoryManager]bool)
	var n uint64
	for _, t := range fs.k.Tasks() {
		if m := t.MM(); m != nil && !seen[m] {
			seen[m] = true
			n += m.Usage().Resident
		}
	}
	return n
}

func (fs *filesystem) genLoadavg(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
	tasks := fs.k.Tasks()
	return formatLoadavg(fs.live().Loads, min(len(tasks), 1), len(tasks), fs.k.LastTID()), 0
}

// busyTime sums the CPU time of every task.
func (fs *filesystem) busyTime() (user, sys time.Duration, tasks int) {
	ts := fs.k.Tasks()
	for _, t := range ts {
		u, s := t.CPUTime()
		user += u
		sys += s
	}
	return user, sys, len(ts)
}

// idleTime is the CPU time not spent by tasks since boot, summed over CPUs.
func (fs *filesystem) idleTime(up, busy time.Duration) time.Duration {
	return max(up*time.Duration(fs.k.CPUs())-busy, 0)
}

func (fs *filesystem) genUptime(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
	up := time.Since(fs.k.BootTime())
	u, s, _ := fs.busyTime()
	return formatUptime(up, fs.idleTime(up, u+s)), 0
}

func (fs *filesystem) genStat(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
	up := time.Since(fs.k.BootTime())
	u, s, n := fs.busyTime()
	return formatProcStat(procStat{
		CPUs:      fs.k.CPUs(),
		Total:     cpuTimes{User: toTicks(u), System: toTicks(s), Idle: toTicks(fs.idleTime(up, u+s))},
		BootTime:  fs.k.BootTime(),
		Processes: uint64(max(fs.k.LastTID(), 0)),
		Running:   min(n, 1),
	}), 0
}

// uname returns the host's release and version, which the sandbox
// reports as its own (as uname(2) does).
func (fs *filesystem) uname() (release, version string) {
	if fs.host.Release != "" {
		return fs.host.Release, fs.host.Version
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", ""
	}
	return unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Version[:])
}

func (fs *filesystem) genVersion(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
	r, v := fs.uname()
	return formatVersion(r, v), 0
}

// newSys builds /proc/sys.
func (fs *filesystem) newSys(b *builder) *staticDir {
	hostname := &genFile{
		node: b.node(unix.S_IFREG | 0o644),
		gen: func(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
			return []byte(fs.k.Hostname() + "\n"), 0
		},
		write: fs.writeHostname,
	}
	domainname := &genFile{
		node: b.node(unix.S_IFREG | 0o644),
		gen: func(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
			return []byte(fs.k.Domainname() + "\n"), 0
		},
		write: fs.writeDomainname,
	}
	return b.dir(
		child{"fs", b.dir(
			child{"mqueue", fs.mqueueSysctls(b)},
			child{"nr_open", b.text(func() string { return strconv.Itoa(kernel.MaxNOFILE) })},
			// The cap F_SETPIPE_SZ grants; fixed in the sandbox.
			child{"pipe-max-size", b.text(func() string { return strconv.Itoa(pipe.MaxSize) })},
		)},
		child{"kernel", b.dir(sortedChildren(append([]child{
			{"cap_last_cap", b.text(func() string { return strconv.Itoa(auth.CapLastCap) })},
			{"domainname", domainname},
			{"hostname", hostname},
			{"ngroups_max", b.text(func() string { return "65536" })},
			{"osrelease", b.text(func() string { r, _ := fs.uname(); return r })},
			{"ostype", b.text(func() string { return "Linux" })},
			{"pid_max", b.text(func() string { return strconv.Itoa(kernel.PIDMax) })},
			{"random", b.dir(
				child{"boot_id", b.text(func() string { return fs.bootID })},
				child{"uuid", b.text(newUUID)},
			)},
		}, fs.ipcSysctls(b)...))...)},
		child{"net", &netDir{node: b.node(unix.S_IFDIR | 0o555)}},
		child{"vm", b.dir(
			child{"overcommit_memory", b.text(func() string {
				if fs.host.OvercommitMemory == "" {
					return "0"
				}
				return fs.host.OvercommitMemory
			})},
		)},
	)
}

// writeHostname implements writes to /proc/sys/kernel/hostname, which
// need CAP_SYS_ADMIN, like sethostname(2).
func (fs *filesystem) writeHostname(ctx vfs.Context, _ *kernel.Task, data []byte) linux.Errno {
	return writeUTSName(ctx, data, fs.k.SetHostname)
}

// writeDomainname implements writes to /proc/sys/kernel/domainname.
func (fs *filesystem) writeDomainname(ctx vfs.Context, _ *kernel.Task, data []byte) linux.Errno {
	return writeUTSName(ctx, data, fs.k.SetDomainname)
}

func writeUTSName(ctx vfs.Context, data []byte, set func(string)) linux.Errno {
	if !ctx.Credentials().HasCap(auth.CapSysAdmin) {
		return linux.EPERM
	}
	name := strings.TrimSuffix(string(data), "\n")
	if len(name) > 64 {
		return linux.EINVAL
	}
	set(name)
	return 0
}
