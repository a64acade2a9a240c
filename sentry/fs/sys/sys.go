// Package sys is the sandbox's /sys and its cgroup file systems: small
// read-only trees of generated files that tell programs what the sandbox
// really is, never what the host is.
//
// sysfs (New) has the standard top-level directories, empty, and
// devices/system/cpu with online, possible, present, offline and one
// cpuN directory per CPU the sandbox reports (kernel.Kernel.CPUs, the
// count sched_getaffinity and /proc/cpuinfo give). The cgroup file
// systems (NewCgroup) report the container's limits (kernel.Resources)
// and its processes in cgroup v2's layout or one cgroup v1 hierarchy's.
//
// File contents are generated at open and again each time a reader
// comes back to offset 0 (pread at 0, as Go's runtime does to follow its
// cgroup's CPU limit), so a limit changed by runsc update shows at once.
// Inodes are built once and never change; those that can disappear (a
// cpuN directory when the CPU count drops) check that they still exist
// on every operation, since the vfs never evicts dentries.
//
// Lock order: seqFile.mu, then kernel locks (taken through kernel
// accessors).
package sys

import (
	"sync/atomic"
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// filesystem is one sysfs or cgroup file system instance.
type filesystem struct {
	k *kernel.Kernel
	// name and magic are the type the instance reports (mountinfo,
	// statfs).
	name  string
	magic int64
	// super are the options mountinfo shows after rw/ro (a cgroup v1
	// hierarchy's controllers), or "".
	super string
	// fileSize is the st_size of regular files (sysfs says 4096, cgroup
	// file systems 0).
	fileSize int64
	created  time.Time
	lastIno  atomic.Uint64
}

// newFilesystem returns an instance without a root yet.
func newFilesystem(k *kernel.Kernel, name string, magic int64, super string, fileSize int64) *filesystem {
	return &filesystem{k: k, name: name, magic: magic, super: super, fileSize: fileSize, created: time.Now()}
}

// Name implements vfs.FilesystemImpl.Name.
func (fs *filesystem) Name() string { return fs.name }

// Release implements vfs.FilesystemImpl.Release.
func (fs *filesystem) Release() {}

// SuperOptions returns the options /proc/PID/mountinfo shows after
// rw/ro.
func (fs *filesystem) SuperOptions() string { return fs.super }

// StatFS implements vfs.FilesystemImpl.StatFS.
func (fs *filesystem) StatFS(vfs.Context) (linux.Statfs, linux.Errno) {
	return linux.Statfs{Type: fs.magic, Bsize: 4096, Frsize: 4096, Namelen: vfs.NameMax}, 0
}

// sysfsDirs are the empty standard directories of sysfs, beside
// devices/system/cpu. fs/cgroup is where cgroup file systems are mounted.
var sysfsDirs = []string{"block", "bus", "class", "dev", "devices/system", "firmware", "fs/cgroup", "kernel", "module", "power"}

// New returns a sysfs for the sandbox of k, registered with v. Mount it
// read-only: nothing in it can be written.
func New(k *kernel.Kernel, v *vfs.VirtualFilesystem) *vfs.Filesystem {
	fs := newFilesystem(k, "sysfs", linux.SYSFS_MAGIC, "", 4096)
	root := fs.newDir(nil)
	for _, p := range sysfsDirs {
		root.dirAt(p)
	}
	root.dirAt("devices/system").add("cpu", fs.newCPUDir())
	return v.NewFilesystem(fs, root)
}
