package gofer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
	"moat/internal/unet"
)

// The re-executed test binary becomes a real gofer when childEnv is set:
// "root:setupRO:serveRO[:mountSource:mountRO]", serving root on descriptor
// 3 and the bind mount, if any, on descriptor 4.
const childEnv = "MOAT_GOFER_TEST_CHILD"

// workersEnv, when set, is the child's Config.Workers (for benchmarks).
const workersEnv = "MOAT_GOFER_TEST_WORKERS"

// noFilterEnv, when set, keeps the child from installing its seccomp
// filter (to measure what the filter costs).
const noFilterEnv = "MOAT_GOFER_TEST_NO_FILTER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(runGofer(spec))
	}
	os.Exit(m.Run())
}

// runGofer is the child: Setup, InstallFilter, Serve, as `runsc gofer`
// does.
func runGofer(spec string) int {
	parts := strings.Split(spec, ":")
	mountFD := -1
	if len(parts) == 5 {
		fd, err := OpenMount(parts[3], parts[4] == "ro")
		if err != nil {
			fmt.Fprintln(os.Stderr, "mount:", err)
			return 2
		}
		mountFD = fd
	}
	rootFD, err := Setup(Config{Root: parts[0], ReadOnly: parts[1] == "ro"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		return 2
	}
	// Setup left this goroutine on the confined thread: "/" is now the
	// tree, and the host's files are gone.
	if err := unix.Access("/file", unix.F_OK); err != nil {
		fmt.Fprintln(os.Stderr, "after setup, /file:", err)
		return 5
	}
	if err := unix.Access("/etc/passwd", unix.F_OK); err != unix.ENOENT {
		fmt.Fprintln(os.Stderr, "after setup, /etc/passwd:", err)
		return 5
	}
	caps, err := effectiveCapabilities()
	const want = uint64(KeptCapabilities)
	if err != nil || caps != want {
		fmt.Fprintf(os.Stderr, "after setup, capabilities %#x (%v), want %#x\n", caps, err, want)
		return 5
	}
	if os.Getenv(noFilterEnv) == "" {
		if err := InstallFilter(); err != nil {
			fmt.Fprintln(os.Stderr, "filter:", err)
			return 3
		}
	}
	conn, err := unet.NewConn(3)
	if err != nil {
		fmt.Fprintln(os.Stderr, "conn:", err)
		return 4
	}
	workers, _ := strconv.Atoi(os.Getenv(workersEnv))
	mountDone := make(chan error, 1)
	if mountFD >= 0 {
		mconn, err := unet.NewConn(4)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mount conn:", err)
			return 4
		}
		// The server does not check read-only itself, so that tests see
		// the kernel's refusal.
		go func() { mountDone <- Serve(mconn, mountFD, Config{}) }()
	} else {
		mountDone <- nil
	}
	if err := Serve(conn, rootFD, Config{ReadOnly: parts[2] == "ro", Workers: workers}); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 4
	}
	if err := <-mountDone; err != nil {
		fmt.Fprintln(os.Stderr, "serve mount:", err)
		return 4
	}
	return 0
}

// startGofer runs a confined, filtered gofer in a child process and
// returns a client for it; cleanup checks that it exited cleanly.
func startGofer(t testing.TB, root string, setupRO, serveRO bool) *proto.Client {
	t.Helper()
	c, _ := startGoferMount(t, root, setupRO, serveRO, "", false)
	return c
}

// startGoferMount is startGofer that also serves the host directory mount
// (unless empty) as a bind mount, read-only when mountRO, and returns a
// client for it too.
func startGoferMount(t testing.TB, root string, setupRO, serveRO bool, mount string, mountRO bool) (*proto.Client, *proto.Client) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("Setup needs root")
	}
	if raceEnabled {
		t.Skip("the race detector's runtime makes calls the gofer's filter kills")
	}
	ro := func(b bool) string {
		if b {
			return "ro"
		}
		return "rw"
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	srv := os.NewFile(uintptr(fds[1]), "gofer-socket")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	spec := fmt.Sprintf("%s:%s:%s", root, ro(setupRO), ro(serveRO))
	cmd.ExtraFiles = []*os.File{srv}
	var mc *proto.Client
	if mount != "" {
		spec += fmt.Sprintf(":%s:%s", mount, ro(mountRO))
		mfds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		msrv := os.NewFile(uintptr(mfds[1]), "gofer-mount-socket")
		defer msrv.Close()
		cmd.ExtraFiles = append(cmd.ExtraFiles, msrv)
		if mc, err = proto.NewClient(mfds[0]); err != nil {
			t.Fatal(err)
		}
	}
	cmd.Env = append(os.Environ(), childEnv+"="+spec)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	c, err := proto.NewClient(fds[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		if mc != nil {
			mc.Close()
		}
		err := cmd.Wait()
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				if ws := ee.Sys().(syscall.WaitStatus); ws.Signaled() && ws.Signal() == syscall.SIGSYS {
					t.Errorf("gofer killed by its seccomp filter (an unlisted system call)")
				}
			}
			t.Errorf("gofer: %v (stderr %q)", err, stderr.String())
		}
		mi, _ := os.ReadFile("/proc/self/mountinfo")
		if strings.Contains(string(mi), root) || (mount != "" && strings.Contains(string(mi), mount)) {
			t.Errorf("gofer's mounts leaked to the host: %s", mi)
		}
	})
	return c, mc
}

// TestConfinedGofer runs every operation against a gofer confined by Setup
// and its seccomp filter: the filter must allow all of them.
func TestConfinedGofer(t *testing.T) {
	root := makeTree(t)
	c := startGofer(t, root, false, false)
	r, rst, err := c.Attach()
	if err != nil {
		t.Fatal(err)
	}
	host := hostStat(t, root)
	if rst.Ino != host.Ino {
		t.Fatalf("served root is inode %d, want %d", rst.Ino, host.Ino)
	}
	steps := []struct {
		name string
		op   func() error
	}{
		{"walk+open", func() error {
			h, _ := walk(t, c, r, "dir/sub")
			fd, err := c.Open(h, unix.O_RDONLY)
			if err == nil && readFD(t, fd) != "sub" {
				return unix.EBADMSG
			}
			return err
		}},
		{"walk symlink out", func() error {
			hs, _, err := c.Walk(r, []string{"abs", "x"})
			if err == nil && len(hs) != 1 {
				return unix.EBADMSG
			}
			return err
		}},
		{"walkopen", func() error {
			h, _, fd, err := c.WalkOpen(r, "file", unix.O_RDONLY)
			if err == nil {
				unix.Close(fd)
				c.CloseHandle(h)
			}
			return err
		}},
		{"lookup", func() error {
			hs, _, errs, err := c.Lookup(r, []string{"file", "dir", "nothing"})
			if err == nil && (errs[0] != 0 || errs[2] != unix.ENOENT) {
				return unix.EBADMSG
			}
			if err == nil {
				c.CloseHandles(hs[:2])
			}
			return err
		}},
		{"readlink", func() error { h, _ := walk(t, c, r, "link"); _, err := c.Readlink(h); return err }},
		{"getdents", func() error { _, err := c.Getdents(r); return err }},
		{"statfs", func() error { _, err := c.Statfs(r); return err }},
		{"create", func() error {
			_, _, fd, err := c.Create(r, "new", unix.O_RDWR, 0640, 1000, 1000)
			if err == nil {
				unix.Close(fd)
			}
			return err
		}},
		{"mkdir", func() error { _, _, err := c.Mkdir(r, "d", 0755, 0, 0); return err }},
		{"symlink", func() error { _, _, err := c.Symlink(r, "s", "/x", 0, 0); return err }},
		{"link", func() error { h, _ := walk(t, c, r, "file"); _, _, err := c.Link(r, "hard", h); return err }},
		{"mknod", func() error { _, _, err := c.Mknod(r, "p", unix.S_IFIFO|0600, 0, 0); return err }},
		{"rename", func() error { return c.Rename(r, "new", r, "new2", 0) }},
		{"setattr", func() error {
			h, _ := walk(t, c, r, "file")
			_, err := c.Setattr(h, &proto.SetattrReq{Mask: proto.SetattrMode | proto.SetattrUID | proto.SetattrGID |
				proto.SetattrSize | proto.SetattrAtime | proto.SetattrMtime, Mode: 0600, UID: 5, GID: 5, Size: 1,
				Atime: unix.Timespec{Nsec: unix.UTIME_NOW}, Mtime: unix.Timespec{Sec: 9}})
			return err
		}},
		{"xattr", func() error {
			h, _ := walk(t, c, r, "file")
			if err := c.Setxattr(h, "user.a", []byte("b"), 0); err != nil {
				return err
			}
			if _, err := c.Getxattr(h, "user.a", 0); err != nil {
				return err
			}
			if _, err := c.Listxattr(h); err != nil {
				return err
			}
			return c.Removexattr(h, "user.a")
		}},
		{"unlink", func() error { return c.Unlink(r, "new2", 0) }},
	}
	for _, s := range steps {
		if err := s.op(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	if _, err := os.Lstat(filepath.Join(root, "hard")); err != nil {
		t.Fatalf("hard link not made on the host: %v", err)
	}
}

// TestSetupReadOnly serves a tree that Setup mounted read-only with a
// server that does not check: the host kernel refuses the changes.
func TestSetupReadOnly(t *testing.T) {
	root := makeTree(t)
	c := startGofer(t, root, true, false)
	r := attach(t, c)
	f, _ := walk(t, c, r, "file")
	if _, _, _, err := c.Create(r, "n", unix.O_RDWR, 0644, proto.NoID, proto.NoID); err != unix.EROFS {
		t.Errorf("Create: %v, want EROFS", err)
	}
	if _, _, err := c.Mkdir(r, "n", 0755, proto.NoID, proto.NoID); err != unix.EROFS {
		t.Errorf("Mkdir: %v, want EROFS", err)
	}
	if _, err := c.Open(f, unix.O_WRONLY); err != unix.EROFS {
		t.Errorf("Open(O_WRONLY): %v, want EROFS", err)
	}
	if _, err := c.Setattr(f, &proto.SetattrReq{Mask: proto.SetattrMode, Mode: 0600}); err != unix.EROFS {
		t.Errorf("Setattr: %v, want EROFS", err)
	}
	if err := c.Unlink(r, "file", 0); err != unix.EROFS {
		t.Errorf("Unlink: %v, want EROFS", err)
	}
	fd, err := c.Open(f, unix.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFD(t, fd); got != "hello" {
		t.Fatalf("read %q", got)
	}
}

// TestBindMount serves a second host directory, opened with OpenMount
// before Setup, on its own connection: it is reachable after the pivot,
// confined to itself, and read-only by the host kernel's say.
func TestBindMount(t *testing.T) {
	root := makeTree(t)
	src := makeTree(t)
	if err := os.WriteFile(filepath.Join(src, "dir", "only-in-mount"), []byte("m"), 0644); err != nil {
		t.Fatal(err)
	}
	_, mc := startGoferMount(t, root, false, false, src, true)
	r := attach(t, mc)
	h, _ := walk(t, mc, r, "dir/only-in-mount")
	fd, err := mc.Open(h, unix.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFD(t, fd); got != "m" {
		t.Fatalf("read %q", got)
	}
	if hs, _, err := mc.Walk(r, []string{"escape", "x"}); err != nil || len(hs) != 1 {
		t.Fatalf("walk through escape: %d handles, %v", len(hs), err)
	}
	// The server was told rw: the kernel refuses anyway.
	if _, _, _, err := mc.Create(r, "n", unix.O_RDWR, 0644, proto.NoID, proto.NoID); err != unix.EROFS {
		t.Fatalf("Create in a read-only mount: %v, want EROFS", err)
	}
	if _, err := os.Stat(filepath.Join(src, "n")); err == nil {
		t.Fatalf("file created in the read-only source")
	}
}
