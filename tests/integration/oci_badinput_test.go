package integration

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestOCIBadBundles checks that create fails with a clear error and leaves
// nothing behind for every kind of broken bundle.
func TestOCIBadBundles(t *testing.T) {
	o := newOCI(t)
	good := o.bundle(nil, "/bin/true")
	goodJSON, err := os.ReadFile(filepath.Join(good, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	withConfig := func(content string) string {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "config.json"), []byte(content), 0o644)
		return dir
	}
	for _, tc := range []struct {
		name, bundle, want string
	}{
		{"missing bundle", filepath.Join(t.TempDir(), "nope"), "no such file or directory"},
		{"no config.json", t.TempDir(), "config.json"},
		{"malformed config", withConfig("{{ not json"), "invalid OCI spec"},
		{"truncated config", withConfig(string(goodJSON[:len(goodJSON)/2])), "invalid OCI spec"},
		{"empty config", withConfig(""), "invalid OCI spec"},
		{"wrong ociVersion", o.bundle(func(s *specs.Spec) { s.Version = "0.9.0" }, "/bin/true"), "ociVersion"},
		{"no process", o.bundle(func(s *specs.Spec) { s.Process = nil }, "/bin/true"), "process"},
		{"empty args", o.bundle(func(s *specs.Spec) { s.Process.Args = nil }, "/bin/true"), "args"},
		{"rootfs does not exist", o.bundle(func(s *specs.Spec) { s.Root.Path = "/nonexistent/rootfs" }, "/bin/true"), "/nonexistent/rootfs"},
		{"program does not exist", o.bundle(nil, "/nonexistent"), "no such file or directory"},
		{"program not in PATH", o.bundle(nil, "no-such-program"), "no such file or directory"},
		{"bind source missing", o.bundle(func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/home", Type: "bind", Source: "/nonexistent/src", Options: []string{"rbind"}})
		}, "/bin/true"), "/nonexistent/src"},
		// A missing mount point is created, read-only root or not
		// (TestOCIMountPoints); one below a file cannot be.
		{"mount point below a file", o.bundle(func(s *specs.Spec) {
			s.Root.Path = o.minimalRootfs()
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/bin/busybox/dir", Type: "bind", Source: t.TempDir(), Options: []string{"rbind"}})
		}, "/bin/true"), "creating mount point /bin/busybox/dir: /bin/busybox: not a directory"},
		{"host sysctl", o.bundle(func(s *specs.Spec) {
			s.Linux = &specs.Linux{Sysctl: map[string]string{"vm.swappiness": "0"}}
		}, "/bin/true"), "vm.swappiness"},
		{"unsupported mount type", o.bundle(func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/home", Type: "ext4", Source: "/dev/sda1"})
		}, "/bin/true"), "unsupported type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o.fails(tc.want, "create", "--bundle", tc.bundle, "bad")
			o.fails("does not exist", "state", "bad")
			if ents, _ := os.ReadDir(o.root); len(ents) != 0 {
				t.Errorf("state left behind: %v", ents)
			}
			if left := processesNaming(o.root); len(left) > 0 {
				t.Errorf("processes left behind: %v", left)
			}
		})
	}
}

// TestOCIBadIDs checks container ID validation and unknown IDs.
func TestOCIBadIDs(t *testing.T) {
	o := newOCI(t)
	bundle := o.bundle(nil, "/bin/true")
	for _, id := range []string{"a/b", "..", "../escape", "/abs", "", ".hidden"} {
		o.fails("invalid container id", "create", "--bundle", bundle, id)
	}
	for _, cmd := range [][]string{
		{"state", "unknown"}, {"start", "unknown"}, {"kill", "unknown"}, {"delete", "unknown"},
		{"exec", "unknown", "/bin/true"}, {"wait", "unknown"}, {"ps", "unknown"},
	} {
		o.fails("does not exist", cmd...)
	}
	o.fails("requires exactly 1 argument", "state")
	o.fails("requires exactly 1 argument", "start", "a", "b")
}

// TestOCIBadTransitions checks operations in the wrong state.
func TestOCIBadTransitions(t *testing.T) {
	o := newOCI(t)
	loop := o.bundle(nil, loopUntilTERM...)
	o.must("create", "--bundle", loop, "c1")
	o.fails("container with id exists", "create", "--bundle", loop, "c1")
	o.waitStatus("c1", "created") // the duplicate did not harm the original
	o.fails("wrong state", "wait", "c1")
	o.fails("not running", "exec", "c1", "/bin/true")
	o.must("start", "c1")
	o.fails("wrong state", "start", "c1")
	for _, sig := range []string{"SIGNOPE", "NOPE", "0", "65", "-1", "9x"} {
		o.fails("signal", "kill", "c1", sig)
	}
	o.waitStatus("c1", "running")
	o.must("kill", "c1", "KILL")
	o.must("wait", "c1")
	o.waitStatus("c1", "stopped")
	o.fails("wrong state", "start", "c1")
	o.fails("not running", "exec", "c1", "/bin/true")
	o.fails("not running", "kill", "c1")
	o.must("delete", "c1")
	o.fails("does not exist", "kill", "c1", "KILL")
	o.fails("does not exist", "delete", "c1")

	// Exec of a missing program fails and the container keeps running.
	o.must("run", "--detach", "--bundle", loop, "c2")
	if r := o.run("exec", "c2", "/nonexistent"); r.code == 0 {
		t.Errorf("exec of a missing program: %s", r)
	}
	o.waitStatus("c2", "running")
	o.fails("cannot allocate tty", "exec", "--detach", "--tty", "c2", "/bin/true")
	o.fails("not paused", "resume", "c2")
	o.must("delete", "--force", "c2")
}

// TestOCIConcurrentCreate races two creates of one ID: exactly one wins,
// and the loser leaves the winner intact.
func TestOCIConcurrentCreate(t *testing.T) {
	o := newOCI(t)
	bundle := o.bundle(nil, "/bin/sleep", "1000")
	results := make(chan result, 2)
	for i := 0; i < 2; i++ {
		go func() { results <- o.run("create", "--bundle", bundle, "same") }()
	}
	r1, r2 := <-results, <-results
	if (r1.code == 0) == (r2.code == 0) {
		t.Fatalf("want exactly one create to succeed:\n%s\n%s", r1, r2)
	}
	o.waitStatus("same", "created")
	o.must("delete", "same")
}
