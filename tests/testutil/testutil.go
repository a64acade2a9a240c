// Package testutil holds the helpers shared by Moat's black-box test
// suites (tests/syscalls, tests/busybox): finding or building runsc,
// building C test programs with a cache keyed on their source, running
// commands natively, in a chroot and under `runsc do` with captured output
// and a timeout, a child-subreaper TestMain, and a builder for small root
// file system trees made from Debian's static busybox.
package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	repoOnce sync.Once
	repoDir  string
	repoErr  error
)

// RepoRoot returns the directory holding the module's go.mod, found by
// walking up from the working directory (go test runs in the package
// directory).
func RepoRoot() (string, error) {
	repoOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			repoErr = fmt.Errorf("finding repository root: %w", err)
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				repoDir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				repoErr = fmt.Errorf("finding repository root: no go.mod above the working directory")
				return
			}
			dir = parent
		}
	})
	return repoDir, repoErr
}

// CacheDir returns the directory where built test programs and root file
// system trees are kept between runs: $MOAT_TEST_CACHE if set, else
// /var/tmp/moat-tests-<uid>. It is never under /tmp, because a sandbox
// gets a fresh tmpfs there and would not see files placed in the host's
// /tmp when it runs with the host's root.
func CacheDir() (string, error) {
	dir := os.Getenv("MOAT_TEST_CACHE")
	if dir == "" {
		dir = fmt.Sprintf("/var/tmp/moat-tests-%d", os.Getuid())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("making test cache directory: %w", err)
	}
	return dir, nil
}

// RequireRoot skips t unless the test runs as root: the suites compare
// against native runs as root (uid 0 semantics, chroot, mounts).
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root: native reference runs use uid 0, chroot and mount")
	}
}
