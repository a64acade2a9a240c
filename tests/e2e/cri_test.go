package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"moat/tests/e2e/e2eutil"
	"moat/tests/testutil"
)

// The CRI path a Kubernetes RuntimeClass with `handler: runsc` selects:
// containerd's CRI plugin with a runtime handler of type
// io.containerd.runsc.v1, driven over the CRI socket by a small client
// (crictl and critest are not packaged here). Pods use the host's network
// namespace (hostNetwork: true), so that no CNI plugin is needed; the
// sandbox still gets a network namespace of its own from runsc
// (docs/kubernetes.md).

// criHandler is the runtime handler (RuntimeClass.handler) under test;
// runcHandler is the reference it is compared with.
const (
	criHandler  = "runsc"
	runcHandler = "runc"
)

// criConfig is the TOML the daemon gets for the CRI plugin (version 2
// syntax, which containerd 1.6 reads and 2.x migrates), with runcShim
// (the runc shim of the daemon's own version) for the runc handler.
//
// restrictOOM sets restrict_oom_score_adj, which clamps the
// oomScoreAdj the CRI gives a pod sandbox (-998) to containerd's own
// score: runc fails to start a pod without it here, since lowering a
// score needs CAP_SYS_RESOURCE, which root lacks on this machine. Moat's
// runs keep the CRI's -998 (runsc keeps the score it has when the write
// is refused, docs/kubernetes.md).
func criConfig(dir, runcShim string, restrictOOM bool) string {
	return fmt.Sprintf(`
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %q
  restrict_oom_score_adj = %t
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %q
    conf_dir = %q
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = %q
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.%s]
    runtime_type = "io.containerd.runc.v2"
    runtime_path = %q
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.%s]
    runtime_type = "io.containerd.runsc.v1"
`, e2eutil.PauseRef, restrictOOM, filepath.Join(dir, "cni-bin"), filepath.Join(dir, "cni-conf"),
		runcHandler, runcHandler, runcShim, criHandler)
}

// cri is a CRI client of one daemon.
type cri struct {
	t   *testing.T
	c   *e2eutil.Containerd
	rt  runtimeapi.RuntimeServiceClient
	img runtimeapi.ImageServiceClient
	// handler is the runtime handler the pods ask for.
	handler string
	// logs is the pods' log directory.
	logs string
	// cgroup is the pods' cgroup parent (kubelet gives every pod one),
	// private to the daemon.
	cgroup string
}

// startCRI starts containerd v with the CRI plugin and the runsc and
// runc handlers, imports the busybox and pause images into its k8s.io
// namespace and connects a client whose pods use handler. Every pod left
// is stopped and removed before the daemon stops; after that nothing may
// be left (e2eutil.CheckNoLeaks, and no cgroup below the pods' parent).
func startCRI(t *testing.T, v e2eutil.Version, handler string) *cri {
	dir := t.TempDir()
	runcShim, err := e2eutil.RuncShim(v)
	e2eutil.Require(t, err)
	var c *e2eutil.Containerd
	cgroup := "/moat-e2e-cri-" + filepath.Base(dir)
	t.Cleanup(func() {
		if c != nil {
			e2eutil.CheckNoLeaks(t, c.Dir, "k8s.io")
			e2eutil.CheckNoCgroupsBelow(t, cgroup)
		}
	})
	c = e2eutil.StartContainerd(t, v, e2eutil.Options{CRI: true, Config: criConfig(dir, runcShim, handler == runcHandler)})
	for _, img := range []struct {
		name  string
		build func(string) error
	}{{"busybox.tar", e2eutil.BusyboxImage}, {"pause.tar", e2eutil.PauseImage}} {
		path := filepath.Join(c.Dir, img.name)
		if err := img.build(path); err != nil {
			t.Fatal(err)
		}
		args := []string{c.CtrPath, "--address", c.Address, "--namespace", "k8s.io", "images", "import", "--all-platforms", path}
		if r, err := testutil.Run(testutil.Cmd{Args: args}, 2*time.Minute); err != nil || r.ExitCode != 0 {
			t.Fatalf("ctr -n k8s.io images import %s: %v %s", img.name, err, r)
		}
	}
	conn, err := grpc.Dial("unix://"+c.Address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dialing the CRI socket: %v", err)
	}
	x := &cri{t: t, c: c, rt: runtimeapi.NewRuntimeServiceClient(conn), img: runtimeapi.NewImageServiceClient(conn),
		handler: handler, logs: filepath.Join(dir, "pods"), cgroup: cgroup}
	t.Cleanup(func() {
		x.removeAll()
		conn.Close()
	})
	return x
}

func (x *cri) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

// removeAll stops and removes every pod (their containers with them).
func (x *cri) removeAll() {
	ctx, cancel := x.ctx()
	defer cancel()
	pods, err := x.rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		x.t.Errorf("ListPodSandbox: %v", err)
		return
	}
	for _, p := range pods.Items {
		if _, err := x.rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: p.Id}); err != nil {
			x.t.Errorf("StopPodSandbox %s: %v", p.Id, err)
		}
		if _, err := x.rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: p.Id}); err != nil {
			x.t.Errorf("RemovePodSandbox %s: %v", p.Id, err)
		}
	}
}

// podConfig is a hostNetwork pod whose containers share a PID namespace
// when pidMode is POD.
func (x *cri) podConfig(name string, pidMode runtimeapi.NamespaceMode) *runtimeapi.PodSandboxConfig {
	logs := filepath.Join(x.logs, name)
	if err := os.MkdirAll(logs, 0o755); err != nil {
		x.t.Fatal(err)
	}
	return &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: name, Uid: name + "-uid", Namespace: "default"},
		// No Hostname: kubelet sets none for a hostNetwork pod (runc
		// refuses one without a UTS namespace of the pod's own).
		LogDirectory: logs,
		Linux: &runtimeapi.LinuxPodSandboxConfig{
			CgroupParent: x.cgroup,
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
				NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE, Pid: pidMode},
			},
		},
	}
}

// container creates and starts a container in pod running args, with
// volume at /data.
func (x *cri) container(pod string, pc *runtimeapi.PodSandboxConfig, name, volume string, args ...string) string {
	x.t.Helper()
	ctx, cancel := x.ctx()
	defer cancel()
	cfg := &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: name},
		Image:    &runtimeapi.ImageSpec{Image: e2eutil.BusyboxRef},
		Command:  args,
		LogPath:  name + ".log",
		Mounts:   []*runtimeapi.Mount{{ContainerPath: "/data", HostPath: volume}},
		Linux: &runtimeapi.LinuxContainerConfig{
			SecurityContext: &runtimeapi.LinuxContainerSecurityContext{NamespaceOptions: pc.Linux.SecurityContext.NamespaceOptions},
		},
	}
	r, err := x.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: pod, Config: cfg, SandboxConfig: pc})
	if err != nil {
		x.t.Fatalf("CreateContainer %s: %v", name, err)
	}
	if _, err := x.rt.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: r.ContainerId}); err != nil {
		x.t.Fatalf("StartContainer %s: %v", name, err)
	}
	return r.ContainerId
}

// exec runs ExecSync and fails the test unless it exits with code.
func (x *cri) exec(id string, code int32, args ...string) string {
	x.t.Helper()
	ctx, cancel := x.ctx()
	defer cancel()
	r, err := x.rt.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: id, Cmd: args, Timeout: 60})
	if err != nil {
		x.t.Fatalf("ExecSync %v: %v", args, err)
	}
	if r.ExitCode != code {
		x.t.Errorf("ExecSync %v: exit %d, want %d; stdout %q stderr %q", args, r.ExitCode, code, r.Stdout, r.Stderr)
	}
	return string(r.Stdout)
}

// status returns a container's status.
func (x *cri) status(id string) *runtimeapi.ContainerStatus {
	x.t.Helper()
	ctx, cancel := x.ctx()
	defer cancel()
	r, err := x.rt.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id})
	if err != nil {
		x.t.Fatalf("ContainerStatus: %v", err)
	}
	return r.Status
}

// waitLog waits until the container's CRI log file holds every line of
// want, as "<time> <stream> F <text>".
func (x *cri) waitLog(path string, want ...string) {
	x.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		missing := ""
		for _, w := range want {
			if !strings.Contains(string(b), w) {
				missing = w
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("log %s lacks %q:\n%s", path, missing, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCRIPod runs the pod lifecycle through the CRI on containerd 2.x and
// on Debian's 1.6: a pod sandbox, two containers sharing a volume and
// seeing each other's processes only when the pod's PID namespace mode
// is POD, ExecSync, logs, stats, resource updates, stop with a grace
// period, removal. The same lifecycle runs under the runc handler, with
// the same expectations, for comparison (on a daemon of its own with
// restrict_oom_score_adj, see criConfig).
func TestCRIPod(t *testing.T) {
	for _, v := range []e2eutil.Version{e2eutil.Containerd2, e2eutil.Containerd16} {
		for _, h := range []string{criHandler, runcHandler} {
			t.Run("containerd-"+string(v)+"/"+h, func(t *testing.T) {
				x := startCRI(t, v, h)
				ctx, cancel := x.ctx()
				defer cancel()
				ver, err := x.rt.Version(ctx, &runtimeapi.VersionRequest{})
				if err != nil {
					t.Fatalf("Version: %v", err)
				}
				t.Logf("CRI runtime %s %s, API %s", ver.RuntimeName, ver.RuntimeVersion, ver.RuntimeApiVersion)
				for _, mode := range []runtimeapi.NamespaceMode{runtimeapi.NamespaceMode_POD, runtimeapi.NamespaceMode_CONTAINER} {
					t.Run("pid-"+mode.String(), func(t *testing.T) { x.t = t; x.podLifecycle(mode) })
				}
			})
		}
	}
}

func (x *cri) podLifecycle(mode runtimeapi.NamespaceMode) {
	t := x.t
	ctx, cancel := x.ctx()
	defer cancel()
	name := "pod-" + strings.ToLower(mode.String())
	pc := x.podConfig(name, mode)
	rp, err := x.rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: pc, RuntimeHandler: x.handler})
	if err != nil {
		t.Fatalf("RunPodSandbox: %v", err)
	}
	pod := rp.PodSandboxId
	ps, err := x.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: pod})
	if err != nil || ps.Status.State != runtimeapi.PodSandboxState_SANDBOX_READY {
		t.Fatalf("PodSandboxStatus: %v %v", ps, err)
	}
	volume := t.TempDir()
	c1 := x.container(pod, pc, "c1", volume, "sh", "-c",
		`trap 'echo got-term; exit 0' TERM; echo hello; echo to-stderr >&2; echo from-c1 > /data/f; sleep 1001 & wait`)
	c2 := x.container(pod, pc, "c2", volume, "sleep", "1002")

	// Logs: the CRI log file, both streams.
	x.waitLog(filepath.Join(pc.LogDirectory, "c1.log"), " stdout F hello", " stderr F to-stderr")

	// ExecSync: output, exit codes, the shared volume.
	if got := x.exec(c2, 0, "cat", "/data/f"); got != "from-c1\n" {
		t.Errorf("c2 reads c1's file from the volume: %q", got)
	}
	x.exec(c2, 3, "sh", "-c", "exit 3")
	x.exec(c1, 0, "sh", "-c", "echo from-c2-exec > /data/g")
	if b, _ := os.ReadFile(filepath.Join(volume, "g")); string(b) != "from-c2-exec\n" {
		t.Errorf("host reads the volume: %q", b)
	}

	// PID namespaces.
	out := x.exec(c2, 0, "ps", "-o", "pid,args")
	sees := strings.Contains(out, "sleep 1001")
	switch mode {
	case runtimeapi.NamespaceMode_POD:
		if !sees || pidOfLine(out, "sleep 1002") == "1" {
			t.Errorf("POD mode: c2 should see c1's processes and not be PID 1:\n%s", out)
		}
	default:
		if sees || pidOfLine(out, "sleep 1002") != "1" {
			t.Errorf("CONTAINER mode: c2 should see only its own processes, as PID 1:\n%s", out)
		}
	}

	// Stats and resource updates.
	st, err := x.rt.ContainerStats(ctx, &runtimeapi.ContainerStatsRequest{ContainerId: c1})
	if err != nil {
		t.Errorf("ContainerStats: %v", err)
	} else if st.Stats == nil || st.Stats.Attributes.Id != c1 || st.Stats.Cpu == nil || st.Stats.Memory == nil {
		t.Errorf("ContainerStats: %v", st)
	}
	if _, err := x.rt.ListContainerStats(ctx, &runtimeapi.ListContainerStatsRequest{}); err != nil {
		t.Errorf("ListContainerStats: %v", err)
	}
	res := &runtimeapi.LinuxContainerResources{MemoryLimitInBytes: 256 << 20, CpuShares: 512}
	if _, err := x.rt.UpdateContainerResources(ctx, &runtimeapi.UpdateContainerResourcesRequest{ContainerId: c1, Linux: res}); err != nil {
		t.Errorf("UpdateContainerResources: %v", err)
	}

	// Stop with a grace period: c1 handles SIGTERM and exits 0; c2's
	// sleep ignores it where it is a namespace's init (CONTAINER mode),
	// so the grace period ends in SIGKILL; otherwise SIGTERM kills it.
	if _, err := x.rt.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: c1, Timeout: 30}); err != nil {
		t.Errorf("StopContainer c1: %v", err)
	}
	if s := x.status(c1); s.State != runtimeapi.ContainerState_CONTAINER_EXITED || s.ExitCode != 0 {
		t.Errorf("c1 after StopContainer: %v exit %d", s.State, s.ExitCode)
	}
	x.waitLog(filepath.Join(pc.LogDirectory, "c1.log"), " stdout F got-term")
	if _, err := x.rt.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: c2, Timeout: 2}); err != nil {
		t.Errorf("StopContainer c2: %v", err)
	}
	want := int32(143)
	if mode == runtimeapi.NamespaceMode_CONTAINER {
		want = 137
	}
	if s := x.status(c2); s.State != runtimeapi.ContainerState_CONTAINER_EXITED || s.ExitCode != want {
		t.Errorf("c2 after StopContainer: %v exit %d, want %d", s.State, s.ExitCode, want)
	}

	// The pod runs on without them; then everything goes.
	ps, err = x.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: pod})
	if err != nil || ps.Status.State != runtimeapi.PodSandboxState_SANDBOX_READY {
		t.Errorf("PodSandboxStatus after the containers stopped: %v %v", ps, err)
	}
	for _, id := range []string{c1, c2} {
		if _, err := x.rt.RemoveContainer(ctx, &runtimeapi.RemoveContainerRequest{ContainerId: id}); err != nil {
			t.Errorf("RemoveContainer: %v", err)
		}
	}
	if l, err := x.rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{}); err != nil || len(l.Containers) != 0 {
		t.Errorf("ListContainers after removal: %v %v", l, err)
	}
	if _, err := x.rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: pod}); err != nil {
		t.Errorf("StopPodSandbox: %v", err)
	}
	if _, err := x.rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: pod}); err != nil {
		t.Errorf("RemovePodSandbox: %v", err)
	}
	if l, err := x.rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{}); err != nil || len(l.Items) != 0 {
		t.Errorf("ListPodSandbox after removal: %v %v", l, err)
	}
}

// pidOfLine returns the PID of the line of ps output mentioning cmd.
func pidOfLine(ps, cmd string) string {
	for _, l := range strings.Split(ps, "\n") {
		if f := strings.Fields(l); len(f) > 1 && strings.Contains(l, cmd) {
			return f[0]
		}
	}
	return ""
}
