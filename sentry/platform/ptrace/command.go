package ptrace

import (
	"encoding/binary"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"moat/sentry/platform"
)

// The command area makes the host's ps show an application program in its
// stub. ps reads a process's command line from /proc/PID/cmdline, which
// the kernel copies from the process's own memory between mm->arg_start
// and mm->arg_end; execve sets them and only CAP_SYS_RESOURCE may move
// them. So the zygote is executed with a single argument padded to
// cmdAreaSize bytes: in every stub (all are forks of the zygote) arg_start
// is the same address and the area is cmdAreaSize long. init replaces the
// page(s) holding it with fresh zeroed memory and reports them as a
// "[stub]" mapping, which the sentry's memory manager keeps out of the
// application's reach like the stub's code. SetCommandLine writes a
// program's argv there (NUL-separated, truncated, the rest zeroed: the
// last byte is always NUL, so the kernel never takes it for a
// setproctitle(3) title). Thread names (comm) are set with an injected
// prctl(PR_SET_NAME) whose argument is staged just past the area.
const cmdAreaSize = 4096

// taskCommLen is Linux's TASK_COMM_LEN (a comm holds 15 bytes and a NUL).
const taskCommLen = 16

// stubName is the comm of the zygote and of stubs before their first
// program.
const stubName = "moat-stub"

// zygoteArgv is the zygote's argument vector: one string that, with its
// NUL, fills the command area.
func zygoteArgv() []string { return []string{strings.Repeat("_", cmdAreaSize-1)} }

// keepCommandArea finds the command area in the freshly executed zygote's
// host stack (argv[0] is at the exec stop's rsp+8), replaces the pages
// holding it and the name staging bytes with zeroed anonymous memory (not
// growing down) and unmaps the rest of the stack. It returns the pages
// kept.
func (as *addressSpace) keepCommandArea(t *thread, stack platform.Mapping) (platform.Mapping, error) {
	var b [16]byte
	if n, err := as.ReadAt(uintptr(as.injRegs.Rsp), b[:]); n != len(b) {
		return platform.Mapping{}, fmt.Errorf("reading the stub's argv: %v", err)
	}
	argc, argv0 := binary.LittleEndian.Uint64(b[:]), uintptr(binary.LittleEndian.Uint64(b[8:]))
	// Above argv the exec'd path and a NUL word follow, so the staging
	// bytes are inside the stack too.
	start, end := argv0&^(pageSize-1), (argv0+cmdAreaSize+taskCommLen+pageSize-1)&^(pageSize-1)
	if argc != 1 || start < stack.Start || end > stack.End {
		return platform.Mapping{}, fmt.Errorf("stub argv (%d at %#x) is not in its stack %#x-%#x", argc, argv0, stack.Start, stack.End)
	}
	if _, err := t.inject(unix.SYS_MMAP, start, end-start, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED, ^uintptr(0), 0); err != nil {
		return platform.Mapping{}, fmt.Errorf("replacing the stub's command area: %w", err)
	}
	for _, r := range []platform.Range{{Start: stack.Start, End: start}, {Start: end, End: stack.End}} {
		if r.End > r.Start {
			if _, err := t.inject(unix.SYS_MUNMAP, r.Start, r.End-r.Start); err != nil {
				return platform.Mapping{}, fmt.Errorf("unmapping stub stack: %w", err)
			}
		}
	}
	as.cmdStart = argv0
	return platform.Mapping{Range: platform.Range{Start: start, End: end}, Name: "[stub]", Prot: unix.PROT_READ | unix.PROT_WRITE}, nil
}

// ProcessID implements platform.HostProcess.ProcessID.
func (as *addressSpace) ProcessID() int { return as.pid }

// SetCommandLine implements platform.HostProcess.SetCommandLine.
func (as *addressSpace) SetCommandLine(argv []byte) error {
	area := make([]byte, cmdAreaSize)
	copy(area[:cmdAreaSize-1], argv)
	if _, err := as.WriteAt(as.cmdStart, area); err != nil {
		return fmt.Errorf("writing the stub's command line: %w", err)
	}
	return nil
}

// SetThreadName implements platform.HostProcess.SetThreadName.
func (as *addressSpace) SetThreadName(name string) error {
	t, err := as.injector()
	if err != nil {
		return err
	}
	return as.setThreadName(t, name)
}

// setThreadName stages name past the command area and injects
// prctl(PR_SET_NAME) through t.
func (as *addressSpace) setThreadName(t *thread, name string) error {
	var b [taskCommLen]byte
	copy(b[:taskCommLen-1], name)
	as.nameMu.Lock()
	defer as.nameMu.Unlock()
	staging := as.cmdStart + cmdAreaSize
	if _, err := as.WriteAt(staging, b[:]); err != nil {
		return fmt.Errorf("writing the stub's name: %w", err)
	}
	if _, err := t.inject(unix.SYS_PRCTL, unix.PR_SET_NAME, staging); err != nil {
		return fmt.Errorf("naming the stub: %w", err)
	}
	return nil
}
