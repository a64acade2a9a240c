package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Sandbox runs commands under `runsc do`.
type Sandbox struct {
	// Runsc is the path of the runsc binary.
	Runsc string
}

var (
	sandboxOnce   sync.Once
	sandbox       *Sandbox
	sandboxReason string
)

// FindRunsc returns the runsc binary to test: $MOAT_RUNSC if set, else
// <repo>/bin/runsc, which is built with `go build -o bin/runsc ./runsc`
// when it does not exist yet. An existing bin/runsc is used as it is:
// rebuild it after changing the sentry.
func FindRunsc() (string, error) {
	if p := os.Getenv("MOAT_RUNSC"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("MOAT_RUNSC: %w", err)
		}
		return p, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, "bin", "runsc")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	// Test binaries of several packages may get here at once.
	unlock, err := lockFile(filepath.Join(root, "bin", ".runsc-build.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	cmd := exec.Command("go", "build", "-o", bin, "./runsc")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building runsc (go build -o bin/runsc ./runsc): %w\n%s", err, strings.TrimSpace(string(out)))
	}
	return bin, nil
}

// lockFile takes an exclusive flock(2) on path (creating it and its
// directory) and returns the function that releases it.
func lockFile(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("making %s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// probeSource is a static program that only exits 0: if `runsc do` cannot
// run it, nothing else will run either.
const probeSource = `#include <unistd.h>
int main(void) { return write(1, "moat-probe\n", 11) == 11 ? 0 : 1; }
`

// SandboxOrReason returns a Sandbox once runsc is found and `runsc do`
// runs a trivial static program, or nil and the reason it cannot be used.
// Suites skip their sandbox half on nil, unless $MOAT_REQUIRE_SANDBOX=1,
// in which case they must fail; MOAT_SANDBOX=0 turns the sandbox half off.
func SandboxOrReason() (*Sandbox, string) {
	sandboxOnce.Do(func() {
		if os.Getenv("MOAT_SANDBOX") == "0" {
			sandboxReason = "MOAT_SANDBOX=0"
			return
		}
		runsc, err := FindRunsc()
		if err != nil {
			sandboxReason = fmt.Sprintf("no runsc: %v", err)
			return
		}
		cache, err := CacheDir()
		if err != nil {
			sandboxReason = err.Error()
			return
		}
		src := filepath.Join(cache, "probe", "moat_probe.c")
		if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
			sandboxReason = err.Error()
			return
		}
		if err := os.WriteFile(src, []byte(probeSource), 0o644); err != nil {
			sandboxReason = err.Error()
			return
		}
		bin, err := BuildC(src, "-static")
		if err != nil {
			sandboxReason = err.Error()
			return
		}
		s := &Sandbox{Runsc: runsc}
		// Three tries: one failed start should not turn a whole run of
		// failures (which are informative) into skips.
		for try := 0; try < 3; try++ {
			res, err := Run(s.Cmd(DoOptions{}, bin), 60*time.Second)
			if err == nil && res.ExitCode == 0 && res.Stdout == "moat-probe\n" {
				sandbox = s
				return
			}
			sandboxReason = fmt.Sprintf("`%s do -- %s` does not run a trivial static program yet (err %v): %s", runsc, bin, err, res)
		}
	})
	return sandbox, sandboxReason
}

// RequireSandbox reports whether a missing sandbox must fail the tests
// ($MOAT_REQUIRE_SANDBOX=1) rather than skip them.
func RequireSandbox() bool {
	return os.Getenv("MOAT_REQUIRE_SANDBOX") == "1"
}

// DoOptions are the flags given to `runsc do`.
type DoOptions struct {
	Root string   // --root; "" means the host's / (read-only)
	Cwd  string   // --cwd; "" means runsc's default (/)
	Env  []string // one --env K=V each: the sandbox's whole environment
}

// Cmd returns the command that runs args under `runsc do`. runsc itself
// gets this process's environment: none of it may reach the sandbox.
func (s *Sandbox) Cmd(o DoOptions, args ...string) Cmd {
	argv := []string{s.Runsc, "do"}
	if o.Root != "" {
		argv = append(argv, "--root", o.Root)
	}
	if o.Cwd != "" {
		argv = append(argv, "--cwd", o.Cwd)
	}
	for _, e := range o.Env {
		argv = append(argv, "--env", e)
	}
	argv = append(argv, "--")
	argv = append(argv, args...)
	return Cmd{Args: argv, Env: os.Environ()}
}

// chrootScript mounts what `runsc do --root` provides (proc on /proc,
// the host's /dev, a fresh tmpfs on /tmp) inside a private mount
// namespace, then runs the command chrooted with exactly the given
// environment and / as the working directory.
const chrootScript = `R=$1; shift
mount -t proc proc "$R/proc" && mount -t tmpfs -o mode=1777 tmpfs "$R/tmp" && mount --rbind /dev "$R/dev" || exit 125
exec /usr/bin/env -i "$@"`

// ChrootCmd returns the command that runs args natively, chrooted into
// root, the reference for `runsc do --root root`. env is the complete
// environment; no entry may lack '='. Needs root and unshare(1).
func ChrootCmd(root string, env []string, args ...string) Cmd {
	argv := []string{"/usr/bin/unshare", "--mount", "--propagation", "private", "--",
		"/bin/sh", "-c", chrootScript, "sh", root}
	argv = append(argv, env...)
	argv = append(argv, "/usr/sbin/chroot", root)
	argv = append(argv, args...)
	return Cmd{Args: argv}
}
