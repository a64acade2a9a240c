package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Main is a TestMain body for suites that start sandboxes: it marks
// inherited descriptors close-on-exec, sets the umask to 022, makes the test process a child
// subreaper, so that processes a sandbox leaves
// behind (sentry, gofer, stubs whose parent died) are re-parented to the
// test and not to the host's init, runs the tests, then kills and reaps
// whatever is still a child of the test process. It does not return.
func Main(m *testing.M) {
	if err := SetSubreaper(); err != nil {
		fmt.Fprintf(os.Stderr, "testutil: %v\n", err)
	}
	CloseOnExecInherited()
	// Programs are started with a known umask (runsc do's default too).
	syscall.Umask(0o022)
	code := m.Run()
	if n := ReapOrphans(); n > 0 {
		fmt.Fprintf(os.Stderr, "testutil: killed and reaped %d leftover process(es)\n", n)
	}
	os.Exit(code)
}

// CloseOnExecInherited marks every descriptor above 2 close-on-exec, so
// descriptors this process inherited (from a shell, an IDE, CI) do not
// leak into test programs and make their /proc/self/fd differ between
// runs.
func CloseOnExecInherited() {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER from <linux/prctl.h>.
const prSetChildSubreaper = 36

// SetSubreaper makes the calling process a child subreaper (prctl(2)).
func SetSubreaper() error {
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0, 0, 0, 0); e != 0 {
		return fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %w", e)
	}
	return nil
}

// ReapOrphans kills every remaining child of this process (only processes
// the tests started, or their descendants re-parented here because this
// process is a subreaper) and reaps them. Call it only when no command
// is running, since it reaps any child. It returns how many it found.
func ReapOrphans() int {
	self := os.Getpid()
	n := 0
	for _, pid := range childrenOf(self) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		n++
	}
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			if len(childrenOf(self)) == 0 {
				break
			}
			// Killed children may not be zombies yet: wait for one.
			if _, err := syscall.Wait4(-1, &ws, 0, nil); err != nil {
				break
			}
		}
	}
	return n
}

// childrenOf lists the PIDs whose parent is ppid, from /proc.
func childrenOf(ppid int) []int {
	var pids []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// The command name may contain spaces and ')': parse after the last ')'.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		if pp, _ := strconv.Atoi(f[1]); pp == ppid {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			pids = append(pids, pid)
		}
	}
	return pids
}
