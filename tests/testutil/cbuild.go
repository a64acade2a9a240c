package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

var (
	gccOnce    sync.Once
	gccVersion string
	gccErr     error
)

// BuildC compiles the C file src with `gcc -O1 -Wall -Werror` plus flags
// (for example "-static" or "-static-pie") and returns the path of the
// binary, which is named after src without ".c". Binaries are cached under
// CacheDir()/c/ keyed on a hash of the source, every other file in src's
// directory whose name ends in ".h", the flags and the compiler version,
// so an unchanged program is not rebuilt. Concurrent calls are safe.
func BuildC(src string, flags ...string) (string, error) {
	gccOnce.Do(func() {
		out, err := exec.Command("gcc", "--version").Output()
		if err != nil {
			gccErr = fmt.Errorf("running gcc --version (is gcc installed?): %w", err)
			return
		}
		gccVersion = string(out)
	})
	if gccErr != nil {
		return "", gccErr
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%q\x00", gccVersion, flags)
	body, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", src, err)
	}
	h.Write(body)
	headers, _ := filepath.Glob(filepath.Join(filepath.Dir(src), "*.h"))
	for _, hdr := range headers {
		b, err := os.ReadFile(hdr)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", hdr, err)
		}
		fmt.Fprintf(h, "\x00%s\x00", filepath.Base(hdr))
		h.Write(b)
	}
	sum := hex.EncodeToString(h.Sum(nil))[:16]
	name := strings.TrimSuffix(filepath.Base(src), ".c")
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "c", name+"-"+sum)
	bin := filepath.Join(dir, name)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("making %s: %w", filepath.Dir(dir), err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "build-")
	if err != nil {
		return "", fmt.Errorf("making build directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	args := append([]string{"-O1", "-Wall", "-Werror"}, flags...)
	args = append(args, "-o", filepath.Join(tmp, name), src)
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("gcc %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", fmt.Errorf("chmod %s: %w", tmp, err)
	}
	// Publish atomically; a concurrent builder of the same key may win.
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(bin); statErr == nil {
			return bin, nil
		}
		return "", fmt.Errorf("publishing %s: %w", dir, err)
	}
	return bin, nil
}
