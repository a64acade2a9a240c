package proc

import (
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

func TestHostnameWrite(t *testing.T) {
	e := newEnv(t)
	write := func(ctx vfs.Context, s string) linux.Errno {
		fd, err := e.v.OpenAt(ctx, e.op("/proc/sys/kernel/hostname", true), unix.O_WRONLY, 0)
		if err != 0 {
			return err
		}
		defer fd.DecRef()
		_, err = fd.Write(ctx, []byte(s))
		return err
	}
	// A shell's "echo newname > file" opens with O_CREAT|O_TRUNC.
	fd, err := e.v.OpenAt(rootCtx, e.op("/proc/sys/kernel/hostname", true), unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC, 0o666)
	if err != 0 {
		t.Fatalf("open hostname O_TRUNC: %v", err)
	}
	fd.DecRef()
	if err := e.v.SetStatAt(rootCtx, e.op("/proc/meminfo", true), &vfs.SetStatOptions{Mask: linux.STATX_MODE, Mode: 0o777}); err != linux.EPERM {
		t.Errorf("chmod meminfo: %v, want EPERM", err)
	}
	if err := write(rootCtx, "newname\n"); err != 0 {
		t.Fatalf("write hostname: %v", err)
	}
	if got := e.k.Hostname(); got != "newname" {
		t.Errorf("hostname = %q", got)
	}
	if err := write(userCtx, "x"); err != linux.EACCES {
		t.Errorf("write hostname as a user: %v, want EACCES", err)
	}
	// Read-only files refuse writers, even root.
	if _, err := e.v.OpenAt(rootCtx, e.op("/proc/meminfo", true), unix.O_RDWR, 0); err != linux.EACCES {
		t.Errorf("open meminfo O_RDWR: %v, want EACCES", err)
	}
}

func TestRereadAtZero(t *testing.T) {
	e := newEnv(t)
	ctx := rootCtx
	fd, err := e.v.OpenAt(ctx, e.op("/proc/sys/kernel/hostname", true), unix.O_RDONLY, 0)
	if err != 0 {
		t.Fatal(err)
	}
	defer fd.DecRef()
	buf := make([]byte, 64)
	n, _ := fd.PRead(ctx, buf, 0)
	if string(buf[:n]) != "box\n" {
		t.Fatalf("first read %q", buf[:n])
	}
	e.k.SetHostname("other")
	// A read at an offset keeps the snapshot; coming back to 0 renews it.
	if n, _ := fd.PRead(ctx, buf, 1); string(buf[:n]) != "ox\n" {
		t.Errorf("read at 1 = %q, want the snapshot", buf[:n])
	}
	if n, _ := fd.PRead(ctx, buf, 0); string(buf[:n]) != "other\n" {
		t.Errorf("read at 0 again = %q, want a new snapshot", buf[:n])
	}
}

func TestCollectMounts(t *testing.T) {
	e := newEnv(t)
	if err := e.v.MkdirAt(rootCtx, e.op("/tmp", false), 0o777); err != 0 {
		t.Fatal(err)
	}
	tfs := tmpfs.New(e.v, tmpfs.Options{})
	if _, err := e.v.MountAt(rootCtx, e.root, "/tmp", tfs, vfs.MountFlags{}); err != 0 {
		t.Fatal(err)
	}
	if err := e.v.MkdirAt(rootCtx, e.op("/tmp/sub", false), 0o777); err != 0 {
		t.Fatal(err)
	}
	if _, err := e.v.MountAt(rootCtx, e.root, "/tmp/sub", tmpfs.New(e.v, tmpfs.Options{}), vfs.MountFlags{ReadOnly: true}); err != 0 {
		t.Fatal(err)
	}
	ms := e.procFS().collectMounts(e.root)
	if len(ms) != 4 {
		t.Fatalf("collectMounts = %+v", ms)
	}
	byPoint := map[string]mountEntry{}
	for _, m := range ms {
		byPoint[m.Point] = m
	}
	root, proc, tmp, sub := byPoint["/"], byPoint["/proc"], byPoint["/tmp"], byPoint["/tmp/sub"]
	if root.ParentID != root.ID || proc.ParentID != root.ID || tmp.ParentID != root.ID || sub.ParentID != tmp.ID {
		t.Errorf("parents: %+v", ms)
	}
	if proc.FSType != "proc" || !proc.Flags.NoExec || !sub.Flags.ReadOnly {
		t.Errorf("entries: %+v", ms)
	}
}

// procFS returns the procfs instance mounted in e.
func (e *env) procFS() *filesystem {
	for _, m := range e.v.Mounts() {
		if f, ok := m.Filesystem().Impl().(*filesystem); ok {
			return f
		}
	}
	e.t.Fatal("no procfs mounted")
	return nil
}

func TestMeminfoUnderLimit(t *testing.T) {
	e := newEnv(t)
	e.procFS().host.MemoryLimit = 1 << 30
	want := "MemTotal:        1048576 kB\nMemFree:         1048576 kB\nMemAvailable:    1048576 kB\n"
	if got := e.mustRead("/proc/meminfo"); len(got) < len(want) || got[:len(want)] != want {
		t.Errorf("meminfo under a 1 GiB limit =\n%s", got)
	}
	// A limit above the host's memory is no limit.
	e.procFS().host.MemoryLimit = 1 << 40
	if got := e.mustRead("/proc/meminfo"); got[:len("MemTotal:        2000000 kB")] != "MemTotal:        2000000 kB" {
		t.Errorf("meminfo under a large limit =\n%s", got)
	}
}
