package e2e

import (
	"regexp"
	"testing"
	"time"

	"moat/tests/e2e/e2eutil"
)

// TestCtrRunTTYBytes: what `ctr run -t` and `ctr task exec -t` write to
// the caller's terminal is byte for byte what they write under runc's
// shim, the terminal's settings (`stty -g`) included. Each "\n" arrives
// as "\r\r\n" with both: the container's pty converts it (ONLCR), and so
// does ctr's own terminal, whose raw mode keeps OPOST (containerd/console's
// SetRaw); a terminal shows that as one line break (docs/tty.md).
func TestCtrRunTTYBytes(t *testing.T) {
	forEachContainerd(t, func(t *testing.T, c *e2eutil.Containerd, image string) {
		script := `stty -g; printf 'one\ntwo\r\nthree\n'; printf 'no newline'`
		out := map[string]string{}
		for _, rt := range ctrRuntimes(t, c) {
			args := append([]string{"run", "--rm", "-t"}, rt.flags...)
			args = c.CtrCmd(append(args, image, "tty-"+rt.name, "sh", "-c", script)...)
			r, err := e2eutil.RunInPty(args, c.Env(), "", 24, 80, 2*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if r.ExitCode != 0 {
				t.Fatalf("ctr run -t under %s: %s", rt.name, r)
			}
			out["run "+rt.name] = ctrLog.ReplaceAllString(r.Stdout, "")

			// exec -t into a running container of the same runtime.
			id := "ttyx-" + rt.name
			run := append([]string{"run", "-d"}, rt.flags...)
			if r := c.Ctr(t, append(run, image, id, "sleep", "1000")...); r.ExitCode != 0 {
				t.Fatalf("ctr run -d under %s: %s", rt.name, r)
			}
			waitStatus(t, c, id, "RUNNING")
			args = c.CtrCmd("tasks", "exec", "-t", "--exec-id", "x", id, "sh", "-c", script)
			r, err = e2eutil.RunInPty(args, c.Env(), "", 24, 80, 2*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			out["exec "+rt.name] = ctrLog.ReplaceAllString(r.Stdout, "")
			c.Ctr(t, "tasks", "kill", "-s", "SIGKILL", id)
			waitStatus(t, c, id, "STOPPED")
			removeTask(t, c, id)
		}
		// Linux's pty replica settings (-hupcl), then the lines.
		const want = "500:5:bf:8a3b:3:1c:7f:15:4:0:1:0:11:13:1a:0:12:f:17:16:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0\r\r\n" +
			"one\r\r\ntwo\r\r\r\nthree\r\r\nno newline"
		for _, k := range []string{"run", "exec"} {
			if out[k+" runc"] != want {
				t.Errorf("ctr %s -t under runc wrote %q, want %q", k, out[k+" runc"], want)
			}
			if out[k+" runsc"] != out[k+" runc"] {
				t.Errorf("ctr %s -t: runsc wrote %q, runc %q", k, out[k+" runsc"], out[k+" runc"])
			}
		}
	})
}

// ctrLog matches a line ctr logs on its terminal itself: containerd 2.x's
// cgroup v1 deprecation warning, or an error of a resize that lost the
// race with the process's exit.
var ctrLog = regexp.MustCompile(`\x1b\[\d+m(WARN|ERRO)\x1b\[0m\[\d+\][^\n]*\n`)
