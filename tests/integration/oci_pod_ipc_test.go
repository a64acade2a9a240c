package integration

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/tests/testutil"
)

// TestOCIPodIPCNamespace: pod members share the sandbox's System V IPC
// objects when their spec names a namespace by path (as the CRI does) or
// has no ipc entry, and have their own with an ipc entry without a path
// (docs/ipc.md). testdata/ipcmsg.c puts and gets messages by key.
func TestOCIPodIPCNamespace(t *testing.T) {
	o := newOCI(t)
	bin, err := testutil.BuildC("testdata/ipcmsg.c", "-static")
	if err != nil {
		t.Fatal(err)
	}
	volume := t.TempDir()
	os.Chmod(volume, 0o777)
	prog, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(volume, "ipcmsg"), prog, 0o755); err != nil {
		t.Fatal(err)
	}
	o.must("create", "--bundle", o.bundle(podSandbox("ipcpod"), "/bin/sleep", "1000"), "ipcpod")
	o.must("start", "ipcpod")
	member := func(id string, ipc *specs.LinuxNamespace) {
		edit := podMember("ipcpod", podRootfs(t, id), volume, false)
		o.must("create", "--bundle", o.bundle(func(s *specs.Spec) {
			edit(s)
			if ipc != nil {
				s.Linux.Namespaces = append(s.Linux.Namespaces, *ipc)
			}
		}, "/bin/sleep", "1001"), id)
		o.must("start", id)
	}
	member("ipca", &specs.LinuxNamespace{Type: specs.IPCNamespace, Path: "/proc/1/ns/ipc"})
	member("ipcb", &specs.LinuxNamespace{Type: specs.IPCNamespace})
	member("ipcc", nil)

	// Through sh: runsc exec looks the program up in the image, and the
	// helper lives in the volume.
	ipcmsg := func(id string, args string) string { return o.execOut(id, "sh", "-c", "/data/ipcmsg "+args) }
	ipcmsg("ipca", "put 77 from-a")
	ipcmsg("ipca", "put 77 again-a")
	ipcmsg("ipcb", "put 77 from-b")
	// The sender's PID as c sees it: a's processes live in another PID
	// namespace, so 0 (Linux's pid_nr_ns).
	if got := o.execOut("ipcc", "awk", "$1 == 77 {print $6, $5}", "/proc/sysvipc/msg"); got != "0 2\n" {
		t.Errorf("lspid and qnum of a's queue seen from c: %q, want \"0 2\"", got)
	}
	for _, step := range []struct{ id, want string }{
		{"ipcc", "from-a\n"},  // no ipc entry: the sandbox's namespace
		{"ipcb", "from-b\n"},  // its own namespace, same key
		{"ipcb", "ENOMSG\n"},  // nothing of a's there
		{"ipca", "again-a\n"}, // c took a's first message
		{"ipca", "ENOMSG\n"},
	} {
		if got := ipcmsg(step.id, "get 77"); got != step.want {
			t.Errorf("get in %s: %q, want %q", step.id, got, step.want)
		}
	}

	o.must("delete", "--force", "ipcpod")
	for _, id := range []string{"ipca", "ipcb", "ipcc"} {
		o.waitStatus(id, "stopped")
		o.must("delete", id)
	}
}
