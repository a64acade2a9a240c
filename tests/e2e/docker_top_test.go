package e2e

import (
	"strings"
	"testing"
)

// TestDockerTop compares `docker top` under runsc with runc: dockerd runs
// the host's `ps -ef` and keeps the rows whose PID `runsc ps --format
// json` lists. Those are the host PIDs of the processes' stubs, which
// show the program's argv on the host (docs/oci.md,
// docs/platform-ptrace.md).
func TestDockerTop(t *testing.T) {
	d := startDockerd(t)
	img := d.importBusybox(t)
	top := func(rt string) string {
		id := strings.TrimSpace(d.must(t, "run", "-d", "--runtime="+rt, img, "sleep", "1000"))
		defer d.docker(t, "", "rm", "-f", id)
		r := d.docker(t, "", "top", id)
		lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
		var cmds []string
		for _, l := range lines[1:] {
			if f := strings.Fields(l); len(f) > 7 {
				cmds = append(cmds, strings.Join(f[7:], " "))
			}
		}
		return strings.Join(cmds, ",")
	}
	want, got := top("runc"), top("runsc")
	if want != "sleep 1000" {
		t.Fatalf("docker top under runc: %q, want the container's sleep 1000", want)
	}
	if got != want {
		t.Errorf("docker top: runsc shows %q, runc %q", got, want)
	}
}
