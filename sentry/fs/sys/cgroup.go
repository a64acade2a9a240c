package sys

import (
	"slices"
	"strconv"
	"strings"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// Hierarchy is a cgroup v1 hierarchy the sandbox offers.
type Hierarchy struct {
	// ID is its number in /proc/PID/cgroup.
	ID int
	// Name is its controllers, comma-separated: its directory under the
	// cgroup mount point, its line in /proc/PID/cgroup and its mount
	// options.
	Name string
	// Links are the symlinks to Name beside it ("cpu" -> "cpu,cpuacct").
	Links []string
}

// V1Hierarchies are the hierarchies a cgroup (v1) mount has: those of
// the controllers whose limits the sandbox reports, grouped as most
// distributions mount them.
var V1Hierarchies = []Hierarchy{
	{ID: 1, Name: "cpu,cpuacct", Links: []string{"cpu", "cpuacct"}},
	{ID: 2, Name: "cpuset"},
	{ID: 3, Name: "memory"},
	{ID: 4, Name: "pids"},
}

// v2Controllers are the controllers of the cgroup v2 layout.
const v2Controllers = "cpuset cpu memory pids"

// NewCgroup2 returns a cgroup v2 file system for the sandbox of k,
// registered with v: the container's cgroup, at its root (as under a
// cgroup namespace), with the limits of k.Resources and the processes of
// the reader's container. Mount it read-only.
func NewCgroup2(k *kernel.Kernel, v *vfs.VirtualFilesystem) *vfs.Filesystem {
	fs := newFilesystem(k, "cgroup2", linux.CGROUP2_SUPER_MAGIC, "", 0)
	k.AddCgroupHierarchy(kernel.CgroupHierarchy{ID: 0})
	root := fs.newDir(nil)
	for _, f := range fs.v2Files() {
		root.add(f.name, f.inode)
	}
	return v.NewFilesystem(fs, root)
}

// NewCgroup returns the file system of cgroup v1 hierarchy h for the
// sandbox of k, registered with v; as NewCgroup2 otherwise.
func NewCgroup(k *kernel.Kernel, v *vfs.VirtualFilesystem, h Hierarchy) *vfs.Filesystem {
	fs := newFilesystem(k, "cgroup", linux.CGROUP_SUPER_MAGIC, h.Name, 0)
	k.AddCgroupHierarchy(kernel.CgroupHierarchy{ID: h.ID, Controllers: h.Name})
	root := fs.newDir(nil)
	root.add("cgroup.procs", fs.newFile(0o644, fs.genProcs(false)))
	for _, f := range fs.v1Files(h.Name) {
		root.add(f.name, f.inode)
	}
	root.add("tasks", fs.newFile(0o644, fs.genProcs(true)))
	return v.NewFilesystem(fs, root)
}

// resources returns the container's limits; without any (not an OCI
// container) none, on the CPUs the kernel reports.
func (fs *filesystem) resources() kernel.Resources {
	r, ok := fs.k.Resources()
	if !ok {
		r = kernel.Resources{HostCPUs: fs.k.CPUs()}
	}
	return r
}

// members returns the live processes of the reader's container and the
// PID namespace whose numbers the reader sees. A reader that is not a
// task (the sentry itself) sees the sandbox's own container.
func (fs *filesystem) members(ctx vfs.Context) ([]*kernel.ThreadGroup, *kernel.PIDNamespace) {
	id, ns := "", fs.k.RootPIDNamespace()
	if t, ok := ctx.(*kernel.Task); ok {
		id, ns = t.ThreadGroup().ContainerID(), t.PIDNamespace()
	}
	return fs.k.ContainerThreadGroups(id), ns
}

// genProcs renders cgroup.procs (the container's PIDs) or, with threads,
// cgroup.threads and v1's tasks (its thread IDs), in the reader's PID
// namespace, sorted.
func (fs *filesystem) genProcs(threads bool) func(vfs.Context) string {
	return func(ctx vfs.Context) string {
		tgs, ns := fs.members(ctx)
		var ids []int32
		for _, tg := range tgs {
			if !threads {
				ids = append(ids, ns.IDOfThreadGroup(tg))
				continue
			}
			for _, t := range tg.Threads() {
				ids = append(ids, ns.IDOfTask(t))
			}
		}
		slices.Sort(ids)
		var b strings.Builder
		for _, id := range ids {
			if id > 0 {
				b.WriteString(strconv.Itoa(int(id)) + "\n")
			}
		}
		return b.String()
	}
}

// genPidsCurrent renders pids.current: the container's tasks (threads),
// which its pids limit counts.
func (fs *filesystem) genPidsCurrent(ctx vfs.Context) string {
	tgs, _ := fs.members(ctx)
	n := 0
	for _, tg := range tgs {
		n += len(tg.Threads())
	}
	return strconv.Itoa(n) + "\n"
}
