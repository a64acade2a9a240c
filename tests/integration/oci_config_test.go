package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// This file proves the parts of config.json beyond the process: hooks,
// masked and read-only paths, file bind mounts, mount options, sysctls,
// rlimits, oomScoreAdj and the shape of /proc/self/mountinfo.

// hook returns a host hook running script with /bin/sh; the script sees
// HOOKDIR and its own name in KIND, and the hook's extra args as $1...
func hook(dir, kind, script string, args ...string) specs.Hook {
	return specs.Hook{
		Path: "/bin/sh",
		Args: append([]string{"sh", "-c", script, kind}, args...),
		Env:  []string{"PATH=/usr/bin:/bin", "HOOKDIR=" + dir, "KIND=" + kind},
	}
}

// recordHook saves its stdin as $HOOKDIR/$KIND.json and appends KIND and
// its first argument to $HOOKDIR/order.
const recordHook = `cat > "$HOOKDIR/$KIND.json"; echo "$KIND $1" >> "$HOOKDIR/order"`

// readHookState reads the state JSON a hook saved.
func readHookState(t *testing.T, dir, kind string) specs.State {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, kind+".json"))
	if err != nil {
		t.Fatalf("%s hook did not run: %v", kind, err)
	}
	var st specs.State
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("%s hook's stdin %q: %v", kind, b, err)
	}
	return st
}

// TestOCIHooks runs every kind of hook through create, start and delete:
// each runs on the host, in the spec's order, with its env and args and
// the state JSON on stdin.
func TestOCIHooks(t *testing.T) {
	o := newOCI(t)
	dir := t.TempDir()
	bundle := o.bundle(func(s *specs.Spec) {
		s.Annotations = map[string]string{"org.example.test": "hooks"}
		s.Hooks = &specs.Hooks{
			Prestart:        []specs.Hook{hook(dir, "prestart", recordHook, "a"), hook(dir, "prestart2", recordHook, "b")},
			CreateRuntime:   []specs.Hook{hook(dir, "createRuntime", recordHook, "c")},
			CreateContainer: []specs.Hook{hook(dir, "createContainer", recordHook, "d")},
			StartContainer:  []specs.Hook{hook(dir, "startContainer", recordHook, "e")},
			Poststart:       []specs.Hook{hook(dir, "poststart", recordHook, "f")},
			Poststop:        []specs.Hook{hook(dir, "poststop", recordHook, "g")},
		}
	}, loopUntilTERM...)
	order := func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "order"))
		return string(b)
	}
	o.must("create", "--bundle", bundle, "h1")
	if got, want := order(), "prestart a\nprestart2 b\ncreateRuntime c\ncreateContainer d\n"; got != want {
		t.Errorf("after create, hooks ran %q, want %q", got, want)
	}
	pid := int(o.state("h1")["pid"].(float64))
	for _, kind := range []string{"prestart", "createRuntime", "createContainer"} {
		st := readHookState(t, dir, kind)
		if st.ID != "h1" || st.Status != "created" || st.Pid != pid || st.Bundle != bundle ||
			st.Annotations["org.example.test"] != "hooks" || st.Version != specs.Version {
			t.Errorf("%s hook's state: %+v (sandbox pid %d, bundle %s)", kind, st, pid, bundle)
		}
	}
	o.must("start", "h1")
	if got, want := order(), "prestart a\nprestart2 b\ncreateRuntime c\ncreateContainer d\nstartContainer e\npoststart f\n"; got != want {
		t.Errorf("after start, hooks ran %q, want %q", got, want)
	}
	if st := readHookState(t, dir, "startContainer"); st.Status != "created" || st.Pid != pid {
		t.Errorf("startContainer hook's state: %+v", st)
	}
	if st := readHookState(t, dir, "poststart"); st.Status != "running" || st.Pid != pid {
		t.Errorf("poststart hook's state: %+v", st)
	}
	if _, err := os.Stat(filepath.Join(dir, "poststop.json")); err == nil {
		t.Errorf("poststop ran before delete")
	}
	o.must("kill", "h1", "KILL")
	o.waitStatus("h1", "stopped")
	o.must("delete", "h1")
	if st := readHookState(t, dir, "poststop"); st.Status != "stopped" || st.ID != "h1" || st.Pid != 0 || st.Bundle != bundle {
		t.Errorf("poststop hook's state: %+v", st)
	}
	if got := order(); !strings.HasSuffix(got, "poststart f\npoststop g\n") {
		t.Errorf("hooks ran %q, want poststop last", got)
	}
}

// TestOCIHookFailures checks the spec's failure rules: a failing
// prestart, createRuntime, createContainer or startContainer hook fails
// the command and destroys the container (its poststop hooks still run);
// failing poststart and poststop hooks are warnings and the hooks after
// them run.
func TestOCIHookFailures(t *testing.T) {
	o := newOCI(t)
	for _, kind := range []string{"prestart", "createRuntime", "createContainer"} {
		dir := t.TempDir()
		bundle := o.bundle(func(s *specs.Spec) {
			fail := []specs.Hook{hook(dir, kind, `echo "no way" >&2; exit 3`), hook(dir, kind+"-after", recordHook)}
			s.Hooks = &specs.Hooks{Poststop: []specs.Hook{hook(dir, "poststop", recordHook)}}
			switch kind {
			case "prestart":
				s.Hooks.Prestart = fail
			case "createRuntime":
				s.Hooks.CreateRuntime = fail
			default:
				s.Hooks.CreateContainer = fail
			}
		}, "/bin/true")
		o.fails("no way", "create", "--bundle", bundle, "f1")
		if ents, _ := os.ReadDir(o.root); len(ents) != 0 {
			t.Errorf("failing %s hook left state behind", kind)
		}
		o.fails("does not exist", "state", "f1")
		if _, err := os.Stat(filepath.Join(dir, kind+"-after.json")); err == nil {
			t.Errorf("the hook after a failing %s hook ran", kind)
		}
		readHookState(t, dir, "poststop")
	}

	dir := t.TempDir()
	bundle := o.bundle(func(s *specs.Spec) {
		s.Hooks = &specs.Hooks{StartContainer: []specs.Hook{hook(dir, "startContainer", "exit 1")}}
	}, "/bin/sh", "-c", "echo ran > /dev/stderr")
	o.must("create", "--bundle", bundle, "s1")
	o.fails("startContainer", "start", "s1")
	o.fails("does not exist", "state", "s1")
	bundle = o.bundle(func(s *specs.Spec) {
		s.Hooks = &specs.Hooks{
			StartContainer: []specs.Hook{hook(dir, "startContainer", "exit 1")},
			Poststop:       []specs.Hook{hook(dir, "poststop", recordHook)},
		}
	}, "/bin/true")
	o.fails("startContainer", "run", "--bundle", bundle, "s2")
	if b, _ := os.ReadFile(filepath.Join(dir, "order")); string(b) != "poststop \n" {
		t.Errorf("run with a failing startContainer hook: hooks ran %q, want poststop once", b)
	}

	dir = t.TempDir()
	bundle = o.bundle(func(s *specs.Spec) {
		s.Hooks = &specs.Hooks{
			Poststart: []specs.Hook{hook(dir, "poststart", "exit 1"), hook(dir, "poststart2", recordHook)},
			Poststop:  []specs.Hook{hook(dir, "poststop", "exit 2"), hook(dir, "poststop2", recordHook)},
		}
	}, "/bin/true")
	o.must("create", "--bundle", bundle, "p1")
	if r := o.must("start", "p1"); !strings.Contains(r.stderr, "poststart hook /bin/sh: exit status 1") {
		t.Errorf("start: no warning for the failing poststart hook: %s", r)
	}
	readHookState(t, dir, "poststart2")
	o.waitStatus("p1", "stopped")
	if r := o.must("delete", "p1"); !strings.Contains(r.stderr, "poststop hook /bin/sh: exit status 2") {
		t.Errorf("delete: no warning for the failing poststop hook: %s", r)
	}
	readHookState(t, dir, "poststop2")
}

// TestOCIHookTimeout checks that a hook past its timeout is killed with
// the processes it started, and that create fails and cleans up.
func TestOCIHookTimeout(t *testing.T) {
	o := newOCI(t)
	dir := t.TempDir()
	one := 1
	slow := hook(dir, "prestart", `sleep 60 & echo $! > "$HOOKDIR/child"; echo $$ > "$HOOKDIR/pid"; wait`)
	slow.Timeout = &one
	bundle := o.bundle(func(s *specs.Spec) { s.Hooks = &specs.Hooks{Prestart: []specs.Hook{slow}} }, "/bin/true")
	o.fails("timed out after 1s", "create", "--bundle", bundle, "t1")
	for _, f := range []string{"pid", "child"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("the hook did not start: %v", err)
		}
		var pid int
		fmt.Sscan(string(b), &pid)
		if pid > 0 && syscall.Kill(pid, 0) == nil {
			if st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); !strings.Contains(string(st), ") Z ") {
				t.Errorf("hook process %d (%s) still alive after its timeout", pid, f)
			}
		}
	}
	zero := 0
	slow.Timeout = &zero
	bundle = o.bundle(func(s *specs.Spec) { s.Hooks = &specs.Hooks{Poststop: []specs.Hook{slow}} }, "/bin/true")
	o.fails("timeout must be greater than zero", "create", "--bundle", bundle, "t2")
	rel := hook(dir, "prestart", "true")
	rel.Path = "sh"
	bundle = o.bundle(func(s *specs.Spec) { s.Hooks = &specs.Hooks{Prestart: []specs.Hook{rel}} }, "/bin/true")
	o.fails("is not absolute", "create", "--bundle", bundle, "t3")
}

// dataDir is a host directory for bind mounts: a file, a directory with a
// file, and a read-write file.
func dataDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	os.Chmod(d, 0o755)
	os.WriteFile(filepath.Join(d, "secret-file"), []byte("secret\n"), 0o644)
	os.Mkdir(filepath.Join(d, "secret-dir"), 0o755)
	os.WriteFile(filepath.Join(d, "secret-dir", "f"), []byte("secret\n"), 0o644)
	os.WriteFile(filepath.Join(d, "ro-file"), []byte("ro\n"), 0o666)
	os.Mkdir(filepath.Join(d, "ro-dir"), 0o777)
	os.WriteFile(filepath.Join(d, "rw-file"), []byte("rw\n"), 0o666)
	return d
}

// TestOCIMaskedAndReadonlyPaths masks a file and a directory of a bind
// mount and makes others read-only, then checks from inside and on the
// host; a relative path and a symlink loop fail create.
func TestOCIMaskedAndReadonlyPaths(t *testing.T) {
	o := newOCI(t)
	data := dataDir(t)
	script := `
cat /home/secret-file; echo "file:$?"
ls -A /home/secret-dir; echo "dir:$?"
touch /home/secret-dir/x 2>/dev/null; echo "mkdir-in-masked:$?"
cat /home/ro-file
echo x > /home/ro-file 2>/dev/null; echo "write-ro-file:$?"
touch /home/ro-dir/new 2>/dev/null; echo "create-in-ro-dir:$?"
echo changed > /home/rw-file; echo "write-rw-file:$?"
cat /proc/kcore 2>/dev/null; echo "missing-masked:$?"
`
	bundle := o.bundle(func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/home", Type: "bind", Source: data, Options: []string{"rbind", "rw"}})
		s.Linux = &specs.Linux{
			MaskedPaths:   []string{"/home/secret-file", "/home/secret-dir", "/proc/kcore"},
			ReadonlyPaths: []string{"/home/ro-file", "/home/ro-dir"},
		}
	}, "/bin/sh", "-c", script)
	r := o.run("run", "--bundle", bundle, "m1")
	want := "file:0\ndir:0\nmkdir-in-masked:1\nro\nwrite-ro-file:1\ncreate-in-ro-dir:1\nwrite-rw-file:0\nmissing-masked:1\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("inside: want %q, got %s", want, r)
	}
	if b, _ := os.ReadFile(filepath.Join(data, "rw-file")); string(b) != "changed\n" {
		t.Errorf("host rw-file %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(data, "ro-file")); string(b) != "ro\n" {
		t.Errorf("host ro-file %q", b)
	}
	if _, err := os.Stat(filepath.Join(data, "ro-dir", "new")); err == nil {
		t.Errorf("a file was created in the read-only directory")
	}
	if _, err := os.Stat(filepath.Join(data, "secret-dir", "x")); err == nil {
		t.Errorf("a file was created in the masked directory")
	}

	bad := o.bundle(func(s *specs.Spec) { s.Linux = &specs.Linux{MaskedPaths: []string{"relative"}} }, "/bin/true")
	o.fails(`masked path "relative" is not absolute`, "create", "--bundle", bad, "m2")
	bad = o.bundle(func(s *specs.Spec) { s.Linux = &specs.Linux{ReadonlyPaths: []string{"relative"}} }, "/bin/true")
	o.fails(`read-only path "relative" is not absolute`, "create", "--bundle", bad, "m3")
	loop := t.TempDir()
	os.Chmod(loop, 0o755)
	os.Symlink("loop", filepath.Join(loop, "loop")) // points at itself
	bad = o.bundle(func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/var", Type: "bind", Source: loop})
		s.Linux = &specs.Linux{MaskedPaths: []string{"/var/loop"}}
	}, "/bin/true")
	o.fails("masked path /var/loop", "create", "--bundle", bad, "m4")
}

// TestOCIFileBindMounts binds single host files, read-only and
// read-write, over existing and missing mount points.
func TestOCIFileBindMounts(t *testing.T) {
	o := newOCI(t)
	data := dataDir(t)
	script := `cat /etc/passwd; cat /tmp/rw; echo x > /etc/passwd 2>/dev/null; echo "ro:$?"; echo new > /tmp/rw; echo "rw:$?"`
	bundle := o.bundle(func(s *specs.Spec) {
		s.Mounts = append(s.Mounts,
			specs.Mount{Destination: "/etc/passwd", Type: "bind", Source: filepath.Join(data, "ro-file"), Options: []string{"bind", "ro"}},
			specs.Mount{Destination: "/tmp/rw", Type: "bind", Source: filepath.Join(data, "rw-file"), Options: []string{"bind"}})
	}, "/bin/sh", "-c", script)
	r := o.run("run", "--bundle", bundle, "f1")
	if want := "ro\nrw\nro:1\nrw:0\n"; r.code != 0 || r.stdout != want {
		t.Errorf("want %q, got %s", want, r)
	}
	if b, _ := os.ReadFile(filepath.Join(data, "rw-file")); string(b) != "new\n" {
		t.Errorf("host rw-file %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(data, "ro-file")); string(b) != "ro\n" {
		t.Errorf("host ro-file %q", b)
	}
}

// TestOCIMountOptions checks that ro, noexec and nodev are enforced and
// shown, and that nosuid is shown.
func TestOCIMountOptions(t *testing.T) {
	o := newOCI(t)
	data := dataDir(t)
	script := `
cp /bin/busybox /tmp/x/true && /tmp/x/true 2>/dev/null; echo "exec-noexec:$?"
cp /bin/busybox /tmp/y/true && /tmp/y/true; echo "exec:$?"
mknod /tmp/x/null c 1 3 && cat /tmp/x/null 2>/dev/null; echo "dev-nodev:$?"
mknod /tmp/y/null c 1 3 && cat /tmp/y/null; echo "dev:$?"
touch /home/new 2>/dev/null; echo "write-ro:$?"
grep -E ' /(tmp/x|tmp/y|home) ' /proc/self/mounts
`
	bundle := o.bundle(func(s *specs.Spec) {
		s.Mounts = append(s.Mounts,
			specs.Mount{Destination: "/tmp/x", Type: "tmpfs", Source: "xfs", Options: []string{"noexec", "nodev", "nosuid"}},
			specs.Mount{Destination: "/tmp/y", Type: "tmpfs", Source: "yfs"},
			specs.Mount{Destination: "/home", Type: "bind", Source: data, Options: []string{"bind", "ro", "nosuid", "nodev", "noexec"}})
		s.Process.Capabilities = nil // uid 0 with every capability: mknod works
	}, "/bin/sh", "-c", script)
	r := o.run("run", "--bundle", bundle, "o1")
	want := "exec-noexec:126\nexec:0\ndev-nodev:1\ndev:0\nwrite-ro:1\n" +
		"xfs /tmp/x tmpfs rw,nosuid,nodev,noexec,relatime 0 0\n" +
		"yfs /tmp/y tmpfs rw,relatime 0 0\n" +
		data + " /home 9p ro,nosuid,nodev,noexec,relatime 0 0\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("want %q, got %s", want, r)
	}
}

// TestOCISysctlRlimitsOOM checks linux.sysctl (kernel.hostname and
// domainname, the IPC
// namespace's limits and net.* applied, others refused), process.rlimits
// and process.oomScoreAdj as the container sees them.
func TestOCISysctlRlimitsOOM(t *testing.T) {
	o := newOCI(t)
	adj := 500
	script := `hostname; cat /proc/sys/kernel/domainname /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/ip_unprivileged_port_start; ulimit -n; ulimit -Hn; ulimit -c; cat /proc/self/oom_score_adj /proc/sys/kernel/shmmax /proc/sys/kernel/sem /proc/sys/kernel/msgmnb /proc/sys/fs/mqueue/msg_max /proc/sys/fs/mqueue/queues_max`
	bundle := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{Sysctl: map[string]string{
			"kernel.hostname": "from-sysctl", "kernel.domainname": "example.test", "net.ipv4.ip_forward": "1", "net.ipv4.ip_unprivileged_port_start": "0",
			"kernel.shmmax": "68719476736", "kernel.sem": "250 32000 100 128", "kernel.msgmnb": "65536",
			"fs.mqueue.msg_max": "64", "fs.mqueue.queues_max": "7",
		}}
		s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 100, Hard: 200}, {Type: "RLIMIT_CORE", Soft: 0, Hard: 0}}
		s.Process.OOMScoreAdj = &adj
	}, "/bin/sh", "-c", script)
	r := o.run("run", "--bundle", bundle, "s1")
	if want := "from-sysctl\nexample.test\n1\n0\n100\n200\n0\n500\n68719476736\n250\t32000\t100\t128\n65536\n64\n7\n"; r.code != 0 || r.stdout != want {
		t.Errorf("want %q, got %s", want, r)
	}
	for _, key := range []string{"kernel.shm_rmid_forced", "fs.mqueue.no_such_limit", "vm.swappiness"} {
		bad := o.bundle(func(s *specs.Spec) { s.Linux = &specs.Linux{Sysctl: map[string]string{key: "1"}} }, "/bin/true")
		o.fails(fmt.Sprintf("sysctl %q is not supported", key), "create", "--bundle", bad, "s2")
	}
	bad := o.bundle(func(s *specs.Spec) { s.Linux = &specs.Linux{Sysctl: map[string]string{"kernel.sem": "1 2"}} }, "/bin/true")
	o.fails(`sysctl kernel.sem="1 2": invalid argument`, "create", "--bundle", bad, "s5")
	bad = o.bundle(func(s *specs.Spec) { s.Linux = &specs.Linux{Sysctl: map[string]string{"fs.mqueue.msg_max": "0"}} }, "/bin/true")
	o.fails(`sysctl fs.mqueue.msg_max="0": invalid argument`, "create", "--bundle", bad, "s6")
	bad = o.bundle(func(s *specs.Spec) { s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_TEST", Soft: 1, Hard: 1}} }, "/bin/true")
	o.fails(`unknown rlimit type "RLIMIT_TEST"`, "create", "--bundle", bad, "s3")
	bad = o.bundle(func(s *specs.Spec) {
		s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 10, Hard: 5}}
	}, "/bin/true")
	o.fails("soft limit above hard limit", "create", "--bundle", bad, "s4")
}

// TestOCIMountinfo checks /proc/self/mountinfo against the spec: mounts in
// the spec's order with their sources and types, a bind mount's root
// naming the host directory, read-only paths as binds of their subtree.
func TestOCIMountinfo(t *testing.T) {
	o := newOCI(t)
	data := dataDir(t)
	bundle := o.bundle(func(s *specs.Spec) {
		s.Mounts = []specs.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
			{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "mode=755"}},
			{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec"}},
			{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev"}},
			{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
			{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}},
			{Destination: "/home", Type: "bind", Source: data, Options: []string{"rbind", "ro"}},
		}
		s.Linux = &specs.Linux{ReadonlyPaths: []string{"/proc/sys"}, MaskedPaths: []string{"/sys/firmware"}}
	}, "/bin/cat", "/proc/self/mountinfo")
	r := o.run("run", "--bundle", bundle, "i1")
	if r.code != 0 {
		t.Fatalf("run: %s", r)
	}
	type entry struct{ root, point, opts, fstype, source string }
	var got []entry
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 6 || len(g) < 3 {
			t.Fatalf("malformed mountinfo line %q", line)
		}
		got = append(got, entry{f[3], f[4], f[5], g[0], g[1]})
	}
	want := []entry{
		{"/", "/", "ro,relatime", "9p", "none"},
		{"/", "/proc", "rw,nosuid,nodev,noexec,relatime", "proc", "proc"},
		{"/", "/dev", "rw,nosuid,relatime", "tmpfs", "tmpfs"},
		{"/", "/dev/pts", "rw,nosuid,noexec,relatime", "devpts", "devpts"},
		{"/", "/dev/shm", "rw,nosuid,nodev,noexec,relatime", "tmpfs", "shm"},
		{"/", "/dev/mqueue", "rw,nosuid,nodev,noexec,relatime", "mqueue", "mqueue"},
		{"/", "/sys", "ro,nosuid,nodev,noexec,relatime", "sysfs", "sysfs"},
		{data, "/home", "ro,relatime", "9p", data},
		{"/sys", "/proc/sys", "ro,nosuid,nodev,noexec,relatime", "proc", "proc"},
		{"/", "/sys/firmware", "ro,relatime", "tmpfs", "tmpfs"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("mountinfo:\n%v\nwant\n%v\n%s", got, want, r.stdout)
	}
}

// TestOCIGlobalFlags drives gVisor's flags and --log-format json through
// the binary: a flag whose absence would weaken isolation is refused by
// name, another is ignored with a warning, and the JSON log holds runc's
// entries, the final error included, as containerd's runc shim reads them.
func TestOCIGlobalFlags(t *testing.T) {
	o := newOCI(t)
	if r := o.run("--help"); r.code != 0 || !strings.Contains(r.stdout, "USAGE") {
		t.Errorf("--help: %s", r)
	}
	o.fails("unsupported flag --overlay2=root:memory", "--overlay2=root:memory", "list")
	o.fails("unsupported flag --rootless=true", "--rootless", "list")
	o.fails("test-only gVisor flag", "--TESTONLY-unsafe-nonroot", "list")
	o.fails(`invalid --network="host"`, "--network=host", "list")
	o.must("--overlay2=none", "--oci-seccomp=false", "list")
	if r := o.must("--file-access=shared", "list"); !strings.Contains(r.stderr, "flag --file-access=shared is a gVisor flag Moat does not implement") {
		t.Errorf("no warning for --file-access: %s", r)
	}
	logFile := filepath.Join(t.TempDir(), "log.json")
	o.run("--log", logFile, "--log-format", "json", "--net-raw", "state", "nosuch")
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	var levels []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var e map[string]string
		if err := json.Unmarshal([]byte(line), &e); err != nil || e["time"] == "" || e["msg"] == "" {
			t.Errorf("log line %q is not a runc JSON entry: %v", line, err)
			continue
		}
		levels = append(levels, e["level"]+": "+e["msg"])
	}
	if len(levels) != 2 || !strings.HasPrefix(levels[0], "warning: flag --net-raw=true") ||
		levels[1] != "error: container does not exist: nosuch" {
		t.Errorf("log entries %q", levels)
	}
}
