package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// networkNamespacePath is the path of the network namespace the spec
// names, or "" for a new one.
func networkNamespacePath(spec *specs.Spec) string {
	if spec.Linux == nil {
		return ""
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.NetworkNamespace {
			return ns.Path
		}
	}
	return ""
}

// startInNetNS starts cmd in the network namespace at path (or where
// cmd's clone flags say when path is ""). A child inherits the namespaces
// of the thread that forks it, so the start happens on a thread of its
// own that joins the namespace and is then thrown away (its goroutine
// ends locked).
func startInNetNS(cmd *exec.Cmd, path string) error {
	if path == "" {
		return cmd.Start()
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening network namespace: %w", err)
	}
	defer f.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("joining network namespace %s: %w", path, err)
			return
		}
		errc <- cmd.Start()
	}()
	return <-errc
}
