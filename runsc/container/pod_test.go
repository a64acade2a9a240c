package container

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestPodSandboxID(t *testing.T) {
	for _, c := range []struct {
		name string
		ann  map[string]string
		want string
	}{
		{"none", nil, ""},
		{"containerd sandbox", map[string]string{"io.kubernetes.cri.container-type": "sandbox", "io.kubernetes.cri.sandbox-id": "me"}, ""},
		{"containerd member", map[string]string{"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": "pod"}, "pod"},
		{"member naming itself", map[string]string{"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": "me"}, ""},
		{"member without sandbox id", map[string]string{"io.kubernetes.cri.container-type": "container"}, ""},
		{"CRI-O member", map[string]string{"io.kubernetes.cri-o.ContainerType": "container", "io.kubernetes.cri-o.SandboxID": "pod"}, "pod"},
		{"dockershim member", map[string]string{"io.kubernetes.docker.type": "container", "io.kubernetes.sandbox.id": "pod"}, "pod"},
		{"dockershim sandbox", map[string]string{"io.kubernetes.docker.type": "podsandbox", "io.kubernetes.sandbox.id": "me"}, ""},
	} {
		if got := PodSandboxID(&specs.Spec{Annotations: c.ann}, "me"); got != c.want {
			t.Errorf("%s: PodSandboxID = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSharesPIDNamespace(t *testing.T) {
	for _, c := range []struct {
		name string
		lin  *specs.Linux
		want bool
	}{
		{"no linux section", nil, true},
		{"no pid namespace (the runtime's)", &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.MountNamespace}}}, true},
		{"new pid namespace (CRI CONTAINER)", &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.PIDNamespace}}}, false},
		{"pid namespace path (CRI POD)", &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.PIDNamespace, Path: "/proc/42/ns/pid"}}}, true},
	} {
		if got := sharesPIDNamespace(&specs.Spec{Linux: c.lin}); got != c.want {
			t.Errorf("%s: sharesPIDNamespace = %v, want %v", c.name, got, c.want)
		}
	}
}
