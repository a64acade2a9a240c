// Package proc is the sandbox's /proc: a synthetic file system whose
// directories list the sandbox's processes and whose files render kernel
// state (tasks, memory maps, mounts, limits) and a snapshot of the host's
// hardware description, in the formats Linux uses.
//
// File contents are generated when a file is opened, and again when a
// reader that has already read it comes back to offset 0 (the seq_file
// behaviour programs such as top rely on); reads are served from that
// snapshot at any offset. Directory listings are computed at each read.
//
// Inodes for a process or thread hold its thread ID, not the task: the vfs
// caches dentries and never evicts them, so every operation looks the task
// up again and fails with ENOENT (or ESRCH for an open file) once it is
// gone.
//
// The host snapshot (meminfo, cpuinfo, overcommit) must be taken with
// SnapshotHost before the sentry gives up access to the host's /proc.
//
// Lock order: seqFile.mu, then filesystem.oomMu, then kernel locks (taken
// through kernel accessors). The vfs calls Lookup and Perms with its own
// locks held; those never take vfs locks. Generators run at open, outside
// vfs locks, and may call vfs.PathName.
package proc

import (
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// filesystem is one procfs instance.
type filesystem struct {
	k *kernel.Kernel
	// ns is the PID namespace whose numbers the instance shows.
	ns    *kernel.PIDNamespace
	v     *vfs.VirtualFilesystem
	host  *HostInfo
	vfsfs *vfs.Filesystem
	// created is the time static inodes report.
	created time.Time
	// bootID is /proc/sys/kernel/random/boot_id.
	bootID string
	// live reads the host's current memory and load figures; tests
	// replace it.
	live func() LiveStats

	// netSysctls is /proc/sys/net's tree (SetNetSysctls), or nil.
	netSysctls atomic.Pointer[staticDir]

	// oomMu guards oomAdj.
	oomMu sync.Mutex
	// oomAdj holds oom_score_adj values written by processes (default 0).
	oomAdj map[*kernel.ThreadGroup]int32
}

// New returns a procfs for the processes of k, registered with v (the
// mount namespace the boot code mounts it in, normally at /proc). host is
// the snapshot SnapshotHost took before the sentry lost the host's /proc;
// nil means "none", and the files that need it fall back to sysinfo(2).
func New(k *kernel.Kernel, v *vfs.VirtualFilesystem, host *HostInfo) (*vfs.Filesystem, error) {
	if k == nil || v == nil {
		return nil, fmt.Errorf("creating procfs: missing kernel or vfs")
	}
	return newFilesystem(k, v, host, readLiveStats), nil
}

// newFilesystem builds the instance; live is the source of host figures.
func newFilesystem(k *kernel.Kernel, v *vfs.VirtualFilesystem, host *HostInfo, live func() LiveStats) *vfs.Filesystem {
	if host == nil {
		host = &HostInfo{}
	}
	fs := &filesystem{
		k:       k,
		ns:      k.RootPIDNamespace(),
		v:       v,
		host:    host,
		created: time.Now(),
		bootID:  newUUID(),
		live:    live,
		oomAdj:  make(map[*kernel.ThreadGroup]int32),
	}
	fs.vfsfs = v.NewFilesystem(fs, fs.newRoot())
	return fs.vfsfs
}

// Name implements vfs.FilesystemImpl.Name.
func (fs *filesystem) Name() string { return "proc" }

// Release implements vfs.FilesystemImpl.Release.
func (fs *filesystem) Release() {}

// StatFS implements vfs.FilesystemImpl.StatFS.
func (fs *filesystem) StatFS(vfs.Context) (linux.Statfs, linux.Errno) {
	return linux.Statfs{
		Type:    linux.PROC_SUPER_MAGIC,
		Bsize:   4096,
		Frsize:  4096,
		Namelen: vfs.NameMax,
	}, 0
}

// newUUID returns a random (version 4) UUID in its text form.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	return formatUUID(b)
}

// formatUUID renders b as a version 4, variant 1 UUID.
func formatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// callerTask returns the task making the call, or nil for kernel-internal
// callers (boot code, tests).
func callerTask(ctx vfs.Context) *kernel.Task {
	t, _ := ctx.(*kernel.Task)
	return t
}
