package sandbox

import (
	"path/filepath"
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/sentry/control"
)

func TestBindMounts(t *testing.T) {
	bundle := t.TempDir()
	abs := t.TempDir()
	spec := &specs.Spec{Mounts: []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc"},
		{Destination: "/a", Type: "bind", Source: abs, Options: []string{"ro"}},
		{Destination: "/b", Source: ".", Options: []string{"rbind", "ro", "rw"}},
		{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs"},
	}}
	ms, idx, err := bindMounts(spec, bundle)
	if err != nil {
		t.Fatal(err)
	}
	want := []control.GoferMount{{Source: abs, ReadOnly: true}, {Source: bundle}}
	if !reflect.DeepEqual(ms, want) || !reflect.DeepEqual(idx, []int{1, 2}) {
		t.Errorf("bindMounts = %+v %v", ms, idx)
	}
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/c", Type: "bind", Source: filepath.Join(bundle, "missing")})
	if _, _, err := bindMounts(spec, bundle); err == nil {
		t.Error("a missing source must fail")
	}
}

func TestNetworkNamespacePath(t *testing.T) {
	for _, tc := range []struct {
		spec *specs.Spec
		want string
	}{
		{&specs.Spec{}, ""},
		{&specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.PIDNamespace, Path: "/x"}}}}, ""},
		{&specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.NetworkNamespace}}}}, ""},
		{&specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: "/run/netns/a"}}}}, "/run/netns/a"},
	} {
		if got := networkNamespacePath(tc.spec); got != tc.want {
			t.Errorf("networkNamespacePath(%+v) = %q, want %q", tc.spec.Linux, got, tc.want)
		}
	}
}
