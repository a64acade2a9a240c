package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/control"
)

// TestLongControlSocketPath: a control socket whose path passes
// sockaddr_un's 108 bytes (Docker's state directories) is still bound and
// reached.
func TestLongControlSocketPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 64), strings.Repeat("e", 64))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, ControlSocketName)
	if len(path) <= maxSocketPath {
		t.Fatalf("path %q is not long enough for the test", path)
	}
	l, err := listenControl(path)
	if err != nil {
		t.Fatalf("listenControl: %v", err)
	}
	defer l.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("socket not at its path: %v %v", fi, err)
	}
	// The connection is accepted and closed unanswered: Call fails
	// reading, not connecting.
	done := make(chan error, 1)
	go func() {
		_, err := Call(path, &control.Request{Method: control.MethodState}, nil)
		done <- err
	}()
	nfd, _, err := unix.Accept(int(l.Fd()))
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	unix.Close(nfd)
	if err := <-done; err == nil || strings.Contains(err.Error(), "connecting") {
		t.Fatalf("Call over a long path: %v, want a read error after connecting", err)
	}
}
