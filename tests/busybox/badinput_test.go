package busybox_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"moat/tests/testutil"
)

// badCases are programs that cannot be started. The native reference is
// the errno execve(2) gives in a chroot of the same tree.
var badCases = []struct{ name, path string }{
	{"missing", "/bad/missing"},
	{"missing-in-missing-dir", "/nodir/prog"},
	{"directory", "/etc"},
	{"not-elf-text", "/bad/text"},
	{"not-elf-junk", "/bad/junk"},
	{"elf-for-arm64", "/bad/arm64"},
	{"truncated-elf", "/bad/trunc"},
	{"not-executable", "/bad/noexec"},
	{"mode-000", "/bad/mode000"},
	{"script-bad-interpreter", "/bad/badinterp"},
	{"bare-name-not-in-path", "no-such-command"},
}

// execErrno returns the errno of execve(path) chrooted into root, or 0 if
// the program started (it is then killed). A bare name is looked up in
// PATH=/bin:/sbin:/usr/bin:/usr/sbin inside root the way runsc do does.
func execErrno(t *testing.T, root, path string) syscall.Errno {
	t.Helper()
	if !strings.Contains(path, "/") {
		// No applet has this name, so every PATH entry fails with ENOENT.
		return syscall.ENOENT
	}
	pid, err := syscall.ForkExec(path, []string{path}, &syscall.ProcAttr{
		Env: env,
		Sys: &syscall.SysProcAttr{Chroot: root, Setsid: true},
	})
	if err == nil {
		syscall.Kill(pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, 0, nil)
		return 0
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		t.Fatalf("execve %s in chroot: %v", path, err)
	}
	return errno
}

// strerror renders errno the way the C library does ("No such file or
// directory"): Go's message with a capital first letter.
func strerror(e syscall.Errno) string {
	s := e.Error()
	return strings.ToUpper(s[:1]) + s[1:]
}

// TestBadPrograms checks `runsc do` on programs that cannot be started:
// exit code 127 when the program does not exist (ENOENT), 126 for every
// other execve failure, nothing on stdout, and exactly one line on stderr:
// "runsc do: PROGRAM: STRERROR".
func TestBadPrograms(t *testing.T) {
	root := buildTree(t)
	for _, c := range badCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			errno := execErrno(t, root, c.path)
			if errno == 0 {
				t.Fatalf("%s started natively; the case is wrong", c.path)
			}
			wantExit := 126
			if errno == syscall.ENOENT {
				wantExit = 127
			}
			t.Logf("native execve: %s (%s) -> exit %d", errno.Error(), errnoName(errno), wantExit)
			sb := testutil.SandboxOrSkip(t)
			res := run(t, sb.Cmd(testutil.DoOptions{Root: root, Env: env, Cwd: "/"}, c.path), "")
			wantErr := "runsc do: " + c.path + ": " + strerror(errno) + "\n"
			if res.ExitCode != wantExit || res.Stdout != "" || res.Stderr != wantErr {
				t.Errorf("runsc do -- %s: want exit %d, no stdout, stderr %q; got:\n%s", c.path, wantExit, wantErr, res)
			}
		})
	}
}

func errnoName(e syscall.Errno) string {
	switch e {
	case syscall.ENOENT:
		return "ENOENT"
	case syscall.EACCES:
		return "EACCES"
	case syscall.ENOEXEC:
		return "ENOEXEC"
	case syscall.EIO:
		return "EIO"
	case syscall.ENOTDIR:
		return "ENOTDIR"
	}
	return "errno " + e.Error()
}
