package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name, want, got string
		wantSub         []string
	}{
		{"equal", "a\nb\n", "a\nb\n", nil},
		{"changed line", "a\nb\n", "a\nc\n", []string{`line 2: want "b", got "c"`, "(want 2 lines, got 2)"}},
		{"missing lines", "a\nb\nc\n", "a\n", []string{`line 2: want "b", got nothing`, `line 3: want "c", got nothing`}},
		{"extra line", "a\n", "a\nz\n", []string{`line 2: want nothing, got "z"`}},
		{"newline only", "a\n", "a", []string{"only one ends with a newline"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Diff(tc.want, tc.got)
			if tc.wantSub == nil {
				if d != "" {
					t.Fatalf("Diff of equal strings = %q", d)
				}
				return
			}
			for _, s := range tc.wantSub {
				if !strings.Contains(d, s) {
					t.Errorf("Diff(%q, %q) = %q, want it to contain %q", tc.want, tc.got, d, s)
				}
			}
		})
	}
}

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		stdin    string
		stdout   string
		stderr   string
		exit     int
		timedOut bool
	}{
		{"stdout", []string{"/bin/sh", "-c", "echo out"}, "", "out\n", "", 0, false},
		{"stderr and code", []string{"/bin/sh", "-c", "echo err >&2; exit 3"}, "", "", "err\n", 3, false},
		{"signal", []string{"/bin/sh", "-c", "kill -TERM $$"}, "", "", "", 128 + 15, false},
		{"stdin", []string{"/bin/cat"}, "in\n", "in\n", "", 0, false},
		{"empty environment", []string{"/usr/bin/env"}, "", "", "", 0, false},
		{"timeout", []string{"/bin/sleep", "30"}, "", "", "", 128 + 9, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Run(Cmd{Args: tc.args, Stdin: tc.stdin}, 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if res.Stdout != tc.stdout || res.Stderr != tc.stderr || res.ExitCode != tc.exit || res.TimedOut != tc.timedOut {
				t.Errorf("got %s (timed out %v); want stdout %q stderr %q exit %d timed out %v",
					res, res.TimedOut, tc.stdout, tc.stderr, tc.exit, tc.timedOut)
			}
		})
	}
	if _, err := Run(Cmd{Args: []string{"/nonexistent/program"}}, time.Second); err == nil {
		t.Error("Run of a missing program: want an error")
	}
}

func TestBuildC(t *testing.T) {
	t.Setenv("MOAT_TEST_CACHE", t.TempDir())
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.c")
	if err := os.WriteFile(src, []byte("#include <stdio.h>\nint main(void) { puts(\"hi\"); return 4; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin, err := BuildC(src, "-static")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(bin) != "hello" {
		t.Errorf("binary %s is not named after the source", bin)
	}
	res, err := Run(Cmd{Args: []string{bin}}, 10*time.Second)
	if err != nil || res.Stdout != "hi\n" || res.ExitCode != 4 {
		t.Fatalf("running %s: %v %s", bin, err, res)
	}
	again, err := BuildC(src, "-static")
	if err != nil || again != bin {
		t.Errorf("second build: %q, %v; want the cached %q", again, err, bin)
	}
	if err := os.WriteFile(src, []byte("int main(void) { return 0 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := BuildC(src, "-static"); err == nil || !strings.Contains(err.Error(), "gcc") {
		t.Errorf("broken source: want a gcc error, got %v", err)
	}
}

func TestBusyboxRootfs(t *testing.T) {
	if _, err := os.Stat(Busybox); err != nil {
		t.Skip("no busybox-static")
	}
	t.Setenv("MOAT_TEST_CACHE", t.TempDir())
	extra := filepath.Join(t.TempDir(), "extra")
	if err := os.WriteFile(extra, []byte("x"), 0o750); err != nil {
		t.Fatal(err)
	}
	root, err := BusyboxRootfs("unit", map[string]string{"opt/extra": extra})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"bin/busybox", "etc/passwd", "etc/group", "opt/extra", "proc", "dev", "tmp"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("tree lacks %s: %v", p, err)
		}
	}
	if target, err := os.Readlink(filepath.Join(root, "bin", "sh")); err != nil || target != "/bin/busybox" {
		t.Errorf("bin/sh -> %q, %v; want /bin/busybox", target, err)
	}
	fi, err := os.Stat(filepath.Join(root, "opt", "extra"))
	if err != nil || fi.Mode().Perm() != 0o750 || !fi.ModTime().Equal(FixedTime) {
		t.Errorf("opt/extra: %v %v; want mode 0750 and FixedTime", fi, err)
	}
	fi, err = os.Stat(filepath.Join(root, "tmp"))
	if err != nil || fi.Mode()&os.ModeSticky == 0 {
		t.Errorf("tmp is not sticky: %v %v", fi, err)
	}
	again, err := BusyboxRootfs("unit", map[string]string{"opt/extra": extra})
	if err != nil || again != root {
		t.Errorf("second build: %q, %v; want the cached %q", again, err, root)
	}
}
