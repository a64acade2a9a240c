// Package syscalls_test runs Moat's syscall test programs: small static C
// programs (one concern each, in this directory) that print only
// deterministic facts and exit 1 with "FAIL: ..." when Linux does not
// behave as they expect. Each is run natively and under `runsc do` with
// the same arguments and environment; stdout, stderr and exit code must
// match exactly. hostile_*.c programs run in a small root file system
// tree (natively in a chroot of it, in the sandbox with --root) and are
// also held to golden files in testdata/. See docs/testing.md.
package syscalls_test

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"moat/tests/testutil"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from native runs")

func TestMain(m *testing.M) { testutil.Main(m) }

// progEnv is the complete environment of every run, native or sandboxed.
var progEnv = []string{"HOME=/", "PATH=/usr/bin:/bin", "LC_ALL=C", "MOAT_TEST=syscalls"}

// staticPIE lists programs that are also built with -static-pie, so the
// loader's handling of a position-independent static binary is covered.
var staticPIE = []string{"read_write", "identity", "mmap_anon", "proc_self", "sigaction_mask"}

// wantExit is the exit code of programs that do not end with 0.
var wantExit = map[string]int{
	"exit_group":        7,
	"hostile_segv_exit": 128 + 11,
}

const (
	nativeTimeout  = 30 * time.Second
	sandboxTimeout = 30 * time.Second
)

// sources lists the *.c files here, hostile ones or the others.
func sources(t *testing.T, hostile bool) []string {
	t.Helper()
	all, err := filepath.Glob("*.c")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range all {
		if strings.HasPrefix(f, "hostile_") == hostile {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatal("no C programs found")
	}
	return out
}

type variant struct {
	name  string // subtest name
	src   string
	flags []string
}

func variants(t *testing.T) []variant {
	var vs []variant
	for _, src := range sources(t, false) {
		base := strings.TrimSuffix(src, ".c")
		vs = append(vs, variant{base, src, []string{"-static"}})
	}
	for _, base := range staticPIE {
		vs = append(vs, variant{base + "-static-pie", base + ".c", []string{"-static-pie"}})
	}
	return vs
}

// checkNative fails t unless a native run ended as the program should.
func checkNative(t *testing.T, prog string, res testutil.Result) {
	t.Helper()
	if res.TimedOut || res.ExitCode != wantExit[prog] || strings.Contains(res.Stdout, "FAIL:") {
		t.Fatalf("native run of %s is broken (want exit %d, no FAIL):\n%s", prog, wantExit[prog], res)
	}
}

// TestSyscalls runs every non-hostile program natively (which must
// pass) and then in the sandbox (which must print the same).
func TestSyscalls(t *testing.T) {
	testutil.RequireRoot(t)
	for _, v := range variants(t) {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			bin, err := testutil.BuildC(v.src, v.flags...)
			if err != nil {
				t.Fatal(err)
			}
			prog := strings.TrimSuffix(v.src, ".c")
			native, err := testutil.Run(testutil.Cmd{Args: []string{bin}, Env: progEnv}, nativeTimeout)
			if err != nil {
				t.Fatal(err)
			}
			checkNative(t, prog, native)
			sb := testutil.SandboxOrSkip(t)
			sandboxed, err := testutil.Run(sb.Cmd(testutil.DoOptions{Env: progEnv, Cwd: "/"}, bin), sandboxTimeout)
			if err != nil {
				t.Fatal(err)
			}
			testutil.CompareResults(t, native, sandboxed)
		})
	}
}

// secretName is a file placed just outside the hostile root tree (and
// two levels up). The hostile programs try to reach it.
const secretName = "moat-outside-secret"

// TestHostile runs the hostile_* programs chrooted natively and with
// --root in the sandbox, in a busybox tree that has the programs in /bin.
func TestHostile(t *testing.T) {
	testutil.RequireRoot(t)
	srcs := sources(t, true)
	files := map[string]string{}
	for _, src := range srcs {
		bin, err := testutil.BuildC(src, "-static")
		if err != nil {
			t.Fatal(err)
		}
		files["bin/"+strings.TrimSuffix(src, ".c")] = bin
	}
	root, err := testutil.BusyboxRootfs("hostile", files)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Dir(root), filepath.Dir(filepath.Dir(root))} {
		if err := os.WriteFile(filepath.Join(dir, secretName), []byte("OUTSIDE\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, src := range srcs {
		prog := strings.TrimSuffix(src, ".c")
		t.Run(prog, func(t *testing.T) {
			t.Parallel()
			native, err := testutil.Run(testutil.ChrootCmd(root, progEnv, "/bin/"+prog), nativeTimeout)
			if err != nil {
				t.Fatal(err)
			}
			checkNative(t, prog, native)
			checkGolden(t, prog, native)
			sb := testutil.SandboxOrSkip(t)
			sandboxed, err := testutil.Run(sb.Cmd(testutil.DoOptions{Root: root, Env: progEnv, Cwd: "/"}, "/bin/"+prog), sandboxTimeout)
			if err != nil {
				t.Fatal(err)
			}
			testutil.CompareResults(t, native, sandboxed)
		})
	}
}

// golden renders a result the way testdata/*.golden stores it.
func golden(r testutil.Result) string {
	return "--- stdout\n" + r.Stdout + "--- stderr\n" + r.Stderr + "--- exit " + strconv.Itoa(r.ExitCode) + "\n"
}

// checkGolden compares a hostile program's native output with its golden
// file (the expected behaviour, written down), or rewrites it on -update.
func checkGolden(t *testing.T, prog string, res testutil.Result) {
	t.Helper()
	path := filepath.Join("testdata", prog+".golden")
	got := golden(res)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (go test -run TestHostile -update writes it): %v", err)
	}
	if d := testutil.Diff(string(want), got); d != "" {
		t.Fatalf("native run differs from %s:\n%s", path, d)
	}
}
