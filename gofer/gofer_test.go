package gofer

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
	"moat/internal/unet"
)

// makeTree builds the test tree under a new temporary directory:
//
//	file       "hello"
//	dir/sub    "sub"
//	dir/inner/ (empty)
//	link    -> file
//	abs     -> /etc/passwd
//	escape  -> ../../../../../../etc
//	procroot -> /proc/self/root
//	fifo       (FIFO)
func makeTree(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(root, "file"), []byte("hello"), 0644))
	must(os.MkdirAll(filepath.Join(root, "dir", "inner"), 0755))
	must(os.WriteFile(filepath.Join(root, "dir", "sub"), []byte("sub"), 0600))
	must(os.Symlink("file", filepath.Join(root, "link")))
	must(os.Symlink("/etc/passwd", filepath.Join(root, "abs")))
	must(os.Symlink("../../../../../../etc", filepath.Join(root, "escape")))
	must(os.Symlink("/proc/self/root", filepath.Join(root, "procroot")))
	must(unix.Mkfifo(filepath.Join(root, "fifo"), 0644))
	return root
}

// serve starts a server for root in a goroutine and returns a client
// connected to it. The server's exit is checked at cleanup.
func serve(t testing.TB, root string, cfg Config) *proto.Client {
	t.Helper()
	c, _ := serveConn(t, root, cfg)
	return c
}

// serveConn is serve that also returns the raw client-side connection,
// for tests that write messages by hand. Only one of the two may be used.
func serveConn(t testing.TB, root string, cfg Config) (*proto.Client, *unet.Conn) {
	t.Helper()
	fd, err := OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	cli, srv, err := unet.SocketPair()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(fd, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return serveServerConn(t, s, cli, srv)
}

// serveServer serves s over a new socket pair and returns a client.
func serveServer(t testing.TB, s *Server) *proto.Client {
	t.Helper()
	cli, srv, err := unet.SocketPair()
	if err != nil {
		t.Fatal(err)
	}
	c, _ := serveServerConn(t, s, cli, srv)
	return c
}

func serveServerConn(t testing.TB, s *Server, cli, srv *unet.Conn) (*proto.Client, *unet.Conn) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Serve(srv) }()
	c := proto.NewClientConn(cli)
	t.Cleanup(func() {
		c.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return c, cli
}

// attach attaches and fails the test on error.
func attach(t testing.TB, c *proto.Client) proto.Handle {
	t.Helper()
	h, _, err := c.Attach()
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	return h
}

// walk walks a slash-separated path from dir and fails the test unless it
// reaches the end.
func walk(t testing.TB, c *proto.Client, dir proto.Handle, path string) (proto.Handle, proto.Stat) {
	t.Helper()
	names := splitPath(path)
	hs, sts, err := c.Walk(dir, names)
	if err != nil || len(hs) != len(names) {
		t.Fatalf("Walk(%q): %d of %d names, %v", path, len(hs), len(names), err)
	}
	return hs[len(hs)-1], sts[len(sts)-1]
}

func splitPath(p string) []string {
	var names []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			names = append(names, p[start:i])
			start = i + 1
		}
	}
	return names
}

// readFD reads all of fd from offset 0 and closes it.
func readFD(t testing.TB, fd int) string {
	t.Helper()
	defer unix.Close(fd)
	buf := make([]byte, 4096)
	n, err := unix.Pread(fd, buf, 0)
	if err != nil {
		t.Fatalf("pread: %v", err)
	}
	return string(buf[:n])
}

// errIs reports whether err is the errno want (0 meaning no error).
func errIs(err error, want unix.Errno) bool {
	if want == 0 {
		return err == nil
	}
	return err == want
}
