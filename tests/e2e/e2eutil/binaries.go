// Package e2eutil starts real daemons for Moat's end-to-end tests
// (tests/e2e): containerd 1.6 from Debian or a Go-built containerd 2.x,
// each with a private root, state directory, socket and config, and the
// busybox image they import. It also finds the binaries under test, builds
// the image tarball, and checks that nothing is left behind.
//
// The API is small on purpose:
//
//	Require(t, err)                      skip, or fail under MOAT_REQUIRE_E2E=1
//	BinDir(t)                            runsc + containerd-shim-runsc-v1, for PATH
//	BusyboxImage(path)                   the image tarball (ctr import, docker load)
//	StartContainerd(t, version, opts)    a private containerd, torn down by t.Cleanup
//	(*Containerd).Ctr(t, args...)        run ctr against it
//	CheckNoLeaks(t, markers...)          no process, mount or state left
package e2eutil

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"moat/tests/testutil"
)

// Require reports a missing prerequisite: the test fails when
// MOAT_REQUIRE_E2E=1 (CI sets it), and is skipped otherwise.
func Require(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("MOAT_REQUIRE_E2E") == "1" {
		t.Fatalf("e2e prerequisite missing (MOAT_REQUIRE_E2E=1): %v", err)
	}
	t.Skipf("e2e prerequisite missing: %v", err)
}

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// BinDir returns a directory holding `runsc` and
// `containerd-shim-runsc-v1` (symbolic links to the binaries under test,
// kept under CacheDir) to put first in a daemon's PATH. runsc is testutil.FindRunsc's; the
// shim is $MOAT_BIN_DIR/containerd-shim-runsc-v1, else
// <repo>/bin/containerd-shim-runsc-v1, built with `go build` when missing
// (rebuild it yourself after changing shim/).
func BinDir(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() { binDir, binErr = makeBinDir() })
	Require(t, binErr)
	return binDir
}

func makeBinDir() (string, error) {
	runsc, err := testutil.FindRunsc()
	if err != nil {
		return "", err
	}
	shim, err := findShim()
	if err != nil {
		return "", err
	}
	// One directory per pair of binaries, kept in the cache and shared by
	// runs (made under a temporary name, then renamed into place).
	sum := sha256.Sum256([]byte(runsc + "\n" + shim))
	dir := filepath.Join(CacheDir(), "bin-"+hex.EncodeToString(sum[:6]))
	if exists(filepath.Join(dir, "containerd-shim-runsc-v1")) {
		return dir, nil
	}
	if err := os.MkdirAll(CacheDir(), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(CacheDir(), ".bin-")
	if err != nil {
		return "", err
	}
	for name, target := range map[string]string{"runsc": runsc, "containerd-shim-runsc-v1": shim} {
		if err := os.Symlink(target, filepath.Join(tmp, name)); err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if !exists(filepath.Join(dir, "containerd-shim-runsc-v1")) {
			return "", err
		}
	}
	return dir, nil
}

func findShim() (string, error) {
	const name = "containerd-shim-runsc-v1"
	if d := os.Getenv("MOAT_BIN_DIR"); d != "" {
		if p := filepath.Join(d, name); exists(p) {
			return p, nil
		}
	}
	root, err := testutil.RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, "bin", name)
	if exists(bin) {
		return bin, nil
	}
	unlock, err := lock(filepath.Join(root, "bin", ".shim-build.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if exists(bin) {
		return bin, nil
	}
	cmd := exec.Command("go", "build", "-o", bin, "./shim")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the shim (go build -o bin/%s ./shim): %w\n%s", name, err, strings.TrimSpace(string(out)))
	}
	return bin, nil
}

// Containerd2Version is the containerd 2.x release the tests build.
const Containerd2Version = "v2.4.2"

// CacheDir is where built daemons are kept between runs:
// $MOAT_E2E_CACHE, else /var/tmp/moat-e2e-cache (scripts/deps.sh fills it).
func CacheDir() string {
	if d := os.Getenv("MOAT_E2E_CACHE"); d != "" {
		return d
	}
	return "/var/tmp/moat-e2e-cache"
}

// Containerd2Bin returns the directory holding containerd, ctr and
// containerd-shim-runc-v2 of Containerd2Version, building them with
// `go install` when missing. The runc shim is 2.x's own: Debian's 1.6
// shim cannot serve a 2.x daemon's CRI plugin.
func Containerd2Bin() (string, error) {
	dir := filepath.Join(CacheDir(), "containerd-"+Containerd2Version, "bin")
	if haveContainerd2(dir) {
		return dir, nil
	}
	unlock, err := lock(filepath.Join(CacheDir(), ".containerd2-build.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if haveContainerd2(dir) {
		return dir, nil
	}
	args := []string{"install"}
	for _, c := range containerd2Commands {
		args = append(args, "github.com/containerd/containerd/v2/cmd/"+c+"@"+Containerd2Version)
	}
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOBIN="+dir)
	cmd.Dir = CacheDir()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building containerd %s: %w\n%s", Containerd2Version, err, strings.TrimSpace(string(out)))
	}
	return dir, nil
}

// RuncShim returns the containerd-shim-runc-v2 that serves containerd v
// (a CRI runtime's runtime_path): Debian's for 1.6, the one Containerd2Bin
// builds for 2.x.
func RuncShim(v Version) (string, error) {
	if v == Containerd16 {
		return "/usr/bin/containerd-shim-runc-v2", nil
	}
	dir, err := Containerd2Bin()
	return filepath.Join(dir, "containerd-shim-runc-v2"), err
}

// containerd2Commands are the binaries Containerd2Bin builds (the same
// list as scripts/deps.sh).
var containerd2Commands = []string{"containerd", "ctr", "containerd-shim-runc-v2"}

func haveContainerd2(dir string) bool {
	for _, c := range containerd2Commands {
		if !exists(filepath.Join(dir, c)) {
			return false
		}
	}
	return true
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// lock takes an exclusive flock on path until the returned func is called.
func lock(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
