package sandbox

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/gofer"
)

// TestMountPoints checks the list the gofer gets: every mount in order, a
// file for a bind of a non-directory (also through a relative source or a
// symlink), and only a bind of the rootfs itself onto "/" transparent.
func TestMountPoints(t *testing.T) {
	bundle := t.TempDir()
	root := filepath.Join(bundle, "rootfs")
	os.Mkdir(root, 0o755)
	os.Symlink("rootfs", filepath.Join(bundle, "rootlink"))
	os.WriteFile(filepath.Join(bundle, "hosts"), nil, 0o644)
	os.Symlink("hosts", filepath.Join(bundle, "hostslink"))
	bind := func(dst, src string) specs.Mount {
		return specs.Mount{Destination: dst, Type: "bind", Source: src, Options: []string{"rbind"}}
	}
	spec := &specs.Spec{
		Root: &specs.Root{Path: root},
		Mounts: []specs.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc"},
			{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs"},
			bind("/etc/hosts", "hosts"),
			bind("/etc/hostname", filepath.Join(bundle, "hostslink")),
			bind("/data", bundle),
			bind("/", filepath.Join(bundle, "rootlink")),
			bind("/mnt/root", root),
			bind("/missing", "/nonexistent"),
		},
	}
	want := []gofer.MountPoint{
		{Path: "/proc"},
		{Path: "/tmp"},
		{Path: "/etc/hosts", File: true},
		{Path: "/etc/hostname", File: true},
		{Path: "/data"},
		{Path: "/", Transparent: true},
		{Path: "/mnt/root"},
		{Path: "/missing"},
	}
	if got := mountPoints(spec, bundle); !reflect.DeepEqual(got, want) {
		t.Errorf("mountPoints:\n got %+v\nwant %+v", got, want)
	}
}
