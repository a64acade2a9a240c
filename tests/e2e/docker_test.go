package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runtimes are compared in every Docker test: runc is the reference.
var runtimes = []string{"runc", "runsc"}

// TestDocker drives Debian's dockerd 20.10 with Moat registered by
// `runsc install` as a path runtime (containerd's runc shim running runsc's
// runc-compatible command line), each behaviour compared with runc.
func TestDocker(t *testing.T) {
	d := startDockerd(t)
	img := d.importBusybox(t)

	// both runs f for runc and runsc and fails unless they agree.
	both := func(t *testing.T, f func(rt string) string) {
		t.Helper()
		want := f("runc")
		if got := f("runsc"); got != want {
			t.Errorf("runsc:\n%s\nrunc:\n%s", got, want)
		}
	}
	res := func(code int, out string) string { return strings.Join([]string{"exit", itoa(code), out}, " ") }

	t.Run("ExitCodes", func(t *testing.T) {
		for _, args := range [][]string{{"true"}, {"false"}, {"sh", "-c", "exit 3"}, {"sh", "-c", "kill -9 $$"}, {"sh", "-c", "echo out; echo err >&2; exit 42"}} {
			both(t, func(rt string) string {
				r := d.docker(t, "", append([]string{"run", "--rm", "--runtime=" + rt, img}, args...)...)
				return res(r.ExitCode, r.Stdout+r.Stderr)
			})
		}
	})
	t.Run("MissingProgram", func(t *testing.T) {
		// dockerd turns the runtime's "no such file" into 127, like a shell.
		both(t, func(rt string) string {
			r := d.docker(t, "", "run", "--rm", "--runtime="+rt, img, "/no/such/program")
			id := strings.TrimSpace(d.must(t, "run", "-d", "--runtime="+rt, img, "sleep", "1000"))
			defer d.docker(t, "", "rm", "-f", id)
			e := d.docker(t, "", "exec", id, "/no/such/program")
			return "run " + itoa(r.ExitCode) + " exec " + itoa(e.ExitCode)
		})
	})
	t.Run("Init", func(t *testing.T) {
		// --init binds /usr/bin/docker-init (a symlink to tini) as a file.
		both(t, func(rt string) string {
			r := d.docker(t, "", "run", "--rm", "--init", "--runtime="+rt, img, "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; exit 6")
			return res(r.ExitCode, r.Stdout)
		})
	})
	t.Run("EnvWorkdirUser", func(t *testing.T) {
		both(t, func(rt string) string {
			r := d.docker(t, "", "run", "--rm", "--runtime="+rt, "-e", "FOO=bar", "-w", "/etc", "-u", "1000:1001", img,
				"sh", "-c", "echo $FOO $PWD $(id -u) $(id -g); touch /etc/x")
			return res(r.ExitCode, r.Stdout+r.Stderr)
		})
	})
	t.Run("Stdin", func(t *testing.T) {
		both(t, func(rt string) string {
			r := d.docker(t, "line one\nline two\n", "run", "--rm", "-i", "--runtime="+rt, img, "sh", "-c", "cat; wc -l")
			return res(r.ExitCode, r.Stdout)
		})
	})
	t.Run("TTY", func(t *testing.T) {
		both(t, func(rt string) string {
			r := d.docker(t, "", "run", "--rm", "-t", "--runtime="+rt, img, "sh", "-c", "test -t 0 && test -t 1 && echo tty")
			return res(r.ExitCode, r.Stdout)
		})
	})
	t.Run("BindMounts", func(t *testing.T) {
		both(t, func(rt string) string {
			ro, rw := t.TempDir(), t.TempDir()
			os.WriteFile(filepath.Join(ro, "f"), []byte("from the host\n"), 0o644)
			r := d.docker(t, "", "run", "--rm", "--runtime="+rt, "-v", ro+":/ro:ro", "-v", rw+":/rw", img,
				"sh", "-c", "cat /ro/f; echo x > /ro/g || echo ro refused; echo written > /rw/h")
			h, _ := os.ReadFile(filepath.Join(rw, "h"))
			_, errG := os.Stat(filepath.Join(ro, "g"))
			return res(r.ExitCode, r.Stdout+"|host sees: "+string(h)+"|g exists: "+itoa(boolInt(errG == nil)))
		})
	})
	t.Run("ReadOnly", func(t *testing.T) {
		both(t, func(rt string) string {
			r := d.docker(t, "", "run", "--rm", "--read-only", "--runtime="+rt, img, "sh", "-c", "touch /x 2>/dev/null || echo refused; cat /etc/hostname >/dev/null && echo hostname")
			return res(r.ExitCode, r.Stdout)
		})
	})
	t.Run("Logs", func(t *testing.T) {
		both(t, func(rt string) string {
			id := strings.TrimSpace(d.must(t, "run", "-d", "--runtime="+rt, img, "sh", "-c", "echo to stdout; echo to stderr >&2; exit 4"))
			code := strings.TrimSpace(d.must(t, "wait", id))
			r := d.docker(t, "", "logs", id)
			d.must(t, "rm", id)
			return "wait " + code + " stdout " + r.Stdout + " stderr " + r.Stderr
		})
	})
	t.Run("Exec", func(t *testing.T) {
		both(t, func(rt string) string {
			id := strings.TrimSpace(d.must(t, "run", "-d", "--runtime="+rt, img, "sleep", "1000"))
			defer d.docker(t, "", "rm", "-f", id)
			a := d.docker(t, "", "exec", id, "sh", "-c", "echo in exec; exit 5")
			b := d.docker(t, "piped\n", "exec", "-i", "-u", "1000", "-w", "/tmp", "-e", "X=y", id, "sh", "-c", "cat; echo $X $PWD $(id -u)")
			c := d.docker(t, "", "exec", "-t", id, "sh", "-c", "test -t 1 && echo tty")
			return res(a.ExitCode, a.Stdout) + "|" + res(b.ExitCode, b.Stdout) + "|" + res(c.ExitCode, c.Stdout)
		})
	})
	t.Run("StopWithHandler", func(t *testing.T) {
		both(t, func(rt string) string {
			id := strings.TrimSpace(d.must(t, "run", "-d", "--runtime="+rt, img, "sh", "-c", `trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done`))
			defer d.docker(t, "", "rm", "-f", id)
			waitLogs(t, d, id, "ready")
			d.must(t, "stop", "-t", "30", id)
			return "exit " + strings.TrimSpace(d.must(t, "inspect", "-f", "{{.State.ExitCode}}", id)) + " " + d.docker(t, "", "logs", id).Stdout
		})
	})
	t.Run("StopWithoutHandler", func(t *testing.T) {
		// Linux never delivers an unhandled SIGTERM to a namespace's
		// init: docker stop -t 2 ends in SIGKILL after the 2 s.
		both(t, func(rt string) string {
			id := strings.TrimSpace(d.must(t, "run", "-d", "--runtime="+rt, img, "sleep", "1000"))
			defer d.docker(t, "", "rm", "-f", id)
			start := time.Now()
			d.must(t, "stop", "-t", "2", id)
			waited := time.Since(start) >= 2*time.Second
			return "exit " + strings.TrimSpace(d.must(t, "inspect", "-f", "{{.State.ExitCode}}", id)) + " waited for the timeout: " + itoa(boolInt(waited))
		})
	})
	t.Run("Kill", func(t *testing.T) {
		both(t, func(rt string) string {
			id := strings.TrimSpace(d.must(t, "run", "-d", "--runtime="+rt, img, "sh", "-c", `trap "echo got USR1" USR1; echo ready; while :; do sleep 0.1; done`))
			defer d.docker(t, "", "rm", "-f", id)
			waitLogs(t, d, id, "ready")
			d.must(t, "kill", "-s", "USR1", id)
			waitLogs(t, d, id, "got USR1")
			d.must(t, "kill", id)
			code := strings.TrimSpace(d.must(t, "wait", id))
			return "exit " + code + " " + d.docker(t, "", "logs", id).Stdout
		})
	})
	t.Run("Stats", func(t *testing.T) {
		// The runc shim reads the cgroup of the pid-file process: the
		// container's memory limit must show.
		both(t, func(rt string) string {
			id := strings.TrimSpace(d.must(t, "run", "-d", "-m", "64m", "--runtime="+rt, img, "sleep", "1000"))
			defer d.docker(t, "", "rm", "-f", id)
			usage := strings.TrimSpace(d.must(t, "stats", "--no-stream", "--format", "{{.MemUsage}}", id))
			_, limit, _ := strings.Cut(usage, "/")
			return strings.TrimSpace(limit)
		})
	})
	t.Run("PauseUnpause", func(t *testing.T) {
		both(t, func(rt string) string {
			id := strings.TrimSpace(d.must(t, "run", "-d", "--runtime="+rt, img, "sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done"))
			defer d.docker(t, "", "rm", "-f", id)
			p := d.docker(t, "", "pause", id)
			st := strings.TrimSpace(d.docker(t, "", "inspect", "-f", "{{.State.Status}}", id).Stdout)
			u := d.docker(t, "", "unpause", id)
			e := d.docker(t, "", "exec", id, "cat", "/tmp/n")
			return res(p.ExitCode, p.Stderr) + "|" + st + "|" + res(u.ExitCode, u.Stderr) + "|exec " + itoa(e.ExitCode)
		})
	})
}

// waitLogs waits until the container's output contains s.
func waitLogs(t *testing.T, d *dockerd, id, s string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(d.docker(t, "", "logs", id).Stdout, s) {
			return
		}
	}
	t.Fatalf("container %s never printed %q", id, s)
}

func itoa(n int) string { return strconv.Itoa(n) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
