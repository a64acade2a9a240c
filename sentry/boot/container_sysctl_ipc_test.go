package boot

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/sentry/kernel/ipc"
)

func TestOwnsIPCNamespace(t *testing.T) {
	for _, tc := range []struct {
		name string
		ns   []specs.LinuxNamespace
		want bool
	}{
		{"no entry: the sandbox's", nil, false},
		{"new one", []specs.LinuxNamespace{{Type: specs.PIDNamespace}, {Type: specs.IPCNamespace}}, true},
		{"the CRI's path: shared", []specs.LinuxNamespace{{Type: specs.IPCNamespace, Path: "/proc/7/ns/ipc"}}, false},
	} {
		spec := &specs.Spec{Linux: &specs.Linux{Namespaces: tc.ns}}
		if got := ownsIPCNamespace(spec); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if ownsIPCNamespace(&specs.Spec{}) {
		t.Error("no linux section: want the sandbox's namespace")
	}
}

func TestApplyIPCSysctls(t *testing.T) {
	ns := ipc.NewNamespace()
	spec := &specs.Spec{Linux: &specs.Linux{Sysctl: map[string]string{
		"kernel.shmmni": "100", "kernel.msgmax": "65536", "kernel.hostname": "other key",
	}}}
	if err := applyIPCSysctls(ns, spec); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"shmmni": "100\n", "msgmax": "65536\n", "msgmnb": "16384\n"} {
		if got, _ := ns.Sysctl(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	spec.Linux.Sysctl = map[string]string{"kernel.shmmax": "lots"}
	if err := applyIPCSysctls(ns, spec); err == nil {
		t.Error("kernel.shmmax=lots: want an error")
	}
}
