package service

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	eventstypes "github.com/containerd/containerd/api/events"
)

func TestParseMemoryCgroup(t *testing.T) {
	v2root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(v2root, "pod", "c1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(v2root, "pod", "c1", "memory.events"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, listing, root, dir string
		v2                       bool
	}{
		{"v1", "4:memory:/moat/c1\n1:cpu:/\n", "/sys/fs/cgroup", "/sys/fs/cgroup/memory/moat/c1", false},
		{"hybrid: v1 memory wins", "4:memory:/moat/c1\n0::/pod/c1\n", v2root, v2root + "/memory/moat/c1", false},
		{"v1 joined controllers", "3:cpu,memory:/x\n", "/r", "/r/memory/x", false},
		{"v2", "0::/pod/c1\n", v2root, v2root + "/pod/c1", true},
		{"v2 without memory files", "0::/pod\n", v2root, "", false},
		{"none", "1:cpu:/\n", v2root, "", false},
	} {
		dir, v2 := parseMemoryCgroup(tc.listing, tc.root)
		if dir != tc.dir || v2 != tc.v2 {
			t.Errorf("%s: got %q %v, want %q %v", tc.name, dir, v2, tc.dir, tc.v2)
		}
	}
}

// TestOOMWatcherV2 drives the cgroup v2 watch with a file standing in
// for memory.events (this project's hosts have cgroup v1 memory): a rise
// of oom_kill is a TaskOOM, other changes are not.
func TestOOMWatcherV2(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "memory.events")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(events, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("low 0\nhigh 0\nmax 0\noom 2\noom_kill 1\n")
	got := make(chan any, 10)
	w := newOOMWatcher(context.Background(), func(e any) { got <- e })
	w.addV2("c1", dir)
	defer w.remove("c1")

	write("low 0\nhigh 0\nmax 1\noom 3\noom_kill 2\n")
	select {
	case e := <-got:
		if oom, ok := e.(*eventstypes.TaskOOM); !ok || oom.ContainerID != "c1" {
			t.Fatalf("event %#v, want TaskOOM of c1", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no TaskOOM after oom_kill rose")
	}
	// A change without a kill, then a kill: exactly one more event.
	write("low 0\nhigh 0\nmax 2\noom 3\noom_kill 2\n")
	write("low 0\nhigh 0\nmax 2\noom 4\noom_kill 3\n")
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no TaskOOM after the second kill")
	}
	select {
	case e := <-got:
		t.Fatalf("unexpected event %#v", e)
	case <-time.After(200 * time.Millisecond):
	}
}
