package integration

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/tests/testutil"
)

// TestOCIMqueue: a bundle with Docker's /dev/mqueue mount can mq_open,
// and the queue shows there as a file (status line, mode, owner);
// removing the file removes the queue (docs/ipc.md).
func TestOCIMqueue(t *testing.T) {
	o := newOCI(t)
	bin, err := testutil.BuildC("testdata/mqopen.c", "-static")
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	prog, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "mqopen"), prog, 0o755); err != nil {
		t.Fatal(err)
	}
	script := `umask 022
/home/mqopen create /moat-q || exit 1
ls /dev/mqueue
cat /dev/mqueue/moat-q
stat -c '%a %u %F' /dev/mqueue/moat-q
/home/mqopen create /moat-r
/home/mqopen receive /moat-r
rm /dev/mqueue/moat-q
/home/mqopen open /moat-q
ls /dev/mqueue
grep ' /dev/mqueue ' /proc/self/mounts`
	bundle := o.bundle(func(s *specs.Spec) {
		s.Mounts = append(s.Mounts,
			specs.Mount{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
			specs.Mount{Destination: "/home", Type: "bind", Source: data, Options: []string{"bind", "ro"}})
	}, "/bin/sh", "-c", script)
	r := o.run("run", "--bundle", bundle, "mq1")
	want := "moat-q\n" +
		"QSIZE:5          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n" +
		"640 0 regular file\n" +
		"hello 3\n" +
		"ENOENT\n" +
		"moat-r\n" +
		"mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec,relatime 0 0\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("want %q, got %s", want, r)
	}
}
