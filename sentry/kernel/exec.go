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
	"moat/sentry/kernel/ipc"
	"moat/sentry/loader"
	"moat/sentry/mm"
	"moat/sentry/platform"
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
//   - The task is the only one in its process.
func (t *Task) exec(filename string, argv, envv []string) linux.Errno {
	img, errno := t.loadExec(unix.AT_FDCWD, filename, 0, argv, envv)
	if errno != 0 {
		return errno
	}
	t.commitExec(img)
	return 0
}

// execImage is a program loaded into a new address space that nothing
// runs yet: the part of execve that may still fail.
type execImage struct {
	ef  ExecFile
	m   *mm.MemoryManager
	th  platform.Thread
	res loader.Result
	// name is the process's new name: the last element of the path
	// execve was given (not of a #! interpreter or a resolved link).
	name string
}

// release drops an image that will not run.
func (img *execImage) release() {
	img.ef.Release()
	img.m.Release()
}

// loadExec opens filename relative to dirfd with execveat's flags (the
// first program only; #! interpreters are looked up normally) and loads it
// into a new address space. The task's own state is untouched.
func (t *Task) loadExec(dirfd int32, filename string, flags int, argv, envv []string) (*execImage, linux.Errno) {
	var ef ExecFile
	var name string
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
			return nil, errno
		}
		if depth == 0 {
			name = filename[strings.LastIndexByte(filename, '/')+1:]
		}
		var hdr [256]byte
		n, _ := ef.File.ReadAt(hdr[:], 0)
		if n < 2 || hdr[0] != '#' || hdr[1] != '!' {
			break
		}
		ef.Release()
		if depth == maxInterpDepth {
			return nil, linux.ELOOP
		}
		interp, arg, ok := parseShebang(hdr[2:n])
		if !ok {
			return nil, linux.ENOEXEC
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
	as, th, err := t.k.Platform().NewAddressSpace()
	if err != nil {
		ef.Release()
		t.Warningf("creating address space: %v", err)
		return nil, linux.ENOMEM
	}
	randomize := t.tg.Personality()&AddrNoRandomize == 0
	m := mm.New(as, randomize)
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
		NoRandomize: !randomize,
	})
	if errno != 0 {
		ef.Release()
		m.Release()
		return nil, errno
	}
	return &execImage{ef: ef, m: m, th: th, res: res, name: name}, 0
}

// commitExec switches the task to a loaded image: the point of no return.
//
// Preconditions:
//   - Runs on the task goroutine.
//   - The task is the only one in its process.
func (t *Task) commitExec(img *execImage) {
	defer img.ef.Release()
	t.execFutexes()
	// The old address space first: the last user releases it, and then
	// the old stub thread has nothing left to wait for (see exit).
	if t.mm != nil {
		t.mm.DecUsers()
	}
	if t.thread != nil {
		t.thread.Release()
	}
	t.setMM(img.m)
	t.thread = img.th
	t.releaseVfork()
	t.tg.resetHandlersForExec()
	t.tg.deleteAllTimers() // POSIX timers do not survive execve
	t.mu.Lock()
	t.rseqAddr, t.rseqSig = 0, 0 // the new program registers its own
	t.keepCaps = false           // PR_SET_KEEPCAPS does not survive execve
	t.mu.Unlock()
	t.tg.SetDumpable(1)
	t.tg.persona.And(personalityOnExec)
	t.SetPdeathSignal(0)
	t.SetAltStack(linux.SignalStack{Flags: linux.SS_DISABLE})
	t.regs = arch.NewRegisters(img.res.Entry, img.res.SP)
	t.SetName(img.name)
	img.m.ShowThreadName(img.name) // the stub's name on the host
	if t.fdTable != nil {
		t.fdTable.RemoveCloseOnExec()
	}
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
	// IPCNamespace is the process's IPC namespace (nil: the sandbox's).
	IPCNamespace *ipc.Namespace
	// Container is the pod container the process belongs to (empty: the
	// sandbox's own).
	Container string
	// Terminal, when not nil, becomes the controlling terminal of the
	// process's new session before it runs (docs/tty.md).
	Terminal StartTerminal
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
	tg.attachStartTerminal(a.Terminal)

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

// Execveat is execveat(2). In a multithreaded process the other threads
// are killed once the new program is loaded (errors before that leave them
// running), and the caller takes over the process's PID as its TID.
//
// Preconditions:
//   - Runs on the task goroutine.
func (t *Task) Execveat(dirfd int32, filename string, flags int, argv, envv []string) linux.Errno {
	img, errno := t.loadExec(dirfd, filename, flags, argv, envv)
	if errno != 0 {
		return errno
	}
	if !t.becomeSoleThread() {
		// A fatal signal, exit_group or another thread's exec won:
		// this task is on its way out and the result is never seen.
		img.release()
		return linux.EINTR
	}
	t.commitExec(img)
	return 0
}
