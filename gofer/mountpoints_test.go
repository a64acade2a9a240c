package gofer

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMakeMountPoints(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/hosts"), []byte("keep\n"), 0o644)
	os.Symlink("/var/run", filepath.Join(root, "run"))          // resolved inside root
	os.Symlink(outside, filepath.Join(root, "escape"))          // absolute: inside root too
	os.Symlink("../../../../..", filepath.Join(root, "dotdot")) // clamped at root
	mps := []MountPoint{
		{Path: "/proc"},
		{Path: "/dev/shm"},
		{Path: "/etc/resolv.conf", File: true},
		{Path: "/etc/hosts", File: true},
		{Path: "/run/secrets/token", File: true},
		{Path: "/escape/x"},
		{Path: "/dotdot/y"},
		{Path: "/"},
	}
	if err := MakeMountPoints(root, mps); err != nil {
		t.Fatal(err)
	}
	for p, dir := range map[string]bool{
		"proc": true, "dev/shm": true, "etc/resolv.conf": false, "etc/hosts": false,
		"var/run/secrets/token": false, filepath.Join(outside[1:], "x"): true, "y": true,
	} {
		st, err := os.Lstat(filepath.Join(root, p))
		if err != nil || st.IsDir() != dir {
			t.Errorf("%s: %v (dir %v, want %v)", p, err, err == nil && st.IsDir(), dir)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(root, "etc/hosts")); string(b) != "keep\n" {
		t.Errorf("an existing file was changed: %q", b)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("a mount point was made outside the root: %v", ents)
	}
}
