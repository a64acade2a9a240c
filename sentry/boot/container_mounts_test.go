package boot

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/sentry/vfs"
)

func TestMountOptions(t *testing.T) {
	f, data := mountOptions([]string{"nosuid", "ro", "rw", "noexec", "nodev", "mode=755", "size=64k", "rbind", "strictatime"})
	if f != (vfs.MountFlags{NoSuid: true, NoExec: true, NoDev: true}) {
		t.Errorf("flags %+v", f)
	}
	if len(data) != 2 || data["mode"] != "755" || data["size"] != "64k" {
		t.Errorf("data %v", data)
	}
	if f, _ := mountOptions([]string{"rw", "ro"}); !f.ReadOnly {
		t.Error("the last of rw/ro wins")
	}
}

func TestTmpfsOptions(t *testing.T) {
	for _, tc := range []struct {
		data  map[string]string
		mode  uint32
		bytes int64
		ok    bool
	}{
		{nil, 0o1777, 0, true},
		{map[string]string{"mode": "755", "size": "65536k"}, 0o755, 64 << 20, true},
		{map[string]string{"size": "2m"}, 0o1777, 2 << 20, true},
		{map[string]string{"size": "1G"}, 0o1777, 1 << 30, true},
		{map[string]string{"size": "4096"}, 0o1777, 4096, true},
		{map[string]string{"mode": "9"}, 0, 0, false},
		{map[string]string{"size": "-1"}, 0, 0, false},
		{map[string]string{"size": "lots"}, 0, 0, false},
	} {
		o, err := tmpfsOptions(tc.data)
		if (err == nil) != tc.ok || (tc.ok && (o.RootMode != tc.mode || o.MaxBytes != tc.bytes)) {
			t.Errorf("tmpfsOptions(%v) = %+v, %v", tc.data, o, err)
		}
	}
}

func TestIsBindMount(t *testing.T) {
	for _, tc := range []struct {
		m    specs.Mount
		want bool
	}{
		{specs.Mount{Type: "bind"}, true},
		{specs.Mount{Type: "none", Options: []string{"rbind", "ro"}}, true},
		{specs.Mount{Options: []string{"bind"}}, true},
		{specs.Mount{Type: "tmpfs", Options: []string{"ro"}}, false},
	} {
		if got := isBindMount(&tc.m); got != tc.want {
			t.Errorf("isBindMount(%+v) = %v", tc.m, got)
		}
	}
}
