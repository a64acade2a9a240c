package cgroups

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestHostV2Lifecycle runs Create, AddProcess, Set and Destroy against
// the host's real cgroup2 mount (the unified-only root, or a hybrid
// host's /sys/fs/cgroup/unified, where no controller may be enabled):
// mkdir, moving a process in, killing what is left and rmdir behave as
// the fake file system says they do.
func TestHostV2Lifecycle(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	h, err := Discover(HostFS{})
	if err != nil || h.Unified == nil {
		t.Skipf("no cgroup2 mount: %v", err)
	}
	h.Version = 2
	p := fmt.Sprintf("/moat-unit-%d/c", os.Getpid())
	c, err := New(HostFS{}, h, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Create(); err != nil {
		t.Fatal(err)
	}
	top := filepath.Dir(c.Dirs[""])
	defer os.Remove(c.Dirs[""])
	defer os.Remove(top)
	if len(c.Created) != 2 || c.Created[1] != c.Dirs[""] {
		t.Fatalf("created %v", c.Created)
	}
	sleep := exec.Command("sleep", "100")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sleep.Wait() }()
	if err := c.AddProcess(sleep.Process.Pid); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(c.Dirs[""], "cgroup.procs"))
	if strings.TrimSpace(string(b)) != fmt.Sprint(sleep.Process.Pid) {
		t.Errorf("cgroup.procs %q", b)
	}
	if n, _ := readString(HostFS{}, filepath.Join(c.Dirs[""], "cgroup.controllers")); !strings.Contains(n, "memory") {
		// Where the memory controller is not offered, a limit names
		// the missing file.
		if err := c.Set(memoryLimit64M()); err == nil || !strings.Contains(err.Error(), "memory.max") {
			t.Errorf("memory limit without the controller: %v", err)
		}
	}
	if err := c.Destroy(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Errorf("the process left in the cgroup was not killed")
	}
	for _, d := range []string{c.Dirs[""], top} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s still there: %v", d, err)
		}
	}
}

func memoryLimit64M() *specs.LinuxResources {
	return &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: i64(64 << 20)}}
}
