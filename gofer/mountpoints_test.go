package gofer

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMakeMountPoints creates mount points in a tree laid out like an
// image, in spec order, and checks what it made and what it left alone.
func TestMakeMountPoints(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	for _, d := range []string{"etc", "var/run", "tmp", "bin"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "etc/hosts"), []byte("keep\n"), 0o644)
	os.WriteFile(filepath.Join(root, "bin/sh"), nil, 0o755)
	os.Symlink("/var/run", filepath.Join(root, "run"))                      // absolute: inside root
	os.Symlink("../../../../../../.."+outside, filepath.Join(root, "evil")) // ".." stops at root
	os.Symlink("dangling/target", filepath.Join(root, "link"))              // made inside root
	mps := []MountPoint{
		{Path: "/proc"},
		{Path: "/dev"},                           // a tmpfs: what is below is not the rootfs's
		{Path: "/dev/shm"},                       // under /dev
		{Path: "/etc/resolv.conf", File: true},   // a file bind mount
		{Path: "/etc/hosts", File: true},         // exists: kept
		{Path: "/run/secrets/token", File: true}, // through an absolute link
		{Path: "/evil/x"},
		{Path: "/link"},
		{Path: "/tmp"},
		{Path: "/tmp/sub/dir"}, // under the earlier /tmp
		{Path: "/"},
	}
	if err := MakeMountPoints(root, mps); err != nil {
		t.Fatal(err)
	}
	for p, dir := range map[string]bool{
		"proc": true, "dev": true, "etc/resolv.conf": false, "etc/hosts": false,
		"var/run/secrets/token": false, filepath.Join(outside[1:], "x"): true, "dangling/target": true,
	} {
		st, err := os.Lstat(filepath.Join(root, p))
		if err != nil || st.IsDir() != dir {
			t.Errorf("%s: %v (dir %v, want %v)", p, err, err == nil && st.IsDir(), dir)
			continue
		}
		want := os.FileMode(0o644)
		if dir {
			want = 0o755
		}
		if p != "etc/hosts" && st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
	for _, p := range []string{"dev/shm", "tmp/sub"} {
		if _, err := os.Lstat(filepath.Join(root, p)); !os.IsNotExist(err) {
			t.Errorf("%s (under an earlier mount) was made in the rootfs: %v", p, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(root, "etc/hosts")); string(b) != "keep\n" {
		t.Errorf("an existing file was changed: %q", b)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("a mount point was made outside the root: %v", ents)
	}
}

// TestMakeMountPointsCoveredRoot: below a mount on "/" that is not the
// rootfs (a tmpfs), nothing is the rootfs's; a bind of the rootfs itself
// on "/" hides nothing. A link target's trailing "/" and "." do not turn
// a file mount point into a directory.
func TestMakeMountPointsCoveredRoot(t *testing.T) {
	root := t.TempDir()
	if err := MakeMountPoints(root, []MountPoint{{Path: "/"}, {Path: "/x/y"}, {Path: "/f", File: true}}); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(root); len(ents) != 0 {
		t.Errorf("made below a mount on /: %v", ents)
	}
	os.Symlink("./target/.//", filepath.Join(root, "link"))
	if err := MakeMountPoints(root, []MountPoint{{Path: "/", Transparent: true}, {Path: "/x/y"}, {Path: "/link", File: true}}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(root, "x/y")); err != nil || !st.IsDir() {
		t.Errorf("x/y: %v", err)
	}
	if st, err := os.Lstat(filepath.Join(root, "target")); err != nil || !st.Mode().IsRegular() {
		t.Errorf("target: %v", err)
	}
}

// TestMakeMountPointsErrors: a path through a file, and a symlink loop,
// give an error naming the mount point.
func TestMakeMountPointsErrors(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "file"), nil, 0o644)
	os.Symlink("loop", filepath.Join(root, "loop"))
	for _, tc := range []struct{ path, want string }{
		{"/file/x", "creating mount point /file/x: /file: not a directory"},
		{"/loop/x", "creating mount point /loop/x: too many levels of symbolic links"},
	} {
		err := MakeMountPoints(root, []MountPoint{{Path: tc.path}})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.path, err, tc.want)
		}
	}
	if err := MakeMountPoints(filepath.Join(root, "nope"), nil); err == nil {
		t.Error("a missing root gave no error")
	}
}
