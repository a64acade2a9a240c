package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"moat/tests/e2e/e2eutil"
	"moat/tests/testutil"
)

// dockerd is a private Docker daemon (Debian's docker.io 20.10) with its
// own data root, exec root, pid file and socket, no iptables and no
// bridge, and Moat registered as runtime "runsc" by `runsc install`.
type dockerd struct {
	dir, sock string
	cmd       *exec.Cmd
	log       *bytes.Buffer
}

// dockerClient is the daemon's own client: /usr/local/bin/docker may be a
// newer one that speaks an API version 20.10 does not.
const dockerClient = "/usr/bin/docker"

// startDockerd starts the daemon and stops it (and checks for leftovers)
// when t ends.
func startDockerd(t *testing.T) *dockerd {
	for _, p := range []string{"/usr/sbin/dockerd", dockerClient, "/usr/bin/containerd", "/usr/sbin/runc"} {
		if _, err := os.Stat(p); err != nil {
			e2eutil.Require(t, fmt.Errorf("%s (Debian packages docker.io, containerd, runc): %w", p, err))
		}
	}
	runsc, err := testutil.FindRunsc()
	e2eutil.Require(t, err)
	dir, err := os.MkdirTemp("/var/tmp", "moat-docker-")
	if err != nil {
		t.Fatal(err)
	}
	d := &dockerd{dir: dir, sock: filepath.Join(dir, "docker.sock"), log: &bytes.Buffer{}}
	cfg := filepath.Join(dir, "daemon.json")
	if err := os.Mkdir(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(runsc, "install", "--config-file", cfg, "--", "--debug-log="+dir+"/logs/").CombinedOutput(); err != nil {
		t.Fatalf("runsc install: %v\n%s", err, out)
	}
	d.cmd = exec.Command("/usr/sbin/dockerd", "--config-file", cfg,
		"--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "dockerd.pid"), "-H", "unix://"+d.sock,
		"--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=overlay2")
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.stop(t) })
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if r := d.docker(t, "", "version"); r.ExitCode == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dockerd did not come up:\n%s", tail(d.log.String(), 30))
		}
	}
	return d
}

// docker runs the client with stdin text.
func (d *dockerd) docker(t testing.TB, stdin string, args ...string) testutil.Result {
	t.Helper()
	r, err := testutil.Run(testutil.Cmd{
		Args:  append([]string{dockerClient}, args...),
		Env:   []string{"DOCKER_HOST=unix://" + d.sock, "HOME=" + d.dir, "PATH=/usr/bin:/bin"},
		Stdin: stdin,
	}, 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// must runs docker and fails t unless it exits 0.
func (d *dockerd) must(t testing.TB, args ...string) string {
	t.Helper()
	r := d.docker(t, "", args...)
	if r.ExitCode != 0 {
		t.Fatalf("docker %q: %s", args, r)
	}
	return r.Stdout
}

// importBusybox imports a rootfs tarball of Debian's busybox-static tree
// as image moat-busybox:e2e.
func (d *dockerd) importBusybox(t *testing.T) string {
	root, err := testutil.BusyboxRootfs("docker-e2e", nil)
	e2eutil.Require(t, err)
	tarball := filepath.Join(d.dir, "busybox.tar")
	if out, err := exec.Command("tar", "-C", root, "-cf", tarball, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	const image = "moat-busybox:e2e"
	d.must(t, "import", tarball, image)
	return image
}

// stop removes every container, stops the daemon (SIGTERM, then its
// containerd goes with it) and checks that nothing is left: no process
// naming the directory (dockerd, containerd, shims, sandboxes, gofers,
// waiters), no mount under it, no container cgroup.
func (d *dockerd) stop(t *testing.T) {
	if ids := strings.Fields(d.docker(t, "", "ps", "-aq").Stdout); len(ids) > 0 {
		d.docker(t, "", append([]string{"rm", "-f"}, ids...)...)
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- d.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Errorf("dockerd did not stop on SIGTERM")
		syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	if t.Failed() {
		t.Logf("dockerd log:\n%s", tail(d.log.String(), 40))
	}
	e2eutil.CheckNoLeaks(t, d.dir, filepath.Base(d.dir))
	// What the runc shims left re-parented here (this process is a
	// subreaper: sandboxes, gofers, waiters, stubs) must be dead.
	for _, p := range liveChildren() {
		t.Errorf("leaked process re-parented to the test: %s", p)
	}
	cgs, _ := filepath.Glob("/sys/fs/cgroup/*/docker/*")
	for _, cg := range cgs {
		if fi, err := os.Stat(cg); err == nil && fi.IsDir() {
			t.Errorf("leaked cgroup: %s", cg)
		}
	}
	// runsc's state directories (the runc shim's --root) must be gone.
	state := filepath.Join(d.dir, "exec", "runtime-runc", "moby")
	if ents, _ := os.ReadDir(state); len(ents) > 0 {
		for _, e := range ents {
			t.Errorf("leaked runsc state: %s", filepath.Join(state, e.Name()))
		}
	}
	if !t.Failed() {
		var err error
		for i := 0; i < 50; i++ {
			if err = os.RemoveAll(d.dir); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			t.Logf("removing %s: %v", d.dir, err)
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// liveChildren lists "PID state cmdline" of this process's children that
// are not zombies.
func liveChildren() []string {
	self := strconv.Itoa(os.Getpid())
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) < 2 || f[1] != self || f[0] == "Z" {
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		out = append(out, e.Name()+" "+f[0]+" "+strings.ReplaceAll(string(cmd), "\x00", " "))
	}
	return out
}
