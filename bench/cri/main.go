// Command cri times Kubernetes pod starts through containerd's CRI plugin
// with two runtime handlers on one private containerd: runc (containerd's
// runc shim) and runsc (containerd-shim-runsc-v1 and Moat's runsc), the
// runs interleaved. bench/cri.sh builds and runs it; `make bench` prints
// its table (docs/benchmarks.md).
//
// One run of a handler, timed from the client:
//
//	sandbox   RunPodSandbox until it returns (the pod sandbox is ready)
//	pod       RunPodSandbox + CreateContainer + StartContainer until
//	          ContainerStatus says RUNNING (a pod start-to-ready)
//	teardown  StopPodSandbox + RemovePodSandbox
//
// The daemon, its images (e2eutil's busybox and pause images) and every
// pod are private to the run and removed at the end. Pods use the host's
// network namespace (no CNI here) and containerd's
// restrict_oom_score_adj, without which runc cannot start a pod on a host
// where root lacks CAP_SYS_RESOURCE (docs/kubernetes.md).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"moat/tests/e2e/e2eutil"
	"moat/tests/testutil"
)

func main() {
	var o options
	flag.StringVar(&o.containerd, "containerd", "", "containerd binary (2.x)")
	flag.StringVar(&o.ctr, "ctr", "", "its ctr")
	flag.StringVar(&o.runcShim, "runc-shim", "", "its containerd-shim-runc-v2")
	flag.StringVar(&o.binDir, "bin-dir", "", "directory holding runsc and containerd-shim-runsc-v1 (first in the daemon's PATH)")
	flag.StringVar(&o.work, "work", "/var/tmp/moat-bench", "scratch directory")
	flag.IntVar(&o.runs, "runs", 10, "runs per handler")
	flag.Parse()
	if o.containerd == "" || o.ctr == "" || o.runcShim == "" || o.binDir == "" {
		fmt.Fprintln(os.Stderr, "usage: cri -containerd PATH -ctr PATH -runc-shim PATH -bin-dir DIR [-work DIR] [-runs N]")
		os.Exit(2)
	}
	if err := testutil.SetSubreaper(); err != nil {
		fmt.Fprintf(os.Stderr, "cri bench: %v\n", err)
	}
	err := run(&o)
	testutil.ReapOrphans() // exited shims, re-parented here
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri bench: %v\n", err)
		os.Exit(1)
	}
}

type options struct {
	containerd, ctr, runcShim, binDir, work string
	runs                                    int
}

// handlers are the CRI runtime handlers compared, in table order.
var handlers = []string{"runc", "runsc"}

// figures are the timed phases of one run, in table order.
var figures = []string{"sandbox", "pod", "teardown"}

func run(o *options) error {
	d, err := startDaemon(o)
	if d != nil {
		defer d.stop()
	}
	if err != nil {
		return err
	}
	conn, err := grpc.Dial("unix://"+d.sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("dialing the CRI socket: %w", err)
	}
	defer conn.Close()
	b := &bench{rt: runtimeapi.NewRuntimeServiceClient(conn), logs: filepath.Join(d.dir, "pods"), cgroup: d.cgroup}
	defer b.removeAll()

	samples := map[string]map[string][]time.Duration{}
	failed := map[string]string{}
	for _, h := range handlers {
		samples[h] = map[string][]time.Duration{}
		// One warm-up run each (image unpacking, page cache), not counted.
		if _, err := b.once(h, "warm-up"); err != nil {
			failed[h] = err.Error()
		}
	}
	for i := 0; i < o.runs; i++ {
		for _, h := range handlers {
			if failed[h] != "" {
				continue
			}
			t, err := b.once(h, fmt.Sprintf("run%d", i))
			if err != nil {
				failed[h] = err.Error()
				continue
			}
			for j, f := range figures {
				samples[h][f] = append(samples[h][f], t[j])
			}
		}
	}
	report(o, samples, failed)
	return nil
}

// report prints the table of medians (min-max) and the Moat/runc ratios.
func report(o *options, samples map[string]map[string][]time.Duration, failed map[string]string) {
	fmt.Printf("\nCRI pod start (%d runs per handler, interleaved; containerd %s, hostNetwork pods):\n", o.runs, daemonVersion(o))
	fmt.Println("| handler | RunPodSandbox ms | pod start-to-ready ms | stop+remove ms |")
	fmt.Println("|---|--:|--:|--:|")
	med := map[string]map[string]float64{}
	for _, h := range handlers {
		if failed[h] != "" {
			fmt.Printf("| %s | failed | failed | failed |\n", h)
			continue
		}
		med[h] = map[string]float64{}
		cells := []string{}
		for _, f := range figures {
			s := samples[h][f]
			sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
			m := ms(median(s))
			med[h][f] = m
			cells = append(cells, fmt.Sprintf("%.0f (%.0f-%.0f)", m, ms(s[0]), ms(s[len(s)-1])))
		}
		fmt.Printf("| %s | %s |\n", h, strings.Join(cells, " | "))
	}
	fmt.Println("(median, min-max in parentheses)")
	if med["runc"] != nil && med["runsc"] != nil {
		var r []string
		for _, f := range figures {
			r = append(r, fmt.Sprintf("%s %.2f", f, med["runsc"][f]/med["runc"][f]))
		}
		fmt.Printf("moat/runc: %s\n", strings.Join(r, ", "))
	}
	for _, h := range handlers {
		if failed[h] != "" {
			fmt.Printf("%s: failed (%s)\n", h, failed[h])
		}
	}
}

func median(s []time.Duration) time.Duration {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func daemonVersion(o *options) string {
	out, err := exec.Command(o.containerd, "--version").Output()
	if f := strings.Fields(string(out)); err == nil && len(f) >= 3 {
		return f[2]
	}
	return "?"
}

// bench is a CRI client.
type bench struct {
	rt   runtimeapi.RuntimeServiceClient
	logs string
	// cgroup is the pods' cgroup parent, as kubelet gives one.
	cgroup string
}

// once runs one pod with one container under handler and returns the
// durations of figures.
func (b *bench) once(handler, name string) ([]time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name = handler + "-" + name
	logs := filepath.Join(b.logs, name)
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return nil, err
	}
	pc := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: name, Uid: name + "-uid", Namespace: "default"},
		LogDirectory: logs,
		Linux: &runtimeapi.LinuxPodSandboxConfig{
			CgroupParent: b.cgroup,
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
				NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE},
			},
		},
	}
	t0 := time.Now()
	rp, err := b.rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: pc, RuntimeHandler: handler})
	if err != nil {
		return nil, fmt.Errorf("RunPodSandbox: %w", err)
	}
	t1 := time.Now()
	cfg := &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: "app"},
		Image:    &runtimeapi.ImageSpec{Image: e2eutil.BusyboxRef},
		Command:  []string{"sleep", "3600"},
		LogPath:  "app.log",
	}
	rc, err := b.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: rp.PodSandboxId, Config: cfg, SandboxConfig: pc})
	if err != nil {
		return nil, fmt.Errorf("CreateContainer: %w", err)
	}
	if _, err := b.rt.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: rc.ContainerId}); err != nil {
		return nil, fmt.Errorf("StartContainer: %w", err)
	}
	for {
		st, err := b.rt.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: rc.ContainerId})
		if err != nil {
			return nil, fmt.Errorf("ContainerStatus: %w", err)
		}
		if st.Status.State == runtimeapi.ContainerState_CONTAINER_RUNNING {
			break
		}
		if st.Status.State != runtimeapi.ContainerState_CONTAINER_CREATED {
			return nil, fmt.Errorf("container is %v, exit code %d: %s", st.Status.State, st.Status.ExitCode, st.Status.Message)
		}
		time.Sleep(time.Millisecond)
	}
	t2 := time.Now()
	ps, err := b.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: rp.PodSandboxId})
	if err != nil || ps.Status.State != runtimeapi.PodSandboxState_SANDBOX_READY {
		return nil, fmt.Errorf("PodSandboxStatus of a running pod: %v %v", ps, err)
	}
	t3 := time.Now()
	if _, err := b.rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: rp.PodSandboxId}); err != nil {
		return nil, fmt.Errorf("StopPodSandbox: %w", err)
	}
	if _, err := b.rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: rp.PodSandboxId}); err != nil {
		return nil, fmt.Errorf("RemovePodSandbox: %w", err)
	}
	t4 := time.Now()
	return []time.Duration{t1.Sub(t0), t2.Sub(t0), t4.Sub(t3)}, nil
}

// removeAll stops and removes every pod left (after a failed run).
func (b *bench) removeAll() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pods, err := b.rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return
	}
	for _, p := range pods.Items {
		b.rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: p.Id})
		b.rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: p.Id})
	}
}

// daemon is the private containerd.
type daemon struct {
	dir, sock string
	// cgroup is a cgroup parent of the run's own (runc leaves the
	// parents of the cgroups it made, containerd's default /k8s.io).
	cgroup string
	cmd    *exec.Cmd
}

func startDaemon(o *options) (*daemon, error) {
	if err := os.MkdirAll(o.work, 0o755); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(o.work, "cri.")
	if err != nil {
		return nil, err
	}
	d := &daemon{dir: dir, sock: filepath.Join(dir, "c.sock"), cgroup: "/moat-bench-" + filepath.Base(dir)}
	if err := os.WriteFile(filepath.Join(dir, "runsc.toml"), []byte(fmt.Sprintf("root = %q\n", filepath.Join(dir, "runsc"))), 0o644); err != nil {
		return d, err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(d.config(o)), 0o644); err != nil {
		return d, err
	}
	logf, err := os.Create(filepath.Join(dir, "containerd.log"))
	if err != nil {
		return d, err
	}
	defer logf.Close()
	d.cmd = exec.Command(o.containerd, "--config", filepath.Join(dir, "config.toml"))
	d.cmd.Env = append(os.Environ(), "PATH="+o.binDir+":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		d.cmd = nil
		return d, err
	}
	ctr := func(args ...string) error {
		out, err := exec.Command(o.ctr, append([]string{"--address", d.sock, "--namespace", "k8s.io"}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ctr %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	deadline := time.Now().Add(60 * time.Second)
	for ctr("version") != nil {
		if time.Now().After(deadline) {
			return d, fmt.Errorf("containerd did not come up; see %s/containerd.log", dir)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for name, build := range map[string]func(string) error{"busybox.tar": e2eutil.BusyboxImage, "pause.tar": e2eutil.PauseImage} {
		path := filepath.Join(dir, name)
		if err := build(path); err != nil {
			return d, err
		}
		if err := ctr("images", "import", "--all-platforms", path); err != nil {
			return d, err
		}
	}
	return d, nil
}

// config is the daemon's configuration (version 2, which 2.x migrates):
// the CRI plugin with a runc handler (2.x's own runc shim, by path) and
// a runsc handler, both with private state roots, and
// restrict_oom_score_adj.
func (d *daemon) config(o *options) string {
	return fmt.Sprintf(`version = 2
root = %[1]q
state = %[2]q
disabled_plugins = ["io.containerd.nri.v1.nri", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = %[3]q
[ttrpc]
  address = "%[3]s.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = %[4]q

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %[5]q
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %[6]q
    conf_dir = %[6]q
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    runtime_path = %[7]q
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    Root = %[8]q
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]
    runtime_type = "io.containerd.runsc.v1"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc.options]
    TypeUrl = "io.containerd.runsc.v1.options"
    ConfigPath = %[9]q
`, filepath.Join(d.dir, "root"), filepath.Join(d.dir, "state"), d.sock, filepath.Join(d.dir, "opt"),
		e2eutil.PauseRef, filepath.Join(d.dir, "cni"), o.runcShim, filepath.Join(d.dir, "runc"),
		filepath.Join(d.dir, "runsc.toml"))
}

// stop stops containerd, unmounts whatever is left under the directory
// and removes it.
func (d *daemon) stop() {
	if d.cmd != nil {
		d.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	// Shims and sandboxes name the directory (containerd's address,
	// runsc's root) on their command lines.
	var procs []string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if procs = e2eutil.ProcessesNaming(d.dir); len(procs) == 0 {
			break
		}
	}
	for _, p := range procs {
		fmt.Fprintf(os.Stderr, "cri bench: killing %s, left behind\n", p)
		pid, _ := strconv.Atoi(strings.Fields(p)[0])
		syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, m := range e2eutil.MountsUnder(d.dir) {
		fmt.Fprintf(os.Stderr, "cri bench: unmounting %s, left behind\n", m)
		syscall.Unmount(m, syscall.MNT_DETACH)
	}
	os.RemoveAll(d.dir)
	// The pods' cgroups are gone; their parent is removed here.
	cgs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", d.cgroup))
	more, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", d.cgroup))
	for _, cg := range append(cgs, more...) {
		if err := syscall.Rmdir(cg); err != nil {
			fmt.Fprintf(os.Stderr, "cri bench: removing cgroup %s: %v\n", cg, err)
		}
	}
}
