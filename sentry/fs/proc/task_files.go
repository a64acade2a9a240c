package proc

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/kernel"
	"moat/sentry/mm"
	"moat/sentry/vfs"
)

// maxArgsRead bounds how much of argv or envp cmdline and environ copy.
const maxArgsRead = 1 << 21

func genAuxv(ctx vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
	if err := mayAccessTask(ctx, t); err != 0 {
		return nil, err
	}
	m := t.MM()
	if m == nil {
		return nil, 0
	}
	aux := m.Auxv()
	b := make([]byte, 8*len(aux))
	for i, v := range aux {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
	return b, 0
}

// genCgroup lists the cgroup hierarchies mounted in the sandbox
// (sentry/fs/sys), the process at the root of each; with none, the
// sandbox sees itself at the root of a cgroup v2 hierarchy.
func genCgroup(_ vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
	hs := t.Kernel().CgroupHierarchies()
	if len(hs) == 0 {
		return []byte("0::/\n"), 0
	}
	var b strings.Builder
	for _, h := range hs {
		b.WriteString(strconv.Itoa(h.ID) + ":" + h.Controllers + ":/\n")
	}
	return []byte(b.String()), 0
}

// readRange copies [start, end) of m's memory, stopping at the first
// unreadable byte.
func readRange(m *mm.MemoryManager, start, end uintptr) []byte {
	if end <= start {
		return nil
	}
	buf := make([]byte, min(end-start, maxArgsRead))
	n := m.CopyInPartial(start, buf)
	return buf[:n]
}

func genCmdline(ctx vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
	m := t.MM()
	if m == nil {
		return nil, 0
	}
	as, ae, es, ee := m.ArgvEnvp()
	return cmdlineFrom(readRange(m, as, ae), func() []byte { return readRange(m, es, ee) }), 0
}

// cmdlineFrom returns /proc/PID/cmdline given the process's argv area. If
// the process overwrote the final NUL (setproctitle), the area is one
// string that may run on into the environment, as in Linux.
func cmdlineFrom(args []byte, env func() []byte) []byte {
	if len(args) == 0 || args[len(args)-1] == 0 {
		return args
	}
	if i := strings.IndexByte(string(args), 0); i >= 0 {
		return args[:i]
	}
	rest := env()
	if i := strings.IndexByte(string(rest), 0); i >= 0 {
		rest = rest[:i]
	}
	return append(args, rest...)
}

func genEnviron(ctx vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
	if err := mayAccessTask(ctx, t); err != 0 {
		return nil, err
	}
	m := t.MM()
	if m == nil {
		return nil, 0
	}
	_, _, es, ee := m.ArgvEnvp()
	return readRange(m, es, ee), 0
}

func genComm(_ vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
	return []byte(t.Name() + "\n"), 0
}

// writeComm renames a thread of the caller's own process.
func writeComm(ctx vfs.Context, t *kernel.Task, data []byte) linux.Errno {
	ct := callerTask(ctx)
	if ct != nil && ct.ThreadGroup() != t.ThreadGroup() {
		return linux.EINVAL
	}
	t.SetName(strings.TrimSuffix(string(data), "\n"))
	return 0
}

func genLimits(_ vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
	return formatLimits(t.ThreadGroup().Limits()), 0
}

func genMaps(ctx vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
	if err := mayAccessTask(ctx, t); err != 0 {
		return nil, err
	}
	m := t.MM()
	if m == nil {
		return nil, 0
	}
	return []byte(m.Maps()), 0
}

func genStatm(_ vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
	var u mm.Usage
	if m := t.MM(); m != nil {
		u = m.Usage()
	}
	return formatStatm(u), 0
}

// oomScoreAdjFile is /proc/PID/oom_score_adj, stored per process.
func oomScoreAdjFile(d *taskDir, n node) vfs.Inode {
	fs := d.fs
	return &genFile{
		node: n,
		gen: func(_ vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
			return []byte(strconv.Itoa(int(fs.oomScoreAdj(t.ThreadGroup()))) + "\n"), 0
		},
		write: func(ctx vfs.Context, t *kernel.Task, data []byte) linux.Errno {
			v, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err != nil || v < -1000 || v > 1000 {
				return linux.EINVAL
			}
			return fs.setOOMScoreAdj(ctx, t.ThreadGroup(), int32(v))
		},
	}
}

// oomScoreAdj returns tg's oom_score_adj.
func (fs *filesystem) oomScoreAdj(tg *kernel.ThreadGroup) int32 {
	fs.oomMu.Lock()
	defer fs.oomMu.Unlock()
	return fs.oomAdj[tg]
}

// setOOMScoreAdj stores tg's oom_score_adj; lowering it needs
// CAP_SYS_RESOURCE, as in Linux. Values of exited processes are dropped.
func (fs *filesystem) setOOMScoreAdj(ctx vfs.Context, tg *kernel.ThreadGroup, v int32) linux.Errno {
	fs.oomMu.Lock()
	defer fs.oomMu.Unlock()
	if v < fs.oomAdj[tg] && !ctx.Credentials().HasCap(auth.CapSysResource) {
		return linux.EACCES
	}
	for g := range fs.oomAdj {
		if fs.ns.ThreadGroupWithID(fs.ns.IDOfThreadGroup(g)) != g {
			delete(fs.oomAdj, g)
		}
	}
	if v == 0 {
		delete(fs.oomAdj, tg)
	} else {
		fs.oomAdj[tg] = v
	}
	return 0
}

// genPersonality renders /proc/PID/personality (ptrace access, as Linux).
func genPersonality(ctx vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
	if err := mayAccessTask(ctx, t); err != 0 {
		return nil, err
	}
	return []byte(fmt.Sprintf("%08x\n", t.ThreadGroup().Personality())), 0
}
