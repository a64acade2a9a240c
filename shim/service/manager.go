package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/containerd/mount"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/containerd/runtime/v2/shim"
	"github.com/containerd/log"
)

// The CRI annotations that group a pod's containers into one shim (and
// one sandbox): a container of type "container" names its pod's sandbox.
const (
	annotationSandboxID     = "io.kubernetes.cri.sandbox-id"
	annotationContainerType = "io.kubernetes.cri.container-type"
)

// Manager is the shim manager: the "start" action (spawn or reuse the
// shim server) and the "delete" action (clean up after a dead shim).
type Manager struct {
	name string
}

// NewManager returns the manager for runtime type name.
func NewManager(name string) *Manager { return &Manager{name: name} }

// Name implements shim.Manager.Name.
func (m *Manager) Name() string { return m.name }

// group is the shim a container belongs to: its pod's sandbox ID when the
// CRI annotations name one, else its own ID.
func group(id string, annotations map[string]string) string {
	if sb := annotations[annotationSandboxID]; sb != "" && annotations[annotationContainerType] != "sandbox" {
		return sb
	}
	return id
}

// Start implements shim.Manager.Start. It runs in the container's bundle
// directory. A container whose pod already has a shim is served by it:
// its address is returned and nothing is started. The address is printed
// by the shim library as a bare socket address, which containerd 1.6 and
// 2.x both read.
func (m *Manager) Start(ctx context.Context, id string, opts shim.StartOpts) (_ string, retErr error) {
	ns, err := namespaces.NamespaceRequired(ctx)
	if err != nil {
		return "", err
	}
	var spec struct {
		Annotations map[string]string `json:"annotations"`
	}
	b, err := os.ReadFile("config.json")
	if err != nil {
		return "", fmt.Errorf("reading the bundle's config.json: %w", err)
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		return "", fmt.Errorf("decoding the bundle's config.json: %w", err)
	}
	address, err := shim.SocketAddress(ctx, opts.Address, group(id, spec.Annotations))
	if err != nil {
		return "", err
	}
	socket, err := shim.NewSocket(address)
	if err != nil {
		if !shim.SocketEaddrinuse(err) {
			return "", fmt.Errorf("creating shim socket: %w", err)
		}
		if shim.CanConnect(address) {
			// The pod's shim is running: it serves this container too.
			if err := shim.WriteAddress("address", address); err != nil {
				return "", err
			}
			return address, nil
		}
		// A stale socket of a shim that died.
		if err := shim.RemoveSocket(address); err != nil {
			return "", fmt.Errorf("removing stale shim socket: %w", err)
		}
		if socket, err = shim.NewSocket(address); err != nil {
			return "", fmt.Errorf("creating shim socket: %w", err)
		}
	}
	defer func() {
		if retErr != nil {
			socket.Close()
			shim.RemoveSocket(address)
		}
	}()
	if err := shim.WriteAddress("address", address); err != nil {
		return "", err
	}
	f, err := socket.File()
	if err != nil {
		return "", err
	}
	defer f.Close()
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	args := []string{"-namespace", ns, "-id", id, "-address", opts.Address}
	if opts.Debug {
		args = append(args, "-debug")
	}
	cmd := exec.Command(self, args...)
	cmd.Dir = cwd
	cmd.Env = append(os.Environ(), "GOMAXPROCS=2")
	cmd.ExtraFiles = []*os.File{f} // fd 3: the listening socket
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("starting shim server: %w", err)
	}
	go cmd.Wait()
	if err := raiseOOMScore(cmd.Process.Pid); err != nil {
		cmd.Process.Kill()
		return "", err
	}
	return address, nil
}

// raiseOOMScore makes the shim a little more likely to be OOM-killed than
// containerd (one above its score), as containerd's shims do. Hosts that
// refuse the write (no CAP_SYS_RESOURCE: EACCES, or EPERM) keep the
// inherited score.
func raiseOOMScore(pid int) error {
	b, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		return fmt.Errorf("reading oom_score_adj: %w", err)
	}
	score, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("reading oom_score_adj: %w", err)
	}
	if score >= 1000 {
		return nil
	}
	err = os.WriteFile(fmt.Sprintf("/proc/%d/oom_score_adj", pid), []byte(strconv.Itoa(score+1)), 0)
	if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("setting the shim's oom_score_adj: %w", err)
	}
	return nil
}

// Stop implements shim.Manager.Stop (the "delete" action): containerd
// runs it in the bundle when a shim died without deleting its container.
// It force-deletes the container in runsc and unmounts its rootfs.
func (m *Manager) Stop(ctx context.Context, id string) (shim.StopStatus, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return shim.StopStatus{}, err
	}
	bundle := filepath.Join(filepath.Dir(cwd), id)
	opts, err := readSavedOptions(bundle)
	if err != nil {
		ns, _ := namespaces.Namespace(ctx)
		if opts, err = LoadOptions("", ns); err != nil {
			return shim.StopStatus{}, err
		}
	}
	r := &runsc{opts: opts, id: id}
	if err := r.delete(ctx); err != nil {
		log.G(ctx).WithError(err).Warn("runsc delete --force")
	}
	if err := mount.UnmountRecursive(filepath.Join(bundle, rootfsDir), 0); err != nil {
		log.G(ctx).WithError(err).Warn("unmounting rootfs")
	}
	pid, _ := readPIDFile(filepath.Join(bundle, initPIDFile))
	return shim.StopStatus{Pid: pid, ExitStatus: 128 + int(syscall.SIGKILL), ExitedAt: time.Now()}, nil
}
