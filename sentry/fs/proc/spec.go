package proc

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// This file holds what the container's spec sets in /proc at boot.

// SetOOMScoreAdj sets tg's /proc/PID/oom_score_adj (process.oomScoreAdj for
// init) without the CAP_SYS_RESOURCE check a write makes. (TODO(#4): the
// value is kept per process by procfs and not inherited across fork.)
func SetOOMScoreAdj(fsys *vfs.Filesystem, tg *kernel.ThreadGroup, v int32) error {
	fs, ok := fsys.Impl().(*filesystem)
	if !ok {
		return fmt.Errorf("not a procfs instance")
	}
	if v < -1000 || v > 1000 {
		return fmt.Errorf("oom_score_adj %d out of range [-1000, 1000]", v)
	}
	fs.oomMu.Lock()
	defer fs.oomMu.Unlock()
	if v == 0 {
		delete(fs.oomAdj, tg)
	} else {
		fs.oomAdj[tg] = v
	}
	return nil
}

// inoSysctl is the inode number space of /proc/sys/net's entries (taskIno
// with thread ID 0).
const inoSysctl = 5

// netDir is /proc/sys/net: the sysctls of the sandbox's network namespace
// that the container's spec set (SetNetSysctls), read-only. The loopback
// stack acts on those it has a use for (inet.Sysctls); the others act on
// nothing and are shown so that a program reading them sees what the
// spec asked for (docs/oci.md, "linux.sysctl").
type netDir struct {
	node
}

// tree returns the directory SetNetSysctls built, or an empty one.
func (d *netDir) tree() *staticDir {
	if t := d.fs.netSysctls.Load(); t != nil {
		return t
	}
	return &staticDir{node: d.node}
}

// Lookup implements vfs.Inode.Lookup.
func (d *netDir) Lookup(ctx vfs.Context, name string) (vfs.Inode, linux.Errno) {
	return d.tree().Lookup(ctx, name)
}

// Open implements vfs.Inode.Open.
func (d *netDir) Open(ctx vfs.Context, vd vfs.VirtualDentry, flags uint32) (vfs.FileImpl, linux.Errno) {
	return d.tree().Open(ctx, vd, flags)
}

// SetNetSysctls makes /proc/sys/net of the procfs instance fsys show vals
// (keys without the "net." prefix, dotted: "ipv4.ip_forward"). It is
// called once, at boot, before any process runs.
func SetNetSysctls(fsys *vfs.Filesystem, vals map[string]string) error {
	fs, ok := fsys.Impl().(*filesystem)
	if !ok {
		return fmt.Errorf("not a procfs instance")
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var n uint64
	newNode := func(mode uint32) node {
		n++
		return node{fs: fs, ino: taskIno(inoSysctl, 0, n), mode: mode}
	}
	root := &staticDir{node: newNode(unix.S_IFDIR | 0o555)}
	for _, k := range keys {
		parts := strings.Split(k, ".")
		dir := root
		for i, p := range parts {
			if p == "" {
				return fmt.Errorf("bad sysctl key net.%s", k)
			}
			var next vfs.Inode
			for _, c := range dir.children {
				if c.name == p {
					next = c.inode
				}
			}
			last := i == len(parts)-1
			switch sub := next.(type) {
			case nil:
				if last {
					v := vals[k]
					f := &genFile{node: newNode(unix.S_IFREG | 0o444), gen: func(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
						return []byte(v + "\n"), 0
					}}
					dir.children = append(dir.children, child{p, f})
					continue
				}
				nd := &staticDir{node: newNode(unix.S_IFDIR | 0o555)}
				dir.children = append(dir.children, child{p, nd})
				dir = nd
			case *staticDir:
				if last {
					return fmt.Errorf("sysctl net.%s is a directory", k)
				}
				dir = sub
			default:
				return fmt.Errorf("sysctl net.%s: a parent is a file", k)
			}
		}
	}
	fs.netSysctls.Store(root)
	return nil
}
