package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/tests/testutil"
)

// Pods: containers that join another container's sandbox through the
// CRI's annotations (docs/kubernetes.md).

// podRootfs builds a busybox tree whose /etc/whoami holds name, so that
// each container of a pod can tell its root file system from the others'.
func podRootfs(t *testing.T, name string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "whoami")
	if err := os.WriteFile(f, []byte(name+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := testutil.BusyboxRootfs("pod-"+name, map[string]string{"etc/whoami": f})
	if err != nil {
		t.Fatalf("busybox rootfs: %v", err)
	}
	return root
}

// podMember returns a spec edit making a container of the pod whose
// sandbox container is sandbox: rootfs, the shared volume at /data, and a
// PID namespace of its own, or the sandbox's (a path, as the CRI gives
// for shareProcessNamespace).
func podMember(sandbox, rootfs, volume string, sharePID bool) func(*specs.Spec) {
	return func(s *specs.Spec) {
		s.Root.Path, s.Root.Readonly = rootfs, false
		s.Annotations = map[string]string{
			"io.kubernetes.cri.container-type": "container",
			"io.kubernetes.cri.sandbox-id":     sandbox,
		}
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: volume, Options: []string{"rbind", "rw"}})
		ns := specs.LinuxNamespace{Type: specs.PIDNamespace}
		if sharePID {
			ns.Path = "/proc/1/ns/pid"
		}
		s.Linux = &specs.Linux{Namespaces: []specs.LinuxNamespace{ns, {Type: specs.MountNamespace}}}
	}
}

// podSandbox is the spec edit of a pod's sandbox container.
func podSandbox(id string) func(*specs.Spec) {
	return func(s *specs.Spec) {
		s.Annotations = map[string]string{
			"io.kubernetes.cri.container-type": "sandbox",
			"io.kubernetes.cri.sandbox-id":     id,
		}
	}
}

// psCommands lists the command lines runsc ps prints for id, by PID.
func (o *oci) psCommands(id string) map[string]string {
	o.t.Helper()
	out := map[string]string{}
	lines := strings.Split(strings.TrimSpace(o.must("ps", id).stdout), "\n")
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) >= 8 {
			out[f[1]] = strings.Join(f[7:], " ")
		}
	}
	return out
}

// execOut runs a command in container id and returns its output.
func (o *oci) execOut(id string, args ...string) string {
	o.t.Helper()
	return o.must(append([]string{"exec", id}, args...)...).stdout
}

// TestOCIPod runs a pod: a sandbox container and two containers that
// join its sandbox, each with its own root file system and PID namespace,
// sharing a volume; then takes it down piece by piece.
func TestOCIPod(t *testing.T) {
	o := newOCI(t)
	volume := t.TempDir()
	os.Chmod(volume, 0o777)
	o.must("create", "--bundle", o.bundle(podSandbox("pod"), "/bin/sleep", "1000"), "pod")
	o.must("start", "pod")
	o.must("create", "--bundle", o.bundle(podMember("pod", podRootfs(t, "alpha"), volume, false),
		"/bin/sh", "-c", "echo written-by-a > /data/a; exec sleep 1001"), "a")
	o.must("create", "--bundle", o.bundle(podMember("pod", podRootfs(t, "beta"), volume, false), "/bin/sleep", "1002"), "b")
	if st := o.state("a"); st["status"] != "created" {
		t.Errorf("a after create: %v", st)
	}
	o.must("start", "a")
	o.must("start", "b")

	// state.json names the sandbox; every member reports its PID.
	var st struct {
		SandboxID  string `json:"sandboxId"`
		SandboxPID int    `json:"sandboxPid"`
	}
	b, _ := os.ReadFile(filepath.Join(o.root, "a", "state.json"))
	if err := json.Unmarshal(b, &st); err != nil || st.SandboxID != "pod" {
		t.Errorf("state.json of a: %s (%v)", b, err)
	}
	if s := o.state("a"); s["status"] != "running" || s["pid"] != o.state("pod")["pid"] {
		t.Errorf("state of a: %v, of pod: %v", s, o.state("pod"))
	}

	// Each sees its own root file system.
	if got := o.execOut("a", "cat", "/etc/whoami"); got != "alpha\n" {
		t.Errorf("a's /etc/whoami: %q", got)
	}
	if got := o.execOut("b", "cat", "/etc/whoami"); got != "beta\n" {
		t.Errorf("b's /etc/whoami: %q", got)
	}
	if r := o.run("exec", "pod", "cat", "/etc/whoami"); r.code == 0 {
		t.Errorf("the sandbox container sees a member's file: %s", r)
	}

	// The volume is shared, both ways and with the host.
	o.waitFile(filepath.Join(volume, "a"))
	if got := o.execOut("b", "cat", "/data/a"); got != "written-by-a\n" {
		t.Errorf("b reads a's file: %q", got)
	}
	o.must("exec", "b", "sh", "-c", "echo written-by-b > /data/b")
	if got := o.execOut("a", "cat", "/data/b"); got != "written-by-b\n" {
		t.Errorf("a reads b's file: %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(volume, "b")); string(got) != "written-by-b\n" {
		t.Errorf("host reads b's file: %q", got)
	}

	// Separate PID namespaces: each init is PID 1 and sees only its own.
	for id, want := range map[string]string{"a": "sleep 1001", "b": "sleep 1002", "pod": "sleep 1000"} {
		ps := o.psCommands(id)
		if len(ps) != 1 || !strings.HasSuffix(ps["1"], want) {
			t.Errorf("runsc ps %s: %v, want only %q as PID 1", id, ps, want)
		}
	}
	out := o.execOut("a", "ps", "-o", "pid,args")
	if pidOf(out, "sleep 1001") != "1" || strings.Contains(out, "sleep 1002") || strings.Contains(out, "sleep 1000") {
		t.Errorf("ps inside a:\n%s", out)
	}
	if got := o.execOut("b", "sh", "-c", "echo $$ $PPID; cat /proc/1/cmdline | tr '\\0' ' '"); !strings.HasSuffix(got, "sleep 1002 ") || strings.HasPrefix(got, "1 ") {
		t.Errorf("b's view of itself and of PID 1: %q", got)
	}
	// Process groups and sessions are numbered in the namespace too: an
	// exec'd shell leads its own.
	if f := strings.Fields(o.execOut("a", "sh", "-c", "echo $$ $(cut -d' ' -f5,6 /proc/$$/stat)")); len(f) != 3 || f[0] != f[1] || f[0] != f[2] || f[0] == "0" {
		t.Errorf("pid, pgid and sid of a shell exec'd in a: %v", f)
	}
	if got := o.execOut("a", "hostname"); got != "moat-test\n" {
		t.Errorf("hostname in a: %q", got)
	}

	// Pausing is the whole sandbox's.
	o.fails("applies to the whole pod", "pause", "b")
	o.must("pause", "pod")
	o.must("resume", "pod")

	// Stopping one member leaves the others running.
	o.must("kill", "a", "KILL")
	if r := o.must("wait", "a"); !strings.Contains(r.stdout, `"exitStatus":137`) {
		t.Errorf("wait a: %s", r)
	}
	o.waitStatus("a", "stopped")
	if got := o.execOut("b", "cat", "/etc/whoami"); got != "beta\n" {
		t.Errorf("b after a stopped: %q", got)
	}
	o.must("delete", "a")
	if _, err := os.Stat(filepath.Join(o.root, "a")); !os.IsNotExist(err) {
		t.Errorf("a's state directory after delete: %v", err)
	}
	if st := o.state("b"); st["status"] != "running" {
		t.Errorf("b after deleting a: %v", st)
	}
	if st := o.state("pod"); st["status"] != "running" {
		t.Errorf("pod after deleting a: %v", st)
	}
	o.must("exec", "--detach", "b", "sleep", "1003")
	if ps := o.psCommands("b"); len(ps) != 2 {
		t.Errorf("runsc ps b with an exec: %v", ps)
	}
	o.must("kill", "--all", "b", "KILL")
	o.waitStatus("b", "stopped")
	if st := o.state("pod"); st["status"] != "running" {
		t.Errorf("pod after kill --all b: %v", st)
	}

	// A new member after others left; then the sandbox goes, with it.
	o.must("create", "--bundle", o.bundle(podMember("pod", podRootfs(t, "alpha"), volume, false), "/bin/sleep", "1004"), "c")
	o.must("start", "c")
	o.must("delete", "--force", "pod")
	o.waitStatus("c", "stopped")
	o.waitStatus("b", "stopped")
	o.must("delete", "c")
	o.must("delete", "b")
}

// TestOCIPodSharedPIDNamespace: members that join the sandbox's PID
// namespace (shareProcessNamespace) see each other's processes and the
// sandbox's init as PID 1.
func TestOCIPodSharedPIDNamespace(t *testing.T) {
	o := newOCI(t)
	volume := t.TempDir()
	o.must("run", "--detach", "--bundle", o.bundle(podSandbox("pod"), "/bin/sleep", "1000"), "pod")
	o.must("run", "--detach", "--bundle", o.bundle(podMember("pod", podRootfs(t, "alpha"), volume, true), "/bin/sleep", "1001"), "a")
	o.must("run", "--detach", "--bundle", o.bundle(podMember("pod", podRootfs(t, "beta"), volume, true), "/bin/sleep", "1002"), "b")
	out := o.execOut("a", "ps", "-o", "pid,args")
	if pidOf(out, "sleep 1000") != "1" || pidOf(out, "sleep 1001") == "" || pidOf(out, "sleep 1002") == "" {
		t.Errorf("ps inside a, want the sandbox's init as PID 1 and both members:\n%s", out)
	}
	// runsc ps still lists each container's own processes.
	psA, psB := o.psCommands("a"), o.psCommands("b")
	if len(psA) != 1 || len(psB) != 1 || strings.Contains(strings.Join(mapValues(psA), " "), "sleep 1002") {
		t.Errorf("runsc ps a: %v, b: %v", psA, psB)
	}
	var pidB string
	for pid := range psB {
		pidB = pid
	}
	if pidB == "1" {
		t.Errorf("b's init is PID 1 in the shared namespace")
	}
	// a can signal b's process: they share the namespace.
	o.must("exec", "a", "kill", "-KILL", pidB)
	if r := o.must("wait", "b"); !strings.Contains(r.stdout, `"exitStatus":137`) {
		t.Errorf("wait b after a killed it: %s", r)
	}
	if st := o.state("a"); st["status"] != "running" {
		t.Errorf("a after b died: %v", st)
	}
	o.must("delete", "--force", "a")
	o.must("delete", "b")
	o.must("delete", "--force", "pod")
}

// TestOCIPodBadJoin: joining a sandbox that does not exist or is not
// running fails cleanly.
func TestOCIPodBadJoin(t *testing.T) {
	o := newOCI(t)
	volume := t.TempDir()
	rootfs := podRootfs(t, "alpha")
	o.fails("does not exist", "create", "--bundle", o.bundle(podMember("nope", rootfs, volume, false), "/bin/true"), "x")
	o.must("create", "--bundle", o.bundle(podSandbox("pod"), "/bin/sleep", "1000"), "pod")
	o.fails("created", "create", "--bundle", o.bundle(podMember("pod", rootfs, volume, false), "/bin/true"), "x")
	o.must("start", "pod")
	o.fails("no-such-program", "create", "--bundle", o.bundle(podMember("pod", rootfs, volume, false), "no-such-program"), "x")
	if _, err := os.Stat(filepath.Join(o.root, "x")); !os.IsNotExist(err) {
		t.Errorf("state of a failed create: %v", err)
	}
	if ps := o.psCommands("pod"); len(ps) != 1 {
		t.Errorf("runsc ps pod after failed joins: %v", ps)
	}
	o.must("delete", "--force", "pod")
}

// waitFile waits until p exists.
func (o *oci) waitFile(p string) {
	o.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(p); err == nil {
			return
		}
		if time.Now().After(deadline) {
			o.t.Fatalf("%s did not appear", p)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pidOf returns the PID of the line of ps output that mentions cmd.
func pidOf(ps, cmd string) string {
	for _, l := range strings.Split(ps, "\n") {
		if f := strings.Fields(l); len(f) > 1 && strings.Contains(l, cmd) {
			return f[0]
		}
	}
	return ""
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
