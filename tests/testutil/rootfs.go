package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Busybox is where Debian's busybox-static installs its binary.
const Busybox = "/bin/busybox"

// FixedTime is the modification time given to every file and directory of
// a built root file system, so that listings do not depend on build time.
var FixedTime = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)

// rootfsVersion changes whenever the layout below changes, so cached
// trees are rebuilt.
const rootfsVersion = "busybox-rootfs-v2"

// baseFiles are the small text files of every built root file system.
var baseFiles = map[string]string{
	"etc/passwd":   "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
	"etc/group":    "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n",
	"etc/hostname": "moat-test\n",
	"etc/hosts":    "127.0.0.1\tlocalhost\n",
	"etc/motd":     "Moat test root file system.\n",
	"etc/profile":  "export PATH=/bin:/sbin:/usr/bin:/usr/sbin\n",

	"usr/share/doc/alpha/copyright":     "Copyright: alpha authors\n",
	"usr/share/doc/alpha/README":        "alpha\n",
	"usr/share/doc/beta/copyright":      "Copyright: beta authors\n",
	"usr/share/doc/gamma/changelog":     "gamma 1.0\n",
	"usr/share/doc/gamma/sub/copyright": "Copyright: gamma sub\n",
}

// baseDirs are made (mode 0755 unless said) in every built tree.
var baseDirs = []string{"bin", "sbin", "usr/bin", "usr/sbin", "etc", "root", "home",
	"proc", "dev", "sys", "var", "tmp", "usr/share/doc"}

// BusyboxRootfs builds (or reuses from CacheDir()/rootfs/) a small root
// file system tree: Debian's static busybox at /bin/busybox with a symlink
// to it (absolute target "/bin/busybox") for every applet, /etc/passwd,
// /etc/group and a few other files, empty /proc, /dev, /sys and /tmp
// (mode 1777) for the runtime's mounts, and every entry of files, which
// maps a path inside the tree to a host file copied there (mode kept).
// Every file and directory gets FixedTime as its times. The tree must be
// treated as read-only. name labels the tree in the cache.
func BusyboxRootfs(name string, files map[string]string) (string, error) {
	if _, err := os.Stat(Busybox); err != nil {
		return "", fmt.Errorf("busybox: %w (apt-get install -y busybox-static)", err)
	}
	h := sha256.New()
	io.WriteString(h, rootfsVersion)
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, src := range append([]string{Busybox}, keys...) {
		host := src
		if src != Busybox {
			host = files[src]
			fmt.Fprintf(h, "\x00%s", src)
		}
		if err := hashFile(h, host); err != nil {
			return "", err
		}
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "rootfs", name+"-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(dir, "bin", "busybox")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("making rootfs cache: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "build-")
	if err != nil {
		return "", fmt.Errorf("making rootfs build directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := populate(tmp, files); err != nil {
		return "", fmt.Errorf("building rootfs %s: %w", name, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "bin", "busybox")); statErr == nil {
			return dir, nil
		}
		return "", fmt.Errorf("publishing rootfs %s: %w", name, err)
	}
	return dir, nil
}

func hashFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("hashing %s: %w", path, err)
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

func populate(root string, files map[string]string) error {
	if err := os.Chmod(root, 0o755); err != nil {
		return err
	}
	for _, d := range baseDirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.Chmod(filepath.Join(root, "tmp"), os.ModeSticky|0o777); err != nil {
		return err
	}
	if err := os.Chmod(filepath.Join(root, "root"), 0o700); err != nil {
		return err
	}
	for rel, body := range baseFiles {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	if err := copyFile(Busybox, filepath.Join(root, "bin", "busybox")); err != nil {
		return err
	}
	out, err := exec.Command(Busybox, "--list-full").Output()
	if err != nil {
		return fmt.Errorf("busybox --list-full: %w", err)
	}
	for _, rel := range strings.Fields(string(out)) {
		p := filepath.Join(root, rel)
		if rel == "bin/busybox" {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.Symlink("/bin/busybox", p); err != nil && !os.IsExist(err) {
			return err
		}
	}
	for rel, host := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		_ = os.Remove(p) // an applet symlink may stand there
		if err := copyFile(host, p); err != nil {
			return err
		}
	}
	// Fix times bottom-up, so setting a file's time happens before its
	// directory's. Symlinks keep theirs (nothing lists them with times).
	var paths []string
	if err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			paths = append(paths, p)
		}
		return nil
	}); err != nil {
		return err
	}
	for i := len(paths) - 1; i >= 0; i-- {
		if err := os.Chtimes(paths[i], FixedTime, FixedTime); err != nil {
			return err
		}
	}
	return nil
}

// copyFile copies src to dst, keeping the permission bits.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, fi.Mode().Perm())
}
