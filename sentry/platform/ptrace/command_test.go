package ptrace

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"moat/sentry/platform"
)

// TestCommand: the host sees a stub's command line and name as the sentry
// set them (what ps prints), a fork inherits them, long command lines are
// cut to the area, and the area is a "[stub]" mapping the sentry keeps.
func TestCommand(t *testing.T) {
	pas, _ := newStub(t)
	as := pas.(*addressSpace)
	host := func(pid int) (string, string) {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		return strings.TrimRight(string(cmdline), "\x00"), strings.TrimSpace(string(comm))
	}
	if cmd, comm := host(as.ProcessID()); cmd != "" || comm != stubName {
		t.Errorf("new stub: cmdline %q comm %q, want empty and %q", cmd, comm, stubName)
	}
	if err := as.SetCommandLine([]byte("sleep\x001000\x00")); err != nil {
		t.Fatal(err)
	}
	if err := as.SetThreadName("a-very-long-program-name"); err != nil {
		t.Fatal(err)
	}
	if cmd, comm := host(as.ProcessID()); cmd != "sleep\x001000" || comm != "a-very-long-pro" {
		t.Errorf("after SetCommandLine: cmdline %q comm %q", cmd, comm)
	}
	var area *platform.Mapping
	for i, m := range as.Mappings() {
		if m.Name == "[stub]" && m.Start <= as.cmdStart && as.cmdStart+cmdAreaSize+taskCommLen <= m.End {
			area = &as.Mappings()[i]
		}
	}
	if area == nil {
		t.Errorf("the command area %#x is not in a [stub] mapping: %+v", as.cmdStart, as.Mappings())
	}

	pf, err := as.Fork()
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread traces
		as2, _, err := pf.Attach()
		if err != nil {
			errc <- err
			return
		}
		defer as2.Release()
		pid := as2.(*addressSpace).ProcessID()
		if cmd, comm := host(pid); cmd != "sleep\x001000" || comm != "a-very-long-pro" {
			errc <- fmt.Errorf("fork: cmdline %q comm %q", cmd, comm)
			return
		}
		long := []byte(strings.Repeat("x", 2*cmdAreaSize))
		if err := as2.(*addressSpace).SetCommandLine(long); err != nil {
			errc <- err
			return
		}
		if cmd, _ := host(pid); cmd != string(long[:cmdAreaSize-1]) {
			errc <- fmt.Errorf("long command line: %d bytes", len(cmd))
			return
		}
		if cmd, _ := host(as.ProcessID()); cmd != "sleep\x001000" {
			errc <- fmt.Errorf("the fork's command line changed its parent's: %q", cmd)
			return
		}
		errc <- nil
	}()
	if err := <-errc; err != nil {
		t.Error(err)
	}
}
