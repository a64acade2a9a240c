package kernel

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/loader"
	"moat/sentry/mm"
)

// ExecFile is an opened program.
type ExecFile struct {
	File loader.File
	// Name is the absolute path shown in /proc/PID/exe and maps.
	Name     string
	Dev, Ino uint64
	// Release closes the file.
	Release func()
}

// ExecOpener resolves and opens programs.
type ExecOpener interface {
	// OpenExecutable resolves path relative to t's root and cwd and opens
	// it for execution: EACCES unless it is a regular file t may
	// execute, ENOENT/ENOTDIR/ELOOP from the lookup.
	OpenExecutable(t *Task, path string) (ExecFile, linux.Errno)
}

// ExecAtOpener is an ExecOpener that also resolves relative to a
// directory fd (execveat).
type ExecAtOpener interface {
	OpenExecutableAt(t *Task, dirfd int32, path string, flags int) (ExecFile, linux.Errno)
}

// maxInterpDepth bounds #! interpreter chains, as Linux does.
const maxInterpDepth = 4

// exec replaces the task's address space with a new program.
//
// Preconditions:
//   - Runs on the task goroutine (locked to its OS thread).
func (t *Task) exec(filename string, argv, envv []string) linux.Errno {
	return t.execAt(unix.AT_FDCWD, filename, 0, argv, envv)
}

// execAt is exec relative to dirfd with execveat's flags (the first
// program only; #! interpreters are looked up normally).
func (t *Task) execAt(dirfd int32, filename string, flags int, argv, envv []string) linux.Errno {
	var ef ExecFile
	for depth := 0; ; depth++ {
		var errno linux.Errno
		if at, ok := t.k.cfg.Exec.(ExecAtOpener); ok && depth == 0 {
			ef, errno = at.OpenExecutableAt(t, dirfd, filename, flags)
			if errno == 0 && dirfd != unix.AT_FDCWD && (filename == "" || filename[0] != '/') {
				// The name the program and a #! interpreter see.
				if filename == "" {
					filename = fmt.Sprintf("/dev/fd/%d", dirfd)
				} else {
					filename = fmt.Sprintf("/dev/fd/%d/%s", dirfd, filename)
				}
			}
		} else {
			ef, errno = t.k.cfg.Exec.OpenExecutable(t, filename)
		}
		if errno != 0 {
			return errno
		}
		var hdr [256]byte
		n, _ := ef.File.ReadAt(hdr[:], 0)
		if n < 2 || hdr[0] != '#' || hdr[1] != '!' {
			break
		}
		ef.Release()
		if depth == maxInterpDepth {
			return linux.ELOOP
		}
		interp, arg, ok := parseShebang(hdr[2:n])
		if !ok {
			return linux.ENOEXEC
		}
		nargv := []string{interp}
		if arg != "" {
			nargv = append(nargv, arg)
		}
		nargv = append(nargv, filename)
		if len(argv) > 1 {
			nargv = append(nargv, argv[1:]...)
		}
		argv, filename = nargv, interp
	}
	defer ef.Release()
	as, th, err := t.k.Platform().NewAddressSpace()
	if err != nil {
		t.Warningf("creating address space: %v", err)
		return linux.ENOMEM
	}
	m := mm.New(as)
	c := t.Credentials()
	res, errno := loader.Load(loader.Args{
		MM: m, File: ef.File, Filename: filename, Name: ef.Name, Dev: ef.Dev, Ino: ef.Ino,
		Argv: argv, Envv: envv,
		OpenInterp: func(p string) (loader.File, linux.Errno) {
			f, errno := t.k.cfg.Exec.OpenExecutable(t, p)
			if errno != 0 {
				return nil, errno
			}
			// The interpreter stays mapped; its file can be closed
			// once mapped, which happens before Load returns.
			defer f.Release()
			return f.File, 0
		},
		UID: uint32(c.RealKUID), EUID: uint32(c.EffectiveKUID), GID: uint32(c.RealKGID), EGID: uint32(c.EffectiveKGID),
	})
	if errno != 0 {
		m.Release()
		return errno
	}
	if t.thread != nil {
		t.thread.Release()
	}
	if t.mm != nil {
		t.mm.DecUsers()
	}
	t.setMM(m)
	t.thread = th
	t.releaseVfork()
	t.tg.resetHandlersForExec()
	t.tg.deleteAllTimers() // POSIX timers do not survive execve
	t.mu.Lock()
	t.rseqAddr, t.rseqSig = 0, 0 // the new program registers its own
	t.mu.Unlock()
	t.tg.SetDumpable(1)
	t.SetPdeathSignal(0)
	t.SetAltStack(linux.SignalStack{Flags: linux.SS_DISABLE})
	t.regs = arch.NewRegisters(res.Entry, res.SP)
	base := ef.Name
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	t.SetName(base)
	if t.fdTable != nil {
		t.fdTable.RemoveCloseOnExec()
	}
	return 0
}

// parseShebang splits a #! line into interpreter and optional argument.
func parseShebang(b []byte) (string, string, bool) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	s := strings.Trim(string(b), " \t")
	if s == "" {
		return "", "", false
	}
	interp, arg := s, ""
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		interp, arg = s[:i], strings.TrimLeft(s[i:], " \t")
	}
	return interp, arg, true
}

// ProcessArgs describe the container's first process.
type ProcessArgs struct {
	Filename   string
	Argv, Envv []string
	Creds      *auth.Credentials
	FDTable    *FDTable
	FSContext  *FSContext
	Limits     Limits
	// PIDNamespace is where StartProcess starts the process (nil: the
	// root); the first process of a child namespace is its init.
	PIDNamespace *PIDNamespace
}

// StartInit creates the first process and starts it. It returns the exec
// error (ENOENT, EACCES, ENOEXEC, ...) if the program cannot be started.
func (k *Kernel) StartInit(a ProcessArgs) (*ThreadGroup, linux.Errno, error) {
	k.mu.Lock()
	if k.init != nil {
		k.mu.Unlock()
		return nil, 0, fmt.Errorf("init already started")
	}
	t := &Task{k: k, fdTable: a.FDTable, fsContext: a.FSContext, wake: make(chan struct{}, 1)}
	t.creds.Store(a.Creds)
	t.tid = k.allocTIDLocked()
	tg := k.newThreadGroupLocked(t, nil, 0)
	tg.limits = a.Limits
	tg.startTime = time.Now().UnixNano()
	k.tasks[t.tid] = t
	k.fdUsers[t.fdTable]++
	k.fsUsers[t.fsContext]++
	k.init = tg
	k.mu.Unlock()

	started := make(chan linux.Errno, 1)
	go func() {
		runtime.LockOSThread()
		errno := t.exec(a.Filename, a.Argv, a.Envv)
		started <- errno
		if errno != 0 {
			t.tg.exitGroup(ExitStatus{Code: 127})
			t.exit()
			return
		}
		t.run()
	}()
	if errno := <-started; errno != 0 {
		return nil, errno, nil
	}
	return tg, 0, nil
}

// Execve replaces the calling task's program, as execve(2).
//
// Preconditions:
//   - Runs on the task goroutine.
func (t *Task) Execve(filename string, argv, envv []string) linux.Errno {
	return t.Execveat(unix.AT_FDCWD, filename, 0, argv, envv)
}

// Execveat is execveat(2).
//
// Preconditions:
//   - Runs on the task goroutine.
func (t *Task) Execveat(dirfd int32, filename string, flags int, argv, envv []string) linux.Errno {
	t.tg.mu.Lock()
	n := len(t.tg.tasks)
	t.tg.mu.Unlock()
	if n != 1 {
		// TODO(#4): exec from a multi-threaded process kills the other
		// threads first.
		return linux.EAGAIN
	}
	return t.execAt(dirfd, filename, flags, argv, envv)
}
