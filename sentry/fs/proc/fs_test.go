package proc

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/kernel"
	"moat/sentry/platform"
	"moat/sentry/vfs"
)

// The kernel's tasks cannot be built without a platform, so these tests
// cover what a kernel with no processes shows; /proc/PID comes from
// tests/syscalls/proc_self.c, run natively and in the sandbox.

type fakePlatform struct{}

func (fakePlatform) Name() string { return "fake" }
func (fakePlatform) NewAddressSpace() (platform.AddressSpace, platform.Thread, error) {
	return nil, nil, errors.New("no address spaces in tests")
}

type fakeExec struct{}

func (fakeExec) OpenExecutable(*kernel.Task, string) (kernel.ExecFile, linux.Errno) {
	return kernel.ExecFile{}, linux.ENOENT
}

type testCtx struct{ creds *auth.Credentials }

func (c testCtx) Credentials() *auth.Credentials { return c.creds }

var (
	rootCtx = testCtx{auth.NewRoot()}
	userCtx = testCtx{auth.NewUser(1000, 1000, nil)}
)

// env is a tmpfs root with procfs mounted at /proc.
type env struct {
	t    *testing.T
	v    *vfs.VirtualFilesystem
	k    *kernel.Kernel
	root vfs.VirtualDentry
}

func newEnv(t *testing.T) *env {
	t.Helper()
	v := vfs.New()
	if _, err := v.MountRoot(tmpfs.New(v, tmpfs.Options{RootMode: 0o755}), vfs.MountFlags{}); err != 0 {
		t.Fatalf("MountRoot: %v", err)
	}
	root := v.Root()
	if err := v.MkdirAt(rootCtx, &vfs.PathOp{Root: root, Start: root, Path: "proc"}, 0o555); err != 0 {
		t.Fatalf("mkdir /proc: %v", err)
	}
	k, err := kernel.New(kernel.Config{Platform: fakePlatform{}, Syscalls: &kernel.SyscallTable{}, VFS: v, Exec: fakeExec{}, CPUs: 2, Hostname: "box"})
	if err != nil {
		t.Fatal(err)
	}
	host := &HostInfo{
		Meminfo:          parseMeminfo("MemTotal:        2000000 kB\nMemFree:         1000000 kB\nMemAvailable:    1500000 kB\n"),
		CPUInfo:          "processor\t: 0\nmodel name\t: Test CPU\n\n",
		OvercommitMemory: "1",
		Release:          "6.1.0-test",
		Version:          "#1 SMP Test",
	}
	live := func() LiveStats {
		return LiveStats{Valid: true, TotalRAM: 2000000 << 10, FreeRAM: 900000 << 10, Loads: [3]uint64{1 << 16, 0, 0}}
	}
	pfs := newFilesystem(k, v, host, live)
	if _, err := v.MountAt(rootCtx, root, "/proc", pfs, vfs.MountFlags{NoSuid: true, NoDev: true, NoExec: true}); err != 0 {
		t.Fatalf("mount /proc: %v", err)
	}
	return &env{t: t, v: v, k: k, root: root}
}

func (e *env) op(path string, follow bool) *vfs.PathOp {
	return &vfs.PathOp{Root: e.root, Start: e.root, Path: path, Follow: follow}
}

// read returns the contents of path, or the error.
func (e *env) read(ctx vfs.Context, path string) (string, linux.Errno) {
	fd, err := e.v.OpenAt(ctx, e.op(path, true), unix.O_RDONLY, 0)
	if err != 0 {
		return "", err
	}
	defer fd.DecRef()
	var out []byte
	buf := make([]byte, 7) // small, to exercise reads at offsets
	for {
		n, err := fd.Read(ctx, buf)
		if err != 0 {
			return "", err
		}
		if n == 0 {
			return string(out), 0
		}
		out = append(out, buf[:n]...)
	}
}

func (e *env) mustRead(path string) string {
	e.t.Helper()
	s, err := e.read(rootCtx, path)
	if err != 0 {
		e.t.Fatalf("read %s: %v", path, err)
	}
	return s
}

// list returns the names in directory path, without "." and "..".
func (e *env) list(path string) []string {
	e.t.Helper()
	fd, err := e.v.OpenAt(rootCtx, e.op(path, true), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != 0 {
		e.t.Fatalf("open %s: %v", path, err)
	}
	defer fd.DecRef()
	var names []string
	if err := fd.Getdents(rootCtx, func(d vfs.Dirent) bool {
		if d.Name != "." && d.Name != ".." {
			names = append(names, d.Name)
		}
		return true
	}); err != 0 {
		e.t.Fatalf("getdents %s: %v", path, err)
	}
	return names
}

func TestRootListing(t *testing.T) {
	e := newEnv(t)
	want := []string{"cgroups", "cpuinfo", "filesystems", "loadavg", "meminfo", "mounts", "net", "self", "stat", "sys", "sysvipc", "thread-self", "uptime", "version"}
	if got := e.list("/proc"); !slices.Equal(got, want) {
		t.Errorf("ls /proc = %v, want %v", got, want)
	}
	if got := e.list("/proc/sys/kernel"); !slices.Contains(got, "hostname") || !slices.Contains(got, "domainname") || !slices.Contains(got, "random") {
		t.Errorf("ls /proc/sys/kernel = %v", got)
	}
}

func TestGetdentsResumes(t *testing.T) {
	e := newEnv(t)
	fd, err := e.v.OpenAt(rootCtx, e.op("/proc", true), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != 0 {
		t.Fatal(err)
	}
	defer fd.DecRef()
	var names []string
	for {
		// Accept two entries per call, as a small getdents buffer would.
		n := 0
		if err := fd.Getdents(rootCtx, func(d vfs.Dirent) bool {
			if n == 2 {
				return false
			}
			n++
			names = append(names, d.Name)
			return true
		}); err != 0 {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if want := append([]string{".", ".."}, e.list("/proc")...); !slices.Equal(names, want) {
		t.Errorf("paged listing %v, want %v", names, want)
	}
}

func TestStaticFiles(t *testing.T) {
	e := newEnv(t)
	for path, want := range map[string]string{
		"/proc/sys/kernel/hostname":      "box\n",
		"/proc/sys/kernel/ostype":        "Linux\n",
		"/proc/sys/kernel/pid_max":       "4194304\n",
		"/proc/sys/kernel/ngroups_max":   "65536\n",
		"/proc/sys/kernel/cap_last_cap":  "40\n",
		"/proc/sys/fs/nr_open":           "1048576\n",
		"/proc/sys/vm/overcommit_memory": "1\n",
		"/proc/filesystems":              filesystemsText,
		"/proc/meminfo":                  "MemTotal:        2000000 kB\nMemFree:          900000 kB\nMemAvailable:    1400000 kB\n",
		"/proc/cpuinfo":                  "processor\t: 0\nmodel name\t: Test CPU\n\nprocessor\t: 1\nmodel name\t: Test CPU\n\n",
	} {
		if got := e.mustRead(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if got := e.mustRead("/proc/loadavg"); !strings.HasPrefix(got, "1.00 0.00 0.00 0/0 ") {
		t.Errorf("/proc/loadavg = %q", got)
	}
	if got := e.mustRead("/proc/sys/kernel/osrelease"); got != "6.1.0-test\n" {
		t.Errorf("osrelease = %q", got)
	}
	if got := e.mustRead("/proc/version"); got != "Linux version 6.1.0-test (moat@sandbox) #1 SMP Test\n" {
		t.Errorf("/proc/version = %q", got)
	}
	if got := e.mustRead("/proc/uptime"); len(strings.Fields(got)) != 2 {
		t.Errorf("/proc/uptime = %q", got)
	}
	if got := e.mustRead("/proc/stat"); !strings.HasPrefix(got, "cpu  ") || !strings.Contains(got, "\ncpu1 ") {
		t.Errorf("/proc/stat = %q", got)
	}
	b1, b2 := e.mustRead("/proc/sys/kernel/random/boot_id"), e.mustRead("/proc/sys/kernel/random/boot_id")
	u1, u2 := e.mustRead("/proc/sys/kernel/random/uuid"), e.mustRead("/proc/sys/kernel/random/uuid")
	if b1 != b2 || len(b1) != 37 {
		t.Errorf("boot_id %q then %q", b1, b2)
	}
	if u1 == u2 || len(u1) != 37 {
		t.Errorf("uuid %q then %q", u1, u2)
	}
}

func TestPermsAndLinks(t *testing.T) {
	e := newEnv(t)
	for path, want := range map[string]uint32{
		"/proc":                     unix.S_IFDIR | 0o555,
		"/proc/meminfo":             unix.S_IFREG | 0o444,
		"/proc/sys/kernel":          unix.S_IFDIR | 0o555,
		"/proc/sys/kernel/hostname": unix.S_IFREG | 0o644,
		"/proc/self":                unix.S_IFLNK | 0o777,
	} {
		st, err := e.v.StatAt(rootCtx, e.op(path, false), linux.STATX_BASIC_STATS)
		if err != 0 {
			t.Errorf("stat %s: %v", path, err)
			continue
		}
		if uint32(st.Mode) != want || st.Ino == 0 {
			t.Errorf("stat %s: mode %#o ino %d, want mode %#o", path, st.Mode, st.Ino, want)
		}
	}
	if got, err := e.v.ReadlinkAt(rootCtx, e.op("/proc/mounts", false)); err != 0 || got != "self/mounts" {
		t.Errorf("readlink /proc/mounts = %q, %v", got, err)
	}
	// Outside a task there is no "self", and no process 1 here.
	for _, p := range []string{"/proc/self", "/proc/thread-self/status", "/proc/1", "/proc/1/status", "/proc/nonesuch"} {
		if _, err := e.read(rootCtx, p); err != linux.ENOENT {
			t.Errorf("read %s: %v, want ENOENT", p, err)
		}
	}
	st, err := e.v.StatFSAt(rootCtx, e.op("/proc", true))
	if err != 0 || st.Type != linux.PROC_SUPER_MAGIC {
		t.Errorf("statfs /proc = %+v, %v", st, err)
	}
}
