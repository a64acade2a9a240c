package busybox_test

import (
	"errors"
	"os"
	"path/filepath"
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
	{"path-through-a-file", "/bad/text/prog"},
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

// doMessage is what `runsc do` says after "runsc do: PROGRAM: " for an
// execve failure: the C library's strerror text ("No such file or
// directory", Go's message with a capital first letter), except for
// ENOEXEC, where it says what bash says: "cannot execute binary file:
// Exec format error".
func doMessage(e syscall.Errno) string {
	if e == syscall.ENOEXEC {
		return "cannot execute binary file: Exec format error"
	}
	s := e.Error()
	return strings.ToUpper(s[:1]) + s[1:]
}

// doExitCode is the exit code `runsc do` gives for an execve failure, as
// POSIX shells do: 127 when the program was not found (ENOENT, ENOTDIR),
// 126 when it exists but cannot be run.
func doExitCode(e syscall.Errno) int {
	if e == syscall.ENOENT || e == syscall.ENOTDIR {
		return 127
	}
	return 126
}

// TestBadPrograms checks `runsc do` on programs that cannot be started:
// exit code 127 when the program is not found (ENOENT, ENOTDIR), 126 for
// every other execve failure, nothing on stdout, and exactly one line on
// stderr: "runsc do: PROGRAM: MESSAGE" (see doMessage).
func TestBadPrograms(t *testing.T) {
	testutil.RequireRoot(t)
	root := buildTree(t)
	for _, c := range badCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			errno := execErrno(t, root, c.path)
			if errno == 0 {
				t.Fatalf("%s started natively; the case is wrong", c.path)
			}
			wantExit := doExitCode(errno)
			t.Logf("native execve: %s (%s) -> exit %d", errno.Error(), errnoName(errno), wantExit)
			sb := testutil.SandboxOrSkip(t)
			res := run(t, sb.Cmd(testutil.DoOptions{Root: root, Env: env, Cwd: "/"}, c.path), "")
			wantErr := "runsc do: " + c.path + ": " + doMessage(errno) + "\n"
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

// shellDiffers lists the bad-program cases where bash, unlike execve and
// `runsc do`, does something else: it runs a text file without "#!" as a
// shell script, and exits 126 for ENOTDIR (dash and busybox ash say "not
// found", 127, as runsc do does).
var shellDiffers = map[string]bool{"not-elf-text": true, "path-through-a-file": true}

// TestBadProgramsShell proves the exit-code convention against bash on
// the host: for each bad program (by its host path inside the tree),
// `bash -c PATH` exits as runsc do must, except for shellDiffers.
func TestBadProgramsShell(t *testing.T) {
	testutil.RequireRoot(t)
	if _, err := os.Stat("/bin/bash"); err != nil {
		t.Skip("no /bin/bash")
	}
	root := buildTree(t)
	for _, c := range badCases {
		if !strings.HasPrefix(c.path, "/") || shellDiffers[c.name] {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			errno := execErrno(t, root, c.path)
			host := filepath.Join(root, c.path)
			if c.path == "/etc" {
				host = filepath.Join(root, "etc")
			}
			res := run(t, testutil.Cmd{Args: []string{"/bin/bash", "-c", host}, Env: env}, "")
			if res.ExitCode != doExitCode(errno) {
				t.Errorf("bash -c %s: exit %d, runsc do convention says %d (%s)\n%s", host, res.ExitCode, doExitCode(errno), errnoName(errno), res)
			}
			t.Logf("bash: %s", strings.TrimSpace(res.Stderr))
		})
	}
}
