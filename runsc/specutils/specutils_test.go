package specutils

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func writeBundle(t *testing.T, config string) string {
	t.Helper()
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "rootfs"), 0o755)
	if config != "" {
		os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644)
	}
	return dir
}

func TestLoadSpec(t *testing.T) {
	good := `{"ociVersion":"1.2.0","root":{"path":"rootfs"},"process":{"args":["/bin/sh"],"cwd":"/"}}`
	for _, tc := range []struct {
		name, config string
		ok           bool
	}{
		{"good", good, true},
		{"missing", "", false},
		{"truncated", good[:40], false},
		{"not json", "ociVersion: 1", false},
		{"wrong version", `{"ociVersion":"2.0.0","root":{"path":"rootfs"}}`, false},
		{"no root", `{"ociVersion":"1.0.2"}`, false},
		{"root missing on disk", `{"ociVersion":"1.0.2","root":{"path":"nope"}}`, false},
		{"no args", `{"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":[],"cwd":"/"}}`, false},
		{"relative cwd", `{"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["x"],"cwd":"tmp"}}`, false},
		{"bad env", `{"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["x"],"cwd":"/","env":["NOEQ"]}}`, false},
		{"relative mount", `{"ociVersion":"1.0.2","root":{"path":"rootfs"},"mounts":[{"destination":"tmp"}]}`, false},
		{"dotdot mount", `{"ociVersion":"1.0.2","root":{"path":"rootfs"},"mounts":[{"destination":"/a/../b"}]}`, false},
		{"bad namespace", `{"ociVersion":"1.0.2","root":{"path":"rootfs"},"linux":{"namespaces":[{"type":"bogus"}]}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeBundle(t, tc.config)
			s, err := LoadSpec(dir)
			if tc.ok {
				if err != nil {
					t.Fatalf("LoadSpec: %v", err)
				}
				if s.Root.Path != filepath.Join(dir, "rootfs") {
					t.Fatalf("root path %q not made absolute", s.Root.Path)
				}
				return
			}
			if err == nil {
				t.Fatal("LoadSpec succeeded")
			}
			if tc.config != "" && !errors.Is(err, ErrInvalidSpec) {
				t.Fatalf("error %v does not wrap ErrInvalidSpec", err)
			}
		})
	}
}

func TestValidateID(t *testing.T) {
	for id, ok := range map[string]bool{
		"abc": true, "a.b-c_d+e": true, "": false, ".": false, "..": false, "a/b": false,
		"../x": false, ".hidden": false, "a b": false,
	} {
		if err := ValidateID(id); (err == nil) != ok {
			t.Errorf("ValidateID(%q) = %v, want ok=%v", id, err, ok)
		}
	}
}
