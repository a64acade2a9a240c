package container

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := &State{ID: "a", Bundle: "/b", Status: Created, Created: time.Now().UTC().Round(0),
		Annotations: map[string]string{"k": "v"}, SandboxPID: 7, ControlSocket: "/x/sandbox.sock"}
	if err := s.save(dir); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, stateFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v, %v", st.Mode(), err)
	}
	got, err := loadState(dir)
	if err != nil || got.ID != "a" || got.Annotations["k"] != "v" || got.SandboxPID != 7 || !got.Created.Equal(s.Created) {
		t.Fatalf("loaded %+v, %v", got, err)
	}
	if _, err := loadState(t.TempDir()); !errors.Is(err, ErrNotExist) {
		t.Fatalf("missing state: %v", err)
	}
}

func TestLockRemovedDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c")
	if _, err := lock(dir); !errors.Is(err, ErrNotExist) {
		t.Fatalf("lock of a missing directory: %v", err)
	}
	os.Mkdir(dir, 0o700)
	unlock, err := lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		u, err := lock(dir) // waits for the first holder
		if err == nil {
			u()
		}
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	os.RemoveAll(dir) // a delete, under the lock
	unlock()
	if err := <-done; !errors.Is(err, ErrNotExist) {
		t.Fatalf("lock after delete: %v", err)
	}
}

func TestAlive(t *testing.T) {
	self := os.Getpid()
	start := startTime(self)
	if start == 0 || !alive(self, start) {
		t.Fatalf("this process is not alive (start %d)", start)
	}
	if alive(self, start+1) {
		t.Fatal("a different start time must not match (reused PID)")
	}
	if alive(0, 0) || alive(1<<30, 0) {
		t.Fatal("impossible PIDs are alive")
	}
}
