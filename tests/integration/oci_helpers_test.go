package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/tests/testutil"
)

// oci drives the runsc binary's OCI commands with a private --root.
type oci struct {
	t      *testing.T
	runsc  string
	root   string // state root
	rootfs string // busybox tree (read-only, shared)
}

// newOCI returns a driver whose state root is checked at the end of the
// test: every container is force-deleted, then the root must be empty and
// no process may still name it.
func newOCI(t *testing.T) *oci {
	t.Helper()
	s := sandboxOrSkip(t)
	o := &oci{t: t, runsc: s.Runsc, root: t.TempDir(), rootfs: busyboxRoot(t)}
	before := treeStamp(o.rootfs)
	t.Cleanup(o.checkClean)
	t.Cleanup(func() {
		// runsc creates missing mount points in a rootfs, read-only or
		// not, as runc does: a test whose mounts need some must use a
		// private rootfs (o.minimalRootfs), never the shared cache.
		if after := treeStamp(o.rootfs); after != before {
			t.Errorf("the shared rootfs %s was changed by this test; give it a private rootfs", o.rootfs)
		}
	})
	return o
}

// treeStamp sums up every name, type, size and modification time under
// dir (a directory's time changes when an entry is made or removed in it).
func treeStamp(dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			fmt.Fprintf(&b, "%s: %v\n", p, err)
			return nil
		}
		if st, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s %v %d %d\n", p, st.Mode(), st.Size(), st.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}

// result is a finished runsc command.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s\n--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// runIn runs runsc with args and stdin text. Output goes to files, not
// pipes: a created sandbox keeps the caller's stdio open, and a pipe
// would hold the command's output open until then.
func (o *oci) runIn(stdin string, args ...string) result {
	o.t.Helper()
	dir := o.t.TempDir()
	files := make([]*os.File, 3)
	for i, n := range []string{"in", "out", "err"} {
		p := filepath.Join(dir, n)
		if i == 0 {
			os.WriteFile(p, []byte(stdin), 0o644)
		}
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			o.t.Fatal(err)
		}
		defer f.Close()
		files[i] = f
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.runsc, append([]string{"--root=" + o.root}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = files[0], files[1], files[2]
	cmd.Env = []string{}
	cmd.Dir = dir
	err := cmd.Run()
	r := result{}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = testutil.ExitCode(ee.ProcessState.Sys().(syscall.WaitStatus))
	} else if err != nil {
		o.t.Fatalf("runsc %q: %v", args, err)
	}
	out, _ := os.ReadFile(files[1].Name())
	errb, _ := os.ReadFile(files[2].Name())
	r.stdout, r.stderr = string(out), string(errb)
	return r
}

func (o *oci) run(args ...string) result {
	o.t.Helper()
	return o.runIn("", args...)
}

// must runs runsc and fails the test unless it exits 0.
func (o *oci) must(args ...string) result {
	o.t.Helper()
	r := o.run(args...)
	if r.code != 0 {
		o.t.Fatalf("runsc %q: %s", args, r)
	}
	return r
}

// fails runs runsc and fails the test unless it exits 1 with a
// "runsc: " message containing want.
func (o *oci) fails(want string, args ...string) {
	o.t.Helper()
	r := o.run(args...)
	if r.code != 1 || !strings.HasPrefix(r.stderr, "runsc: ") || !strings.Contains(r.stderr, want) {
		o.t.Errorf("runsc %q: want exit 1 and an error with %q, got %s", args, want, r)
	}
}

// bundle writes a bundle running args in the busybox tree and returns its
// directory; edit may change the spec first.
func (o *oci) bundle(edit func(*specs.Spec), args ...string) string {
	o.t.Helper()
	s := &specs.Spec{
		Version: specs.Version,
		Process: &specs.Process{
			Args: args,
			Env:  []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
			Cwd:  "/",
		},
		Root:     &specs.Root{Path: o.rootfs, Readonly: true},
		Hostname: "moat-test",
		Mounts: []specs.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc"},
			{Destination: "/dev", Type: "tmpfs", Source: "tmpfs"},
			{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"mode=1777"}},
		},
	}
	if edit != nil {
		edit(s)
	}
	dir := o.t.TempDir()
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		o.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644); err != nil {
		o.t.Fatal(err)
	}
	return dir
}

// state returns runsc state's JSON for id.
func (o *oci) state(id string) map[string]any {
	o.t.Helper()
	r := o.must("state", id)
	var st map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		o.t.Fatalf("state %s: %v\n%s", id, err, r)
	}
	return st
}

// waitStatus polls runsc state until id has status want.
func (o *oci) waitStatus(id, want string) {
	o.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := o.state(id)
		if st["status"] == want {
			return
		}
		if time.Now().After(deadline) {
			o.t.Fatalf("container %s is %v, want %s", id, st["status"], want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkClean force-deletes what is left, then checks that the state root
// is empty and that no process names it any more.
func (o *oci) checkClean() {
	ents, _ := os.ReadDir(o.root)
	for _, e := range ents {
		o.run("delete", "--force", e.Name())
	}
	if ents, _ := os.ReadDir(o.root); len(ents) != 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		o.t.Errorf("state root not empty after the test: %v", names)
	}
	// Reap what the sandboxes left to this subreaper, then look for
	// survivors.
	for {
		var ws syscall.WaitStatus
		if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid <= 0 || err != nil {
			break
		}
	}
	if left := processesNaming(o.root); len(left) > 0 {
		o.t.Errorf("processes left behind: %v", left)
	}
}

// processesNaming lists live processes with --root=dir in their command
// line (the gofer, the sandbox and its stubs carry the global flags).
func processesNaming(dir string) []string {
	var out []string
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range cmdlines {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		for _, a := range args {
			if a == "--root="+dir {
				stat, _ := os.ReadFile(filepath.Join(filepath.Dir(f), "stat"))
				if i := strings.LastIndexByte(string(stat), ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
					break
				}
				out = append(out, strings.Join(args, " "))
				break
			}
		}
	}
	return out
}
