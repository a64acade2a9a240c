package proc

import (
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/kernel"
	"moat/sentry/kernel/ipc"
	"moat/sentry/vfs"
)

// System V IPC files: /proc/sysvipc/{msg,sem,shm} and the IPC sysctls in
// /proc/sys/kernel. Like Linux, they show the IPC namespace of the
// process that reads (or writes) them.

// ipcNamespace is the namespace of the caller.
func (fs *filesystem) ipcNamespace(ctx vfs.Context) *ipc.Namespace {
	if t := callerTask(ctx); t != nil {
		return t.IPCNamespace()
	}
	return fs.k.RootIPCNamespace()
}

// newSysvipc builds /proc/sysvipc.
func (fs *filesystem) newSysvipc(b *builder) *staticDir {
	gen := func(render func(*ipc.Namespace, ipc.Context) string) generator {
		return func(ctx vfs.Context, _ *kernel.Task) ([]byte, linux.Errno) {
			// PIDs are numbered in the reader's PID namespace.
			var viewer ipc.Context
			if t := callerTask(ctx); t != nil {
				viewer = t
			}
			return []byte(render(fs.ipcNamespace(ctx), viewer)), 0
		}
	}
	return b.dir(
		child{"msg", b.file(gen((*ipc.Namespace).ProcMsg))},
		child{"sem", b.file(gen((*ipc.Namespace).ProcSem))},
		child{"shm", b.file(gen((*ipc.Namespace).ProcShm))},
	)
}

// ipcSysctls are the files of /proc/sys/kernel that hold the IPC
// namespace's limits: readable by all, writable by root.
func (fs *filesystem) ipcSysctls(b *builder) []child {
	return fs.ipcLimitFiles(b, ipc.Sysctls, (*ipc.Namespace).Sysctl, (*ipc.Namespace).SetSysctl)
}

// ipcLimitFiles are files named names showing (get) and setting (set)
// limits of the caller's IPC namespace: readable by all, writable by
// root.
func (fs *filesystem) ipcLimitFiles(b *builder, names []string, get func(*ipc.Namespace, string) (string, bool), set func(*ipc.Namespace, string, string) linux.Errno) []child {
	var cs []child
	for _, name := range names {
		cs = append(cs, child{name, &genFile{
			node: b.node(unix.S_IFREG | 0o644),
			gen: func(ctx vfs.Context, _ *kernel.Task) ([]byte, linux.Errno) {
				s, _ := get(fs.ipcNamespace(ctx), name)
				return []byte(s), 0
			},
			write: func(ctx vfs.Context, _ *kernel.Task, data []byte) linux.Errno {
				if ctx.Credentials().EffectiveKUID != 0 && !ctx.Credentials().HasCap(auth.CapSysAdmin) {
					return linux.EPERM
				}
				return set(fs.ipcNamespace(ctx), name, strings.TrimSpace(string(data)))
			},
		}})
	}
	return cs
}

// sortedChildren sorts cs by name.
func sortedChildren(cs []child) []child {
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	return cs
}
