package e2eutil

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"moat/tests/testutil"
)

// Version selects a containerd build.
type Version string

// The containerd builds the tests run against.
const (
	// Containerd16 is Debian's containerd 1.6.20 (/usr/bin/containerd,
	// /usr/bin/ctr: apt package containerd).
	Containerd16 Version = "1.6"
	// Containerd2 is containerd Containerd2Version built with go install
	// and cached under CacheDir.
	Containerd2 Version = "2"
)

// Versions are every containerd the shim is tested with.
var Versions = []Version{Containerd16, Containerd2}

// Options change the daemon's configuration.
type Options struct {
	// CRI keeps containerd's CRI plugin (disabled otherwise, so that a
	// test needs no CNI).
	CRI bool
	// Config is TOML appended to the generated configuration.
	Config string
}

// Containerd is a running private containerd.
type Containerd struct {
	Version Version
	// Dir holds everything of this daemon: config.toml, root/, state/,
	// the sockets and containerd.log.
	Dir string
	// Address is the gRPC socket (the CRI socket too when enabled).
	Address string
	// Namespace is the containerd namespace Ctr uses, unique to the daemon.
	Namespace string
	// BinDir is the PATH directory with runsc and the shim.
	BinDir string
	// Containerd and CtrPath are the daemon's binaries.
	Containerd, CtrPath string

	cmd *exec.Cmd
}

// StartContainerd starts containerd v with a private root, state dir,
// socket and config. The runtime io.containerd.runsc.v1 resolves to the
// shim through PATH, whose first entry is BinDir. t.Cleanup kills every
// task of the namespace, stops the daemon, checks that no shim, sandbox,
// gofer, mount, runsc state or shim socket is left, and removes Dir.
func StartContainerd(t *testing.T, v Version, o Options) *Containerd {
	t.Helper()
	testutil.RequireRoot(t)
	bin := BinDir(t)
	c := &Containerd{Version: v, BinDir: bin}
	switch v {
	case Containerd16:
		c.Containerd, c.CtrPath = "/usr/bin/containerd", "/usr/bin/ctr"
		if !exists(c.Containerd) || !exists(c.CtrPath) {
			Require(t, fmt.Errorf("containerd 1.6 not installed (apt-get install containerd; scripts/deps.sh does)"))
		}
	case Containerd2:
		dir, err := Containerd2Bin()
		Require(t, err)
		c.Containerd, c.CtrPath = filepath.Join(dir, "containerd"), filepath.Join(dir, "ctr")
	default:
		t.Fatalf("unknown containerd version %q", v)
	}
	// Sockets must fit in sun_path: a short directory under /run.
	suffix := randomSuffix()
	c.Dir = filepath.Join("/run/moat-e2e", suffix)
	c.Namespace = "moat-e2e-" + suffix
	c.Address = filepath.Join(c.Dir, "c.sock")
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := c.config(o)
	if err := os.WriteFile(filepath.Join(c.Dir, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(c.Dir, "containerd.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	c.cmd = exec.Command(c.Containerd, "--config", filepath.Join(c.Dir, "config.toml"))
	c.cmd.Env = c.Env()
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", c.Containerd, err)
	}
	t.Cleanup(func() { c.teardown(t) })
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := c.Ctr(t, "version")
		if r.ExitCode == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("containerd %s did not come up: %s\n--- containerd.log\n%s", v, r, c.Log())
		}
		time.Sleep(200 * time.Millisecond)
	}
	return c
}

// config is the daemon's TOML configuration (version 2, which both 1.6
// and 2.x read).
func (c *Containerd) config(o Options) string {
	disabled := []string{
		`"io.containerd.nri.v1.nri"`, // one fixed socket for the host
		`"io.containerd.tracing.processor.v1.otlp"`,
		`"io.containerd.internal.v1.tracing"`,
	}
	if !o.CRI {
		disabled = append(disabled, `"io.containerd.grpc.v1.cri"`,
			`"io.containerd.cri.v1.images"`, `"io.containerd.cri.v1.runtime"`)
	}
	return fmt.Sprintf(`version = 2
root = %q
state = %q
disabled_plugins = [%s]

[grpc]
  address = %q

[ttrpc]
  address = %q

[debug]
  level = "debug"

[plugins."io.containerd.internal.v1.opt"]
  path = %q
%s
`, filepath.Join(c.Dir, "root"), filepath.Join(c.Dir, "state"), strings.Join(disabled, ", "),
		c.Address, c.Address+".ttrpc", filepath.Join(c.Dir, "opt"), o.Config)
}

// Env is the environment of the daemon and of ctr: BinDir first in PATH.
func (c *Containerd) Env() []string {
	env := []string{"PATH=" + c.BinDir + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	return env
}

// Log returns containerd's log so far.
func (c *Containerd) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.Dir, "containerd.log"))
	return string(b)
}

// CtrCmd is ctr with the daemon's address and namespace, args appended.
func (c *Containerd) CtrCmd(args ...string) []string {
	return append([]string{c.CtrPath, "--address", c.Address, "--namespace", c.Namespace}, args...)
}

// Ctr runs ctr args with stdin (2 minutes at most) and returns what it
// left.
func (c *Containerd) Ctr(t testing.TB, args ...string) testutil.Result {
	return c.CtrStdin(t, "", args...)
}

// CtrStdin is Ctr with stdin as ctr's standard input. ctr 2.x's warning
// that cgroup v1 is deprecated is removed from stderr.
func (c *Containerd) CtrStdin(t testing.TB, stdin string, args ...string) testutil.Result {
	t.Helper()
	r, err := testutil.Run(testutil.Cmd{Args: c.CtrCmd(args...), Env: c.Env(), Stdin: stdin}, 2*time.Minute)
	if err != nil {
		t.Fatalf("running ctr: %v", err)
	}
	var kept []string
	for _, line := range strings.SplitAfter(r.Stderr, "\n") {
		if !strings.Contains(line, `level=warning msg="DEPRECATION: The support for cgroup v1`) {
			kept = append(kept, line)
		}
	}
	r.Stderr = strings.Join(kept, "")
	return r
}

// ImportBusybox imports BusyboxImage into the daemon and returns its name.
func (c *Containerd) ImportBusybox(t testing.TB) string {
	t.Helper()
	path := filepath.Join(c.Dir, "busybox.tar")
	if err := BusyboxImage(path); err != nil {
		t.Fatal(err)
	}
	if r := c.Ctr(t, "images", "import", "--all-platforms", path); r.ExitCode != 0 {
		t.Fatalf("ctr images import: %s", r)
	}
	return BusyboxRef
}

// teardown removes the namespace's tasks and containers, stops the
// daemon, checks for leaks and removes Dir.
func (c *Containerd) teardown(t *testing.T) {
	if r := c.Ctr(t, "tasks", "ls", "-q"); r.ExitCode == 0 {
		for _, id := range strings.Fields(r.Stdout) {
			c.Ctr(t, "tasks", "kill", "-s", "SIGKILL", id)
			c.Ctr(t, "tasks", "delete", "-f", id)
		}
	}
	if r := c.Ctr(t, "containers", "ls", "-q"); r.ExitCode == 0 {
		for _, id := range strings.Fields(r.Stdout) {
			c.Ctr(t, "containers", "delete", id)
		}
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	if t.Failed() {
		t.Logf("--- containerd.log (%s)\n%s", c.Version, tail(c.Log(), 150))
	}
	CheckNoLeaks(t, c.Dir, c.Namespace)
	for _, sock := range c.shimSockets() {
		if _, err := os.Lstat(sock); err == nil {
			t.Errorf("leaked shim socket: %s", sock)
			os.Remove(sock)
		}
	}
	os.RemoveAll(c.Dir)
}

// shimSocket matches a shim's socket path in containerd's log.
var shimSocket = regexp.MustCompile(`/run/containerd/s/[0-9a-f]{64}`)

// shimSockets lists the sockets the daemon's shims listened on: they are
// under /run/containerd/s, outside Dir. containerd 2.x logs them;
// for 1.6 they are derived from the bundles the log names, as the shim
// library does (sha256 of containerd's address, namespace and ID).
func (c *Containerd) shimSockets() []string {
	log := c.Log()
	socks := shimSocket.FindAllString(log, -1)
	bundle := regexp.MustCompile(`io\.containerd\.runtime\.v2\.task/` + regexp.QuoteMeta(c.Namespace) + `/([A-Za-z0-9_.-]+)`)
	for _, m := range bundle.FindAllStringSubmatch(log, -1) {
		sum := sha256.Sum256([]byte(filepath.Join(c.Address, c.Namespace, m[1])))
		socks = append(socks, "/run/containerd/s/"+hex.EncodeToString(sum[:]))
	}
	return socks
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func randomSuffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}
