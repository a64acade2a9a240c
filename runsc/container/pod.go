package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/runsc/config"
	"moat/runsc/sandbox"
	"moat/sentry/control"
)

// Pods (docs/kubernetes.md, gVisor's model): a container whose
// annotations name it a container of a pod and give the ID of the pod's
// sandbox container does not start a sandbox of its own. `runsc create`
// starts a gofer for its root file system and bind mounts and has the
// running sandbox build it (its own mount tree, its own init, and its own
// PID namespace unless the spec joins the sandbox's). Its state.json
// names the sandbox (State.SandboxID) and carries the sandbox's PID and
// control socket; every request for it names it by ID.

// podAnnotations are the annotation pairs container managers use: the
// type annotation has value "container" for a container that joins the
// sandbox named by the sandbox-ID annotation.
var podAnnotations = []struct{ typeKey, sandboxKey string }{
	// containerd's CRI plugin (1.6 to 2.x).
	{"io.kubernetes.cri.container-type", "io.kubernetes.cri.sandbox-id"},
	// CRI-O.
	{"io.kubernetes.cri-o.ContainerType", "io.kubernetes.cri-o.SandboxID"},
	// dockershim and cri-dockerd.
	{"io.kubernetes.docker.type", "io.kubernetes.sandbox.id"},
}

// PodSandboxID returns the ID of the sandbox container that container id
// joins according to spec's annotations, or "" when it starts a sandbox
// of its own (no annotations, or the pod's sandbox container itself).
func PodSandboxID(spec *specs.Spec, id string) string {
	for _, a := range podAnnotations {
		if spec.Annotations[a.typeKey] != "container" {
			continue
		}
		if sb := spec.Annotations[a.sandboxKey]; sb != "" && sb != id {
			return sb
		}
	}
	return ""
}

// sharesPIDNamespace reports whether a pod member joins the sandbox's PID
// namespace: its spec names a PID namespace by path (the CRI sets
// /proc/<sandbox pid>/ns/pid for Kubernetes' shareProcessNamespace) or
// asks for none (the runtime's, i.e. the sandbox's). A PID namespace
// without a path is a new one of the container's own.
func sharesPIDNamespace(spec *specs.Spec) bool {
	if spec.Linux == nil {
		return true
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.PIDNamespace {
			return ns.Path != ""
		}
	}
	return true
}

// createProcesses starts what the container runs on: a sandbox and its
// gofer, or, for a pod member, a gofer and the container inside the
// pod's running sandbox.
func (c *Container) createProcesses(cfg *config.Config, a CreateArgs, spec *specs.Spec) error {
	if sb := PodSandboxID(spec, a.ID); sb != "" {
		return c.joinSandbox(cfg, a, spec, sb)
	}
	p, err := sandbox.Create(cfg, sandbox.CreateArgs{
		ID: a.ID, Spec: spec, Bundle: c.Bundle, StateDir: c.dir, Stdio: a.Stdio,
	})
	if err != nil {
		return err
	}
	c.SandboxPID, c.SandboxStartTime = p.SandboxPID, startTime(p.SandboxPID)
	c.GoferPID, c.GoferStartTime = p.GoferPID, startTime(p.GoferPID)
	c.ControlSocket = p.ControlSocket
	return nil
}

// joinSandbox creates the container inside the running sandbox of
// container sandboxID.
func (c *Container) joinSandbox(cfg *config.Config, a CreateArgs, spec *specs.Spec, sandboxID string) error {
	sbc, err := Load(cfg, sandboxID)
	if err != nil {
		return fmt.Errorf("joining the sandbox of container %q: %w", sandboxID, err)
	}
	defer sbc.Close()
	if sbc.SandboxID != "" {
		return fmt.Errorf("joining the sandbox of container %q: it is itself in the sandbox of %q", sandboxID, sbc.SandboxID)
	}
	if st := sbc.CurrentStatus(); st != Running {
		return fmt.Errorf("joining the sandbox of container %q, which is %s: %w", sandboxID, st, ErrNotRunning)
	}
	pid, err := sandbox.Join(cfg, sandbox.JoinArgs{
		CreateArgs:        sandbox.CreateArgs{ID: a.ID, Spec: spec, Bundle: c.Bundle, StateDir: c.dir, Stdio: a.Stdio},
		ControlSocket:     sbc.ControlSocket,
		SharePIDNamespace: sharesPIDNamespace(spec),
	})
	if err != nil {
		return fmt.Errorf("creating container %q in the sandbox of %q: %w", a.ID, sandboxID, err)
	}
	c.SandboxID = sandboxID
	c.SandboxPID, c.SandboxStartTime = sbc.SandboxPID, sbc.SandboxStartTime
	c.GoferPID, c.GoferStartTime = pid, startTime(pid)
	c.ControlSocket = sbc.ControlSocket
	return nil
}

// statusOnError is the status of a container whose sandbox is alive but
// did not answer a state request: a pod member the sandbox no longer
// knows has stopped.
func (c *Container) statusOnError(err error) Status {
	var re *sandbox.RemoteError
	if c.SandboxID != "" && errors.As(err, &re) {
		return Stopped
	}
	return c.Status
}

// killPodMember stops a container that lives in another container's
// sandbox: its processes and mount tree in the sandbox, and its gofer.
// The sandbox runs on.
func (c *Container) killPodMember() error {
	var err1 error
	if alive(c.SandboxPID, c.SandboxStartTime) && c.Status != Creating {
		_, err := sandbox.Call(c.ControlSocket, &control.Request{Method: control.MethodDestroyContainer, ContainerID: c.ID}, nil)
		var re *sandbox.RemoteError
		if errors.As(err, &re) || errors.Is(err, sandbox.ErrUnreachable) {
			err = nil // already gone, with it or with the sandbox
		}
		err1 = err
	}
	err2 := killAndWait(c.GoferPID, c.GoferStartTime, 10*time.Second)
	return errors.Join(err1, err2)
}

// killPodGofers kills the gofers of the containers that live in c's
// sandbox, which is going away: their status becomes stopped with it.
// Their state is read without their lock (a create of one may hold it
// while it waits for c's).
func (c *Container) killPodGofers() error {
	ents, err := os.ReadDir(c.cfg.RootDir)
	if err != nil {
		return nil
	}
	var errs []error
	for _, e := range ents {
		if !e.IsDir() || e.Name() == c.ID {
			continue
		}
		s, err := loadState(filepath.Join(c.cfg.RootDir, e.Name()))
		if err != nil || s.SandboxID != c.ID {
			continue
		}
		errs = append(errs, killAndWait(s.GoferPID, s.GoferStartTime, 10*time.Second))
	}
	return errors.Join(errs...)
}
