package busybox_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"moat/tests/testutil"
)

// TestIsolation checks, in the sandbox only (a chroot has no such
// boundary to compare with), that the host's processes are invisible:
// /proc lists only the sandbox's own PIDs, and the test process's host
// PID cannot be opened.
func TestIsolation(t *testing.T) {
	testutil.RequireRoot(t)
	root := buildTree(t)
	sb := testutil.SandboxOrSkip(t)
	hostPID := os.Getpid()
	script := fmt.Sprintf("ls /proc; cat /proc/%d/cmdline >/dev/null 2>&1 && echo HOST-PID-VISIBLE; echo done", hostPID)
	res := run(t, sb.Cmd(testutil.DoOptions{Root: root, Env: env, Cwd: "/"}, "/bin/sh", "-c", script), "")
	if res.ExitCode != 0 || !strings.HasSuffix(res.Stdout, "done\n") {
		t.Fatalf("isolation script failed:\n%s", res)
	}
	if strings.Contains(res.Stdout, "HOST-PID-VISIBLE") {
		t.Errorf("the host PID %d of the test process is visible in the sandbox's /proc", hostPID)
	}
	var pids []int
	for _, f := range strings.Fields(res.Stdout) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	if len(pids) == 0 || len(pids) > 4 {
		t.Errorf("sandbox /proc lists PIDs %v; want only the sandbox's own few (sh and ls)", pids)
	}
	for _, p := range pids {
		if p > 100 {
			t.Errorf("sandbox /proc lists PID %d: host PIDs leak or PIDs are not namespaced", p)
		}
	}
}
