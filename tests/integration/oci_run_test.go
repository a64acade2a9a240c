package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestOCIRun checks run's exit codes, output, --detach and --keep.
func TestOCIRun(t *testing.T) {
	o := newOCI(t)
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"/bin/sh", "-c", "echo hello; exit 42"}, 42, "hello\n"},
		{[]string{"/bin/true"}, 0, ""},
		// init cannot kill itself (PID namespace rule); a child can die.
		{[]string{"/bin/sh", "-c", "sleep 10 & kill -9 $!; wait $!; exit $?"}, 137, ""},
	} {
		r := o.run("run", "--bundle", o.bundle(nil, tc.args...), "r1")
		if r.code != tc.code || r.stdout != tc.out {
			t.Errorf("run %q: want %d %q, got %s", tc.args, tc.code, tc.out, r)
		}
		if ents, _ := os.ReadDir(o.root); len(ents) != 0 {
			t.Errorf("run %q left state behind", tc.args)
		}
	}

	o.must("run", "--detach", "--bundle", o.bundle(nil, loopUntilTERM...), "d1")
	o.waitStatus("d1", "running")
	o.must("kill", "d1", "SIGTERM")
	if r := o.must("wait", "d1"); !strings.Contains(r.stdout, `"exitStatus":7`) {
		t.Errorf("wait: %s", r)
	}
	o.must("delete", "d1")

	if r := o.run("run", "--keep", "--bundle", o.bundle(nil, "/bin/sh", "-c", "exit 3"), "k1"); r.code != 3 {
		t.Errorf("run --keep: %s", r)
	}
	o.waitStatus("k1", "stopped")
	o.must("delete", "k1")
}

// TestOCIMountThroughSymlink mounts on a destination that is a symlink
// pointing far above the root: it resolves inside the container's root,
// and nothing happens on the host outside the bundle's rootfs.
func TestOCIMountThroughSymlink(t *testing.T) {
	o := newOCI(t)
	rootfs := o.minimalRootfs()
	outside := t.TempDir() // a host directory the link aims at
	os.Symlink("../../../../../../../.."+outside, filepath.Join(rootfs, "evil"))
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "marker"), []byte("m\n"), 0o644)
	bundle := o.bundle(func(s *specs.Spec) {
		s.Root = &specs.Root{Path: rootfs}
		// No tmpfs on /tmp: outside's name starts with /tmp.
		s.Mounts = append(s.Mounts[:2], specs.Mount{Destination: "/evil", Type: "bind", Source: src, Options: []string{"rbind", "ro"}})
	}, "/bin/busybox", "cat", "/evil/marker", outside+"/marker")
	if r := o.run("run", "--bundle", bundle, "m1"); r.code != 0 || r.stdout != "m\nm\n" {
		t.Errorf("run: %s", r)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("the host directory behind the symlink changed: %v", ents)
	}
	if _, err := os.Stat(filepath.Join(rootfs, outside)); err != nil {
		t.Errorf("the mount point was not created inside the rootfs: %v", err)
	}
}

// TestOCINetworkNamespacePath checks that the sandbox joins the network
// namespace the spec names (Docker, CRI) instead of making its own.
func TestOCINetworkNamespacePath(t *testing.T) {
	o := newOCI(t)
	holder := exec.Command("unshare", "--net", "sleep", "1000")
	if err := holder.Start(); err != nil {
		t.Skipf("unshare: %v", err)
	}
	defer func() {
		holder.Process.Kill()
		holder.Wait()
	}()
	nsPath := fmt.Sprintf("/proc/%d/ns/net", holder.Process.Pid)
	var want string
	for i := 0; i < 100; i++ { // until unshare has exec'd sleep
		want, _ = os.Readlink(nsPath)
		self, _ := os.Readlink("/proc/self/ns/net")
		if want != "" && want != self {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	bundle := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: nsPath}}}
	}, "/bin/sleep", "1000")
	o.must("create", "--bundle", bundle, "n1")
	pid := int(o.state("n1")["pid"].(float64))
	got, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	if got != want {
		t.Errorf("sandbox network namespace %q, want %q", got, want)
	}
	o.must("delete", "n1")

	bad := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: "/nonexistent/ns"}}}
	}, "/bin/true")
	o.fails("network namespace", "create", "--bundle", bad, "n2")
}

// TestOCIHostSettings checks what the spec sets on the host processes:
// oomScoreAdj on the sandbox (and so on its stubs); namespaced sysctls
// are accepted.
func TestOCIHostSettings(t *testing.T) {
	o := newOCI(t)
	adj := 123
	bundle := o.bundle(func(s *specs.Spec) {
		s.Process.OOMScoreAdj = &adj
		s.Linux = &specs.Linux{Sysctl: map[string]string{"net.ipv4.ip_unprivileged_port_start": "0"}}
	}, "/bin/sleep", "1000")
	o.must("create", "--bundle", bundle, "h1")
	pid := int(o.state("h1")["pid"].(float64))
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/oom_score_adj", pid))
	if strings.TrimSpace(string(b)) != "123" {
		t.Errorf("sandbox oom_score_adj %q, want 123", b)
	}
	o.must("delete", "h1")
}

// TestOCIRunForwardsSignals sends SIGTERM to runsc run and to runsc exec:
// each reaches its process, whose exit code comes back.
func TestOCIRunForwardsSignals(t *testing.T) {
	o := newOCI(t)
	trap := func(code int) []string {
		return []string{"/bin/sh", "-c", fmt.Sprintf(`trap "exit %d" TERM; echo ready; while :; do sleep 0.05; done`, code)}
	}
	start := func(args ...string) (*exec.Cmd, string) {
		out := filepath.Join(t.TempDir(), "out")
		f, _ := os.Create(out)
		defer f.Close()
		cmd := exec.Command(o.runsc, append([]string{"--root=" + o.root}, args...)...)
		cmd.Stdout = f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, out
	}
	waitReady := func(out string) {
		for i := 0; i < 400; i++ {
			if b, _ := os.ReadFile(out); strings.Contains(string(b), "ready") {
				return
			}
			time.Sleep(25 * time.Millisecond)
		}
		t.Fatalf("%s never said ready", out)
	}
	run, out := start("run", "--bundle", o.bundle(nil, trap(9)...), "s1")
	waitReady(out)
	ex, exOut := start(append([]string{"exec", "s1"}, trap(4)...)...)
	waitReady(exOut)
	ex.Process.Signal(syscall.SIGTERM)
	if err := ex.Wait(); ex.ProcessState.ExitCode() != 4 {
		t.Errorf("exec after SIGTERM: %v", err)
	}
	run.Process.Signal(syscall.SIGTERM)
	if err := run.Wait(); run.ProcessState.ExitCode() != 9 {
		t.Errorf("run after SIGTERM: %v", err)
	}
}

// minimalRootfs is a writable tree with /bin/busybox and empty /proc,
// /dev and /tmp.
func (o *oci) minimalRootfs() string {
	o.t.Helper()
	rootfs := o.t.TempDir()
	for _, d := range []string{"bin", "proc", "dev", "tmp"} {
		os.Mkdir(filepath.Join(rootfs, d), 0o755)
	}
	bb, err := os.ReadFile(filepath.Join(o.rootfs, "bin", "busybox"))
	if err != nil {
		o.t.Fatal(err)
	}
	os.WriteFile(filepath.Join(rootfs, "bin", "busybox"), bb, 0o755)
	return rootfs
}

// TestOCIWritableRoot checks that changes to a read-write root land in the
// host directory, and that a read-only root refuses them.
func TestOCIWritableRoot(t *testing.T) {
	o := newOCI(t)
	rootfs := o.minimalRootfs()
	script := "echo hi > /newfile && /bin/busybox mkdir /d && /bin/busybox mv /newfile /d/f && /bin/busybox ln -s f /d/l"
	rw := o.bundle(func(s *specs.Spec) { s.Root = &specs.Root{Path: rootfs} }, "/bin/busybox", "sh", "-c", script)
	if r := o.run("run", "--bundle", rw, "w1"); r.code != 0 {
		t.Fatalf("run: %s", r)
	}
	if b, err := os.ReadFile(filepath.Join(rootfs, "d", "f")); err != nil || string(b) != "hi\n" {
		t.Errorf("host file: %q %v", b, err)
	}
	if l, err := os.Readlink(filepath.Join(rootfs, "d", "l")); err != nil || l != "f" {
		t.Errorf("host symlink: %q %v", l, err)
	}
	ro := o.bundle(func(s *specs.Spec) { s.Root = &specs.Root{Path: rootfs, Readonly: true} }, "/bin/busybox", "sh", "-c", "echo x > /other")
	if r := o.run("run", "--bundle", ro, "w2"); r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Errorf("write to a read-only root: %s", r)
	}
	if _, err := os.Stat(filepath.Join(rootfs, "other")); err == nil {
		t.Error("a read-only root was written")
	}
}

// TestOCIDevices checks linux.devices: nodes with the spec's type,
// numbers, mode and owner; a number the sentry serves works.
func TestOCIDevices(t *testing.T) {
	o := newOCI(t)
	mode := os.FileMode(0o640)
	uid, gid := uint32(5), uint32(6)
	bundle := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{Devices: []specs.LinuxDevice{
			{Path: "/dev/test1", Type: "c", Major: 10, Minor: 666, FileMode: &mode, UID: &uid, GID: &gid},
			{Path: "/dev/test2", Type: "b", Major: 8, Minor: 666},
			{Path: "/dev/test3", Type: "p"},
			{Path: "/dev/sub/mynull", Type: "c", Major: 1, Minor: 3},
		}}
	}, "/bin/sh", "-c", "stat -c '%n %F %t:%T %a %u:%g' /dev/test1 /dev/test2 /dev/test3 && echo gone > /dev/sub/mynull && echo ok")
	want := "/dev/test1 character special file a:29a 640 5:6\n" +
		"/dev/test2 block special file 8:29a 666 0:0\n" +
		"/dev/test3 fifo 0:0 666 0:0\nok\n"
	if r := o.run("run", "--bundle", bundle, "d1"); r.code != 0 || r.stdout != want {
		t.Errorf("devices: %s\nwant:\n%s", r, want)
	}
}
