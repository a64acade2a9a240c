// Package busybox_test runs Debian's static busybox applets natively and
// under `runsc do` and requires identical output. Most cases run in a
// small root file system tree built by testutil.BusyboxRootfs (natively
// in a chroot of it, in the sandbox with --root), so nothing depends on
// the host's files; a few run on the host's root. The bad-input cases
// check what `runsc do` prints and returns when it cannot start a
// program, against what execve(2) says natively (see docs/testing.md).
package busybox_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"moat/tests/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// env is the complete environment of every run.
var env = []string{"PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/root", "TERM=dumb", "MOAT_TEST=busybox"}

const timeout = 60 * time.Second

// tc is one command run both ways.
type tc struct {
	name  string
	args  []string
	stdin string
	// norm rewrites both outputs before comparison (for what must
	// differ run to run, such as dd's transfer time). nil: none.
	norm func(string) string
	// wantStdout and wantExit, when set, are checked on the native run
	// so that the reference itself is proven.
	wantStdout string
	wantExit   int
}

// sortLines sorts the lines of s: directory order is the file system's
// business, not the program's.
func sortLines(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

var ddTime = regexp.MustCompile(`copied, [0-9.]+ seconds, [0-9.]+ ?[KMGT]?B/s`)

// treeCases run in the built tree.
var treeCases = []tc{
	{name: "echo", args: []string{"/bin/echo", "hello", "moat"}, wantStdout: "hello moat\n"},
	{name: "echo-path-lookup", args: []string{"echo", "found", "via", "PATH"}, wantStdout: "found via PATH\n"},
	{name: "cat", args: []string{"/bin/cat", "/etc/passwd", "/etc/group"}},
	{name: "cat-stdin", args: []string{"/bin/cat"}, stdin: "from stdin\nline 2\n", wantStdout: "from stdin\nline 2\n"},
	{name: "cat-missing", args: []string{"/bin/cat", "/etc/nope"}, wantExit: 1},
	{name: "ls-la-etc", args: []string{"/bin/ls", "-la", "/etc"}},
	{name: "ls-ln-data", args: []string{"/bin/ls", "-ln", "--full-time", "/data"}},
	{name: "wc", args: []string{"/usr/bin/wc", "/data/lines.txt", "/etc/passwd"}},
	{name: "head", args: []string{"/usr/bin/head", "-n", "3", "/data/lines.txt"}},
	{name: "tail", args: []string{"/usr/bin/tail", "-n", "2", "/data/lines.txt"}},
	{name: "sort", args: []string{"/usr/bin/sort", "/data/lines.txt"}},
	{name: "sort-rn", args: []string{"/usr/bin/sort", "-r", "-n", "-k", "2", "/data/lines.txt"}},
	{name: "sha256sum-10MiB", args: []string{"/usr/bin/sha256sum", "/data/10m.bin"}},
	{name: "md5sum-10MiB", args: []string{"/usr/bin/md5sum", "/data/10m.bin"}},
	{name: "stat", args: []string{"/bin/stat", "-c", "%n %s %a %U %G %F %h", "/etc/passwd", "/etc", "/bin/sh", "/data/10m.bin"}},
	{name: "env", args: []string{"/usr/bin/env"}},
	{name: "env-i", args: []string{"/usr/bin/env", "-i", "A=1", "/usr/bin/env"}, wantStdout: "A=1\n"},
	{name: "id", args: []string{"/usr/bin/id"}},
	{name: "printf", args: []string{"/usr/bin/printf", "%s-%d|%x\\n", "a", "1", "255", "b", "2", "16"}, wantStdout: "a-1|ff\nb-2|10\n"},
	{name: "seq", args: []string{"/usr/bin/seq", "10", "-3", "1"}, wantStdout: "10\n7\n4\n1\n"},
	{name: "dd-64MiB", args: []string{"/bin/sh", "-c", "dd if=/dev/zero of=/tmp/x bs=1M count=64 && wc -c /tmp/x && rm /tmp/x"},
		norm: func(s string) string { return ddTime.ReplaceAllString(s, "copied, <time>") }},
	{name: "find", args: []string{"/usr/bin/find", "/usr/share/doc", "-name", "copyright"}, norm: sortLines},
	{name: "uname", args: []string{"/bin/uname", "-s", "-m"}, wantStdout: "Linux x86_64\n"},
	{name: "sh-pipeline", args: []string{"/bin/sh", "-c", "cat /etc/passwd | grep -c :x: ; echo $((6 * 7))"}, wantStdout: "3\n42\n"},
	{name: "sh-exit-42", args: []string{"/bin/sh", "-c", "echo before; exit 42"}, wantExit: 42},
	// The first process of a sandbox is its pid 1, which Linux does not
	// let kill itself from inside its namespace; a child shell can be.
	{name: "sh-child-killed", args: []string{"/bin/sh", "-c", "sh -c 'kill -9 $$'; echo child status $?"}, wantStdout: "child status 137\n"},
	{name: "false", args: []string{"/bin/false"}, wantExit: 1},
	{name: "script", args: []string{"/data/script.sh", "arg1", "arg 2"}, wantStdout: "script ran: arg1|arg 2\n"},
	{name: "tmp-is-fresh", args: []string{"/bin/ls", "-a", "/tmp"}, wantStdout: ".\n..\n"},
}

// hostCases run on the host's root (no --root; natively without chroot).
var hostCases = []tc{
	{name: "host-echo", args: []string{testutil.Busybox, "echo", "on", "the", "host", "root"}, wantStdout: "on the host root\n"},
	{name: "host-printf", args: []string{testutil.Busybox, "printf", "%05.1f\\n", "3.14159"}, wantStdout: "003.1\n"},
	{name: "host-seq", args: []string{testutil.Busybox, "seq", "3"}, wantStdout: "1\n2\n3\n"},
}

func TestBusybox(t *testing.T) {
	testutil.RequireRoot(t)
	root := buildTree(t)
	for _, c := range treeCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			native := run(t, testutil.ChrootCmd(root, env, c.args...), c.stdin)
			compare(t, c, native, func(sb *testutil.Sandbox) testutil.Cmd {
				return sb.Cmd(testutil.DoOptions{Root: root, Env: env, Cwd: "/"}, c.args...)
			})
		})
	}
	for _, c := range hostCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			native := run(t, testutil.Cmd{Args: c.args, Env: env}, c.stdin)
			compare(t, c, native, func(sb *testutil.Sandbox) testutil.Cmd {
				return sb.Cmd(testutil.DoOptions{Env: env, Cwd: "/"}, c.args...)
			})
		})
	}
}

// TestCwd checks --cwd, for which a chroot has no native counterpart.
func TestCwd(t *testing.T) {
	testutil.RequireRoot(t)
	root := buildTree(t)
	sb := testutil.SandboxOrSkip(t)
	res := run(t, sb.Cmd(testutil.DoOptions{Root: root, Env: env, Cwd: "/etc"}, "/bin/sh", "-c", "pwd; ls hostname"), "")
	if res.Stdout != "/etc\nhostname\n" || res.ExitCode != 0 {
		t.Errorf("runsc do --cwd /etc: want \"/etc\\nhostname\\n\" and exit 0, got:\n%s", res)
	}
}

func run(t *testing.T, c testutil.Cmd, stdin string) testutil.Result {
	t.Helper()
	c.Stdin = stdin
	res, err := testutil.Run(c, timeout)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// compare proves the native reference, then runs the sandboxed command
// and compares.
func compare(t *testing.T, c tc, native testutil.Result, sandboxCmd func(*testutil.Sandbox) testutil.Cmd) {
	t.Helper()
	if native.TimedOut || native.ExitCode != c.wantExit || (c.wantStdout != "" && native.Stdout != c.wantStdout) {
		t.Fatalf("native reference is wrong (want exit %d, stdout %q):\n%s", c.wantExit, c.wantStdout, native)
	}
	sb := testutil.SandboxOrSkip(t)
	sandboxed := run(t, sandboxCmd(sb), c.stdin)
	if c.norm != nil {
		for _, r := range []*testutil.Result{&native, &sandboxed} {
			r.Stdout, r.Stderr = c.norm(r.Stdout), c.norm(r.Stderr)
		}
	}
	testutil.CompareResults(t, native, sandboxed)
}

// buildTree builds the busybox tree with the data and bad-input files.
func buildTree(t *testing.T) string {
	t.Helper()
	cache, err := testutil.CacheDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, "busybox-inputs")
	files, err := makeInputs(dir)
	if err != nil {
		t.Fatal(err)
	}
	root, err := testutil.BusyboxRootfs("busybox", files)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// makeInputs writes the host files copied into the tree (idempotently)
// and returns the tree-path -> host-path map.
func makeInputs(dir string) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	files := map[string]string{}
	add := func(treePath, name string, body []byte, mode os.FileMode) error {
		p := filepath.Join(dir, name)
		if old, err := os.ReadFile(p); err != nil || string(old) != string(body) {
			if err := os.WriteFile(p, body, 0o600); err != nil {
				return err
			}
		}
		if err := os.Chmod(p, mode); err != nil {
			return err
		}
		files[treePath] = p
		return nil
	}
	// 10 MiB of deterministic pseudo-random bytes (a 64-bit LCG).
	big := make([]byte, 10<<20)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range big {
		x = x*6364136223846793005 + 1442695040888963407
		big[i] = byte(x >> 56)
	}
	var lines strings.Builder
	for i, w := range strings.Fields("pear 7 apple 12 fig 3 banana 40 cherry 1 date 25 elder 9 grape 18") {
		if i%2 == 0 {
			lines.WriteString(w + " ")
		} else {
			lines.WriteString(w + "\n")
		}
	}
	bb, err := os.ReadFile(testutil.Busybox)
	if err != nil {
		return nil, fmt.Errorf("reading busybox: %w", err)
	}
	arm64 := elfHeader(183) // EM_AARCH64
	for _, f := range []struct {
		tree, name string
		body       []byte
		mode       os.FileMode
	}{
		{"data/10m.bin", "10m.bin", big, 0o644},
		{"data/lines.txt", "lines.txt", []byte(lines.String()), 0o644},
		{"data/script.sh", "script.sh", []byte("#!/bin/sh\nIFS='|'\necho \"script ran: $*\"\n"), 0o755},
		{"bad/text", "text", []byte("this is not a program\n"), 0o755},
		{"bad/junk", "junk", []byte("\x00\x01\x02\x03junk\xff\xfe"), 0o755},
		{"bad/arm64", "arm64", arm64, 0o755},
		{"bad/trunc", "trunc", bb[:200], 0o755},
		{"bad/noexec", "noexec", bb, 0o644},
		{"bad/mode000", "mode000", bb, 0o000},
		{"bad/badinterp", "badinterp", []byte("#!/nonexistent/interpreter\n"), 0o755},
	} {
		if err := add(f.tree, f.name, f.body, f.mode); err != nil {
			return nil, fmt.Errorf("writing %s: %w", f.name, err)
		}
	}
	return files, nil
}

// elfHeader returns a 64-bit little-endian ELF executable header (with
// one empty program header) for machine, for an architecture other than
// x86-64.
func elfHeader(machine uint16) []byte {
	h := make([]byte, 64+56)
	copy(h, "\x7fELF\x02\x01\x01")
	le16 := func(off int, v uint16) { h[off], h[off+1] = byte(v), byte(v>>8) }
	le16(16, 2) // ET_EXEC
	le16(18, machine)
	h[20] = 1      // EV_CURRENT
	h[24+1] = 0x10 // e_entry 0x1000
	h[32] = 64     // e_phoff
	le16(52, 64)   // e_ehsize
	le16(54, 56)   // e_phentsize
	le16(56, 1)    // e_phnum
	h[64] = 1      // PT_LOAD
	return h
}
