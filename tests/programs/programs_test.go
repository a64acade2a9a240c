// Package programs_test runs real programs from the host's Debian root
// (bash, coreutils, python3, perl, and a Go program built by the test)
// natively and under `runsc do`, and requires the same stdout, stderr and
// exit code. It is the "real programs" proof of issue #4; see
// docs/compat.md.
//
// Both runs get the same environment (env below), start in /tmp with
// /tmp an empty tmpfs, and run the program as pid 1 of a new PID
// namespace: natively through unshare(1) with a fresh proc and tmpfs
// mounted in a private mount namespace (see nativeScript), in the
// sandbox because that is what `runsc do` provides. Cases print relations instead of values that
// legitimately differ (PIDs, times, host names).
package programs_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"moat/tests/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// env is the complete environment of every run, native and sandboxed.
// PYTHONDONTWRITEBYTECODE keeps native python3 (running as root) from
// writing __pycache__ directories into the host's /usr.
var env = []string{
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/tmp",
	"LANG=C.UTF-8",
	"PYTHONDONTWRITEBYTECODE=1",
	"MOAT_TEST=programs",
}

// defaultTimeout bounds each run of a case that sets no timeout.
const defaultTimeout = 60 * time.Second

// tc is one program run natively and in the sandbox.
type tc struct {
	name  string
	args  []string // program (looked up in env's PATH) and arguments
	stdin string
	// needs lists programs that must be installed on the host (looked
	// up in env's PATH); the case is skipped with the Debian package
	// to install when one is missing. args[0] is always needed.
	needs []string
	// wantExit is checked on the native run, and so is wantStdout when
	// set, so that the reference itself is proven.
	wantStdout string
	wantExit   int
	// norm rewrites both runs' stdout and stderr before comparison.
	norm func(string) string
	// timeout bounds each run; 0 means defaultTimeout.
	timeout time.Duration
	// pending, when set, names the sentry gap ("reason (#4)") that makes
	// the sandbox half fail; that half is then skipped unless
	// MOAT_STRICT is set. The native half always runs.
	pending string
}

// with returns c needing progs as well as its program.
func (c tc) with(progs ...string) tc {
	c.needs = append(append([]string(nil), c.needs...), progs...)
	return c
}

// packages maps a program to the Debian package that installs it, for
// skip messages.
var packages = map[string]string{
	"bash": "bash", "python3": "python3", "perl": "perl", "tar": "tar",
	"gzip": "gzip", "gunzip": "gzip", "find": "findutils", "xargs": "findutils",
	"sha256sum": "coreutils", "ls": "coreutils", "diff": "diffutils", "cmp": "diffutils",
	"awk": "mawk", "flock": "util-linux", "setsid": "util-linux", "renice": "bsdutils",
	"getent": "libc-bin", "nohup": "coreutils", "unshare": "util-linux", "ps": "procps",
	"gcc": "gcc libc6-dev", "make": "make", "pgrep": "procps", "pkill": "procps",
	"ipcmk": "util-linux", "ipcs": "util-linux", "ipcrm": "util-linux",
}

// runCases runs every case of cases as a parallel subtest of t.
func runCases(t *testing.T, cases []tc) {
	t.Helper()
	testutil.RequireRoot(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runCase(t, c)
		})
	}
}

// runCase runs c natively, proves the reference, then runs it in the
// sandbox and compares.
func runCase(t *testing.T, c tc) {
	t.Helper()
	for _, p := range append([]string{c.args[0]}, c.needs...) {
		if _, err := lookPath(p); err != nil {
			pkg := packages[p]
			if pkg == "" {
				pkg = "the package providing " + p
			}
			t.Skipf("%s is not installed (apt-get install -y %s)", p, pkg)
		}
	}
	timeout := c.timeout
	if timeout == 0 {
		timeout = defaultTimeout
	}
	native := run(t, nativeCmd(c.args...), c.stdin, timeout)
	if native.TimedOut || native.ExitCode != c.wantExit || (c.wantStdout != "" && native.Stdout != c.wantStdout) {
		t.Fatalf("native reference is wrong (want exit %d, stdout %q):\n%s", c.wantExit, c.wantStdout, native)
	}
	if c.pending != "" && os.Getenv("MOAT_STRICT") == "" {
		t.Skipf("native half passed; sandbox half pending: %s (set MOAT_STRICT=1 to run it)", c.pending)
	}
	sb := testutil.SandboxOrSkip(t)
	start := time.Now()
	cmd := sb.Cmd(testutil.DoOptions{Cwd: "/tmp", Env: env}, c.args...)
	if dir := os.Getenv("MOAT_PROGRAMS_LOG_DIR"); dir != "" {
		// runsc's global flags go before "do"; one debug log per case.
		name := strings.ReplaceAll(t.Name(), "/", "_") + ".log"
		cmd.Args = append([]string{cmd.Args[0], "--debug", "--debug-log", filepath.Join(dir, name)}, cmd.Args[1:]...)
	}
	sandboxed := run(t, cmd, c.stdin, timeout)
	t.Logf("sandbox run took %v", time.Since(start).Round(time.Millisecond))
	if c.norm != nil {
		for _, r := range []*testutil.Result{&native, &sandboxed} {
			r.Stdout, r.Stderr = c.norm(r.Stdout), c.norm(r.Stderr)
		}
	}
	testutil.CompareResults(t, native, sandboxed)
}

// lookPath finds a program in env's PATH (not the test process's).
func lookPath(prog string) (string, error) {
	if len(prog) > 0 && prog[0] == '/' {
		if _, err := os.Stat(prog); err != nil {
			return "", err
		}
		return prog, nil
	}
	for _, dir := range []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
		p := dir + "/" + prog
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

func run(t *testing.T, c testutil.Cmd, stdin string, timeout time.Duration) testutil.Result {
	t.Helper()
	c.Stdin = stdin
	res, err := testutil.Run(c, timeout)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// nativeScript gives the native run what `runsc do` gives the sandboxed
// one. Run by `unshare --mount`, it mounts a fresh tmpfs on /tmp in that
// private mount namespace, enters /tmp, and execs `unshare --pid --fork
// --mount-proc`, which makes the program pid 1 of a new PID namespace with
// its own /proc (and in a new IPC namespace, as in the sandbox), and a session leader (setsid(1) does not fork there: the
// process is no group leader), as a sandbox's first process is, with
// exactly the given environment. Nothing else is ever
// started in that namespace (the mount happens before it exists), so
// PIDs are handed out as in the sandbox: bash's job messages match too.
const nativeScript = `mount -t tmpfs -o mode=1777 tmpfs /tmp || exit 125
cd /tmp && exec /usr/bin/unshare --pid --ipc --fork --mount-proc -- /usr/bin/setsid /usr/bin/env -i "$@"`

// nativeCmd returns the native reference command for args.
func nativeCmd(args ...string) testutil.Cmd {
	argv := []string{"/usr/bin/unshare", "--mount", "--propagation", "private", "--",
		"/bin/sh", "-c", nativeScript, "sh"}
	argv = append(argv, env...)
	argv = append(argv, args...)
	return testutil.Cmd{Args: argv}
}

var (
	testdataOnce sync.Once
	testdataDir  string
)

// testdata returns the absolute path of a file under a copy of testdata/
// in the test cache (never under /tmp: both runs get a fresh /tmp, and the
// checkout itself may live under /tmp).
func testdata(elem ...string) string {
	testdataOnce.Do(func() {
		wd, err := os.Getwd()
		if err != nil {
			panic(err)
		}
		cache, err := testutil.CacheDir()
		if err != nil {
			panic(err)
		}
		testdataDir = filepath.Join(cache, "programs-testdata")
		os.RemoveAll(testdataDir)
		if out, err := exec.Command("cp", "-a", filepath.Join(wd, "testdata"), testdataDir).CombinedOutput(); err != nil {
			panic(fmt.Sprintf("copying testdata: %v: %s", err, out))
		}
	})
	return filepath.Join(append([]string{testdataDir}, elem...)...)
}
